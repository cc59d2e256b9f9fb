/**
 * A stateful fake of the Microsoft.ApiManagement resource provider (api-version 2024-05-01) on 127.0.0.1,
 * good enough for the real `@azure/arm-apimanagement` client and for apimops' raw requests (ARM.md §8):
 * case-insensitive, percent-decoded paths; `{id,type,name,properties}` envelopes; lists with `count` and an
 * absolute `nextLink`; ETags and If-Match (412); long-running operations answered with
 * `Azure-AsyncOperation` + `Location` and polled to completion; API import (`format`/`value`) and export
 * links; policies stored as rawxml and served as `xml` or `rawxml`; secret named values and subscription keys
 * only through `listValue`/`listSecrets`; ARM error bodies; product/tag/gateway links in both the classic
 * (`/products/p/apis/a`) and the link-resource (`/products/p/apiLinks/l`) forms over one relation.
 * Fault injection (faults.ts) and a fixed latency make retries, throttling and parallelism testable.
 *
 * Not simulated: `$filter` (ignored), throttling by itself (use fault rules), resource kinds apimops does not
 * use (certificates, users, portal…; they answer 404 InvalidResourceType).
 *
 * Everything it advertises (nextLink, Location, Azure-AsyncOperation) is addressed to `publicBase`,
 * `https://management.azure.com` by default: apimops' client reaches the fake through ARM.md §7.2
 * workaround C (a loopback HttpClient), so the SDK's https-only bearer policy stays untouched.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { FaultInjector, defaultError, type FaultRule } from './faults.js';
import { fragmentReferences, namedValueReferences, rawToXml, xmlToRaw } from './policy-format.js';
import { ResourceStore, type Entry, type FakeSnapshot } from './store.js';
import { EXPORT_RESULT_FORMATS, exportDocument, operationsFromSpec, parseOpenApi, specFromOperations, type StoredSpec } from './specs.js';

export const FAKE_API_VERSION = '2024-05-01';

export interface FakeArmOptions {
  /** Port on 127.0.0.1 (0 = any free port). */
  port?: number;
  subscriptionId?: string;
  resourceGroup?: string;
  serviceName?: string;
  /** Base URL written into nextLink/Location/Azure-AsyncOperation (default https://management.azure.com). */
  publicBase?: string;
  /** Items per list page (default 100, like APIM). */
  pageSize?: number;
  /** How long-running operations answer: `async` (Azure-AsyncOperation + Location), `location` (202 + Location), `sync`. */
  lro?: 'async' | 'location' | 'sync';
  /** Polls that report "in progress" before an LRO succeeds (default 1). */
  lroPolls?: number;
  /** Latency added to every ARM request (benchmarks: 40 ms). */
  latencyMs?: number;
  faults?: readonly FaultRule[];
  /** Seed of the fault injector's random generator. */
  faultSeed?: number;
  /** Require `Authorization: Bearer …` (default true). */
  requireAuth?: boolean;
  /** Accept only this bearer token (401 for any other), to test where tokens come from. */
  requireToken?: string;
  /** Create what every new APIM instance has: system groups, starter/unlimited products, the master subscription. */
  defaults?: boolean;
  /** Initial state. */
  snapshot?: FakeSnapshot;
  /** Record every request (method, path, status) in `requests` (default true). */
  record?: boolean;
  /** Timestamps written into resources (default a fixed instant, so snapshots are deterministic). */
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeArm {
  /** `http://127.0.0.1:<port>`: where requests must actually be sent. */
  url: string;
  port: number;
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  /** Full ARM id of the fake service. */
  serviceId: string;
  store: ResourceStore;
  faults: FaultInjector;
  requests: RecordedRequest[];
  /** Number of ARM requests served (admin and blob requests excluded). */
  requestCount(): number;
  snapshot(): FakeSnapshot;
  close(): Promise<void>;
}

const ENTITY_NAMES: Record<string, string> = {
  apis: 'Api',
  operations: 'Operation',
  products: 'Product',
  groups: 'Group',
  namedvalues: 'NamedValue',
  backends: 'Backend',
  loggers: 'Logger',
  diagnostics: 'Diagnostic',
  tags: 'Tag',
  gateways: 'Gateway',
  subscriptions: 'Subscription',
  apiversionsets: 'ApiVersionSet',
  policyfragments: 'PolicyFragment',
  policies: 'Policy',
  releases: 'ApiRelease',
  schemas: 'Schema',
  workspaces: 'Workspace',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { code: string; target?: string; message: string }[],
  ) {
    super(message);
  }
}

const notFound = (collection: string) => new HttpError(404, 'ResourceNotFound', `${ENTITY_NAMES[collection.toLowerCase()] ?? 'Resource'} not found.`);
const validation = (target: string, message: string) =>
  new HttpError(400, 'ValidationError', 'One or more fields contain incorrect values:', [{ code: 'ValidationError', target, message }]);

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Deep merge for PATCH: objects merge, anything else replaces. */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function etagMatches(ifMatch: string, etag: string): boolean {
  if (ifMatch.trim() === '*') return true;
  const bare = (s: string) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return ifMatch.split(',').some((t) => bare(t) === bare(etag));
}

/** Starts the fake on 127.0.0.1 and resolves once it listens. */
export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const resourceGroup = options.resourceGroup ?? 'rg-apim';
  const serviceName = options.serviceName ?? 'apim-fake';
  const publicBase = (options.publicBase ?? 'https://management.azure.com').replace(/\/+$/, '');
  const serviceId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${serviceName}`;
  const serviceIdLower = serviceId.toLowerCase();
  const pageSize = options.pageSize ?? 100;
  const lroMode = options.lro ?? 'async';
  const lroPolls = options.lroPolls ?? 1;
  const now = options.now ?? (() => new Date('2026-01-01T00:00:00.000Z'));
  const store = new ResourceStore();
  const faults = new FaultInjector(options.faults ?? [], options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  const operations = new Map<string, { pollsLeft: number }>();
  const blobs = new Map<string, string>();
  let opSeq = 0;
  let blobSeq = 0;
  let served = 0;
  /** Time from a request's arrival to its response (latency and faults included), summed: `/_fake/stats`. */
  let serverMsTotal = 0;
  let localUrl = '';

  if (options.defaults) {
    for (const [name, displayName] of [['administrators', 'Administrators'], ['developers', 'Developers'], ['guests', 'Guests']] as const) {
      store.put(`/groups/${name}`, { displayName, description: `${displayName} is a built-in group.`, builtIn: true, type: 'system' });
    }
    store.put('/products/starter', { displayName: 'Starter', subscriptionRequired: true, approvalRequired: false, subscriptionsLimit: 1, state: 'published' });
    store.put('/products/unlimited', { displayName: 'Unlimited', subscriptionRequired: true, approvalRequired: true, state: 'published' });
    store.put('/subscriptions/master', { scope: `${serviceId}/`, displayName: 'Built-in all-access subscription', state: 'active', primaryKey: 'master-primary', secondaryKey: 'master-secondary', allowTracing: false });
  }
  if (options.snapshot) store.load(options.snapshot);

  // ---------------------------------------------------------------- helpers

  const fullId = (path: string) => `${serviceId}${path}`;
  /** A service-relative path from a full or relative ARM id; undefined when it points elsewhere. */
  const relOf = (id: unknown): string | undefined => {
    if (typeof id !== 'string') return undefined;
    if (id.toLowerCase().startsWith(serviceIdLower)) return id.slice(serviceId.length) || '/';
    return id.startsWith('/') && !id.toLowerCase().startsWith('/subscriptions/') ? id : undefined;
  };
  const typeOf = (path: string) => {
    const segs = path.split('/').filter(Boolean);
    return `Microsoft.ApiManagement/service/${segs.filter((_, i) => i % 2 === 0).join('/')}`;
  };
  const timestamp = () => now().toISOString();

  /** The properties a GET shows: secrets hidden, policies in the requested encoding. */
  function view(entry: Entry, policyFormat: 'xml' | 'rawxml' = 'xml'): Record<string, unknown> {
    const coll = collectionOf(entry.path);
    const props = { ...entry.properties };
    if (coll === 'policies' || coll === 'policyfragments') {
      const raw = String(props.value ?? '');
      props.value = policyFormat === 'rawxml' ? raw : rawToXml(raw);
      props.format = policyFormat;
    }
    if (coll === 'namedvalues' && props.secret === true) delete props.value;
    if (coll === 'subscriptions') {
      delete props.primaryKey;
      delete props.secondaryKey;
    }
    return props;
  }

  const resource = (entry: Entry, policyFormat?: 'xml' | 'rawxml', path = entry.path) => ({
    id: fullId(path),
    type: typeOf(path),
    name: path.slice(path.lastIndexOf('/') + 1),
    properties: view(entry, policyFormat),
  });

  function collectionOf(path: string): string {
    const segs = path.split('/').filter(Boolean);
    return (segs[segs.length - 2] ?? '').toLowerCase();
  }

  function page(items: unknown[], collectionPath: string, query: URLSearchParams): Reply {
    const skip = Math.max(0, Number(query.get('$skip') ?? 0) || 0);
    const top = Number(query.get('$top') ?? 0) || pageSize;
    const slice = items.slice(skip, skip + top);
    const body: Record<string, unknown> = { value: slice, count: items.length };
    if (skip + top < items.length) {
      const next = new URLSearchParams(query);
      next.set('api-version', FAKE_API_VERSION);
      next.set('$skip', String(skip + top));
      body.nextLink = `${publicBase}${serviceId}${collectionPath}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  function ensureParent(path: string): void {
    const segs = path.split('/').filter(Boolean);
    for (let len = 2; len < segs.length - 1; len += 2) {
      const parent = `/${segs.slice(0, len).join('/')}`;
      if (!store.get(parent)) throw notFound(segs[len - 2]!);
    }
  }

  function checkIfMatch(req: IncomingMessage, entry: Entry | undefined): void {
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch !== 'string' || ifMatch === '') return;
    if (ifMatch.trim() === '*') return;
    if (!entry || !etagMatches(ifMatch, entry.etag)) throw new HttpError(412, 'PreconditionFailed', 'The entity tag does not match the current state of the resource.');
  }

  function startLro(resourcePath: string, asyncCode: number): Record<string, string> {
    if (lroMode === 'sync') return {};
    const id = `op${(++opSeq).toString(16).padStart(6, '0')}`;
    operations.set(id, { pollsLeft: lroPolls });
    const location = `${publicBase}${serviceId}${resourcePath.split('/').map(encodeURIComponent).join('/')}?api-version=${FAKE_API_VERSION}&asyncId=${id}&asyncCode=${asyncCode}`;
    const headers: Record<string, string> = { location, 'retry-after': '0' };
    if (lroMode === 'async') headers['azure-asyncoperation'] = `${publicBase}${serviceId}/tenant/operationResults/${id}?api-version=${FAKE_API_VERSION}`;
    return headers;
  }

  /** Scope prefix (`` or `/workspaces/w`) and the segments inside it. */
  function scopeOf(segs: string[]): { prefix: string; inner: string[] } {
    if ((segs[0] ?? '').toLowerCase() === 'workspaces' && segs.length > 2) return { prefix: `/workspaces/${segs[1]}`, inner: segs.slice(2) };
    return { prefix: '', inner: segs };
  }

  /** Checks `{{named value}}` and `include-fragment` references of a policy (APIM rejects dangling ones). */
  function checkPolicyReferences(prefix: string, raw: string): void {
    const scopes = prefix ? [prefix, ''] : [''];
    for (const ref of namedValueReferences(raw)) {
      const found = scopes.some((s) =>
        store.list(`${s}/namedValues`).some((nv) => nv.name.toLowerCase() === ref.toLowerCase() || String(nv.properties.displayName ?? '').toLowerCase() === ref.toLowerCase()),
      );
      if (!found) throw validation('value', `Cannot find a property '${ref}'`);
    }
    for (const ref of fragmentReferences(raw)) {
      if (!scopes.some((s) => store.get(`${s}/policyFragments/${ref}`))) throw validation('value', `Policy fragment '${ref}' not found`);
    }
  }

  function deleteCascade(path: string): void {
    const id = fullId(path).toLowerCase();
    const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
    const isApi = collectionOf(path) === 'apis';
    const doomed: string[] = [];
    for (const e of store.all()) {
      for (const field of ['apiId', 'productId', 'groupId', 'operationId']) {
        const v = e.properties[field];
        if (typeof v === 'string' && (v.toLowerCase() === id || v.toLowerCase() === path.toLowerCase())) doomed.push(e.path);
      }
      if (isApi && /^(\/workspaces\/[^/]+)?\/gateways\/[^/]+\/apis\/[^/]+$/i.test(e.path) && e.name.toLowerCase() === name) doomed.push(e.path);
    }
    for (const p of doomed) store.delete(p);
    store.delete(path);
  }

  // ---------------------------------------------------------------- link views

  /** Classic association endpoints served from link resources: one relation, two APIs. */
  interface LinkView {
    /** Collection of link resources, relative to the scope: given the owner path. */
    linkCollection(ownerPath: string, targetName?: string): string;
    /** Field of the link resource holding the target id. */
    field: 'apiId' | 'groupId' | 'productId';
    /** Collection of the target (`apis`, `groups`, `tags`). */
    target: string;
    /** For tag assignments the link lives on the tag: the "target" is the tag, the id field points at the owner. */
    ownerIsField: boolean;
  }

  const LINK_VIEWS: Record<string, LinkView> = {
    'products/apis': { linkCollection: (o) => `${o}/apiLinks`, field: 'apiId', target: 'apis', ownerIsField: false },
    'products/groups': { linkCollection: (o) => `${o}/groupLinks`, field: 'groupId', target: 'groups', ownerIsField: false },
    'apis/tags': { linkCollection: (_o, t) => `/tags/${t}/apiLinks`, field: 'apiId', target: 'tags', ownerIsField: true },
    'products/tags': { linkCollection: (_o, t) => `/tags/${t}/productLinks`, field: 'productId', target: 'tags', ownerIsField: true },
  };

  function handleLinkView(method: string, prefix: string, inner: string[], view: LinkView, query: URLSearchParams): Reply {
    const ownerPath = `${prefix}/${inner[0]}/${inner[1]}`;
    const owner = store.get(ownerPath);
    if (!owner) throw notFound(inner[0]!);
    const targetName = inner[3];
    const linkCollectionPath = (t?: string) => (view.ownerIsField ? `${prefix}${view.linkCollection(ownerPath, t)}` : view.linkCollection(ownerPath, t));
    const pointsAt = (e: Entry, path: string) => {
      const v = relOf(e.properties[view.field]);
      return v !== undefined && v.toLowerCase() === path.toLowerCase();
    };
    if (targetName === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
      let targets: Entry[];
      if (view.ownerIsField) {
        targets = store.list(`${prefix}/tags`).filter((tag) => store.list(linkCollectionPath(tag.name)).some((l) => pointsAt(l, ownerPath)));
      } else {
        targets = store
          .list(linkCollectionPath())
          .map((l) => store.get(relOf(l.properties[view.field]) ?? ''))
          .filter((e): e is Entry => e !== undefined);
      }
      const items = targets.map((t) => ({ ...resource(t), id: fullId(`${ownerPath}/${inner[2]}/${t.name}`), type: typeOf(`${ownerPath}/${inner[2]}/${t.name}`) }));
      return page(items, `${ownerPath}/${inner[2]}`, query);
    }
    const targetPath = `${prefix}/${view.target}/${targetName}`;
    const target = store.get(targetPath);
    const linkColl = linkCollectionPath(targetName);
    const linkedTo = view.ownerIsField ? ownerPath : targetPath;
    const existing = store.list(linkColl).find((l) => pointsAt(l, linkedTo));
    const contract = (t: Entry) => ({ ...resource(t), id: fullId(`${ownerPath}/${inner[2]}/${t.name}`), type: typeOf(`${ownerPath}/${inner[2]}/${t.name}`) });
    switch (method) {
      case 'PUT': {
        if (!target) throw notFound(view.target);
        const created = !existing;
        if (!existing) {
          const linkName = view.ownerIsField ? `${inner[1]}` : targetName;
          store.put(`${linkColl}/${linkName}`, { [view.field]: fullId(linkedTo) });
        }
        return { status: created ? 201 : 200, body: contract(target) };
      }
      case 'GET':
        if (!view.ownerIsField) throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support http method GET.');
        if (!existing || !target) throw notFound(view.target);
        return { status: 200, body: contract(target), headers: { etag: target.etag } };
      case 'HEAD':
        if (!existing || !target) throw notFound(view.target);
        return view.ownerIsField ? { status: 200, headers: { etag: target.etag } } : { status: 204 };
      case 'DELETE':
        if (!existing) return { status: 204 };
        store.delete(existing.path);
        return { status: 200 };
      default:
        throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
    }
  }

  /** Plain associations without a link-resource form (gateway APIs, operation tags). */
  function handleAssociation(method: string, prefix: string, inner: string[], targetCollection: string, query: URLSearchParams): Reply {
    const ownerPath = `${prefix}/${inner.slice(0, inner.length % 2 === 0 ? -2 : -1).join('/')}`;
    if (!store.get(ownerPath)) throw notFound(inner[inner.length % 2 === 0 ? inner.length - 4 : inner.length - 3] ?? 'resource');
    const collPath = `${ownerPath}/${inner[inner.length % 2 === 0 ? inner.length - 2 : inner.length - 1]}`;
    const contract = (assoc: Entry) => {
      const t = store.get(`${prefix}/${targetCollection}/${assoc.name}`);
      return t ? { ...resource(t), id: fullId(assoc.path), type: typeOf(assoc.path) } : undefined;
    };
    if (inner.length % 2 === 1) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
      return page(store.list(collPath).map(contract).filter(Boolean), collPath, query);
    }
    const name = inner[inner.length - 1]!;
    const path = `${collPath}/${name}`;
    const existing = store.get(path);
    switch (method) {
      case 'PUT': {
        const target = store.get(`${prefix}/${targetCollection}/${name}`);
        if (!target) throw notFound(targetCollection);
        const { entry, created } = store.put(path, {});
        return { status: created ? 201 : 200, body: contract(entry) };
      }
      case 'GET':
        if (targetCollection === 'apis') throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support http method GET.');
        if (!existing) throw notFound(targetCollection);
        return { status: 200, body: contract(existing), headers: { etag: existing.etag } };
      case 'HEAD':
        if (!existing) throw notFound(targetCollection);
        return { status: 200, headers: { etag: existing.etag } };
      case 'DELETE':
        return { status: store.delete(path) ? 200 : 204 };
      default:
        throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
    }
  }

  // ---------------------------------------------------------------- writes with per-kind rules

  function importApi(path: string, props: Record<string, unknown>): { props: Record<string, unknown>; spec?: StoredSpec } {
    const format = typeof props.format === 'string' ? props.format : undefined;
    const value = typeof props.value === 'string' ? props.value : undefined;
    const out = { ...props };
    delete out.format;
    delete out.value;
    delete out.wsdlSelector;
    delete out.translateRequiredQueryParameters;
    if (!format) return { props: out };
    if (value === undefined) throw validation('value', "'value' is required when 'format' is given.");
    if (/-link(-json)?$/.test(format)) return { props: { ...out, displayName: out.displayName ?? path.slice(path.lastIndexOf('/') + 1) } }; // the fake does not fetch remote definitions
    const spec: StoredSpec = { format, value };
    if (/^(openapi|openapi\+json|swagger-json)$/.test(format)) {
      const doc = parseOpenApi(spec);
      if (!doc) throw validation('value', `The ${format} document could not be parsed.`);
      const info = (doc.info ?? {}) as Record<string, unknown>;
      if (out.displayName === undefined && typeof info.title === 'string') out.displayName = info.title;
      for (const e of store.list(`${path}/operations`)) store.delete(e.path);
      for (const op of operationsFromSpec(doc)) store.put(`${path}/operations/${op.name}`, op.properties);
    } else if (format === 'wsdl') {
      if (!/<(\w+:)?definitions\b/.test(value)) throw validation('value', 'The WSDL document could not be parsed.');
      out.type ??= props.apiType === 'soap' ? 'soap' : 'http';
    } else if (format === 'graphql') {
      out.type ??= 'graphql';
    } else if (format !== 'wadl-xml') {
      throw validation('format', `Format '${format}' is not supported by the fake.`);
    }
    delete out.apiType;
    return { props: out, spec };
  }

  function putResource(req: IncomingMessage, prefix: string, inner: string[], path: string, body: Record<string, unknown>, query: URLSearchParams): Reply {
    const collection = (inner[inner.length - 2] ?? '').toLowerCase();
    const chain = inner.filter((_, i) => i % 2 === 0).map((c) => c.toLowerCase()).join('/');
    const existing = store.get(path);
    checkIfMatch(req, existing);
    ensureParent(path);
    let props = (body.properties ?? {}) as Record<string, unknown>;
    if (typeof props !== 'object' || Array.isArray(props)) throw validation('properties', "'properties' must be an object.");
    let spec: StoredSpec | undefined;
    let lro = false;
    const name = inner[inner.length - 1]!;

    if (collection === 'policies') {
      if (name.toLowerCase() !== 'policy') throw validation('policyId', "Policy id must be 'policy'.");
      const format = String(props.format ?? 'xml');
      if (typeof props.value !== 'string' || props.value === '') throw validation('value', "'value' is required.");
      if (format.endsWith('-link')) throw validation('format', 'Linked policy documents are not supported by the fake.');
      const raw = format === 'rawxml' ? props.value : xmlToRaw(props.value);
      if (!/<policies[\s>]/.test(raw)) throw validation('value', "The policy document must have a <policies> root element.");
      checkPolicyReferences(prefix, raw);
      props = { value: raw };
    } else if (chain === 'policyfragments') {
      const format = String(props.format ?? 'xml');
      if (typeof props.value !== 'string' || props.value === '') throw validation('value', "'value' is required.");
      const raw = format === 'rawxml' ? props.value : xmlToRaw(props.value);
      if (!/<fragment[\s>]/.test(raw)) throw validation('value', 'A policy fragment must have a <fragment> root element.');
      checkPolicyReferences(prefix, raw);
      props = { ...props, value: raw };
      delete props.format;
      lro = true;
    } else if (chain === 'apis') {
      const rev = /^(.+);rev=(\d+)$/i.exec(name);
      if (rev) {
        const rootPath = `${prefix}/apis/${rev[1]}`;
        const root = store.get(rootPath);
        if (!root) throw notFound('apis');
        if (!existing) {
          const source = store.get(relOf(props.sourceApiId) ?? rootPath) ?? root;
          const copied: Record<string, unknown> = { ...source.properties, ...props, apiRevision: rev[2], isCurrent: false };
          delete copied.sourceApiId;
          for (const e of store.subtree(source.path)) {
            const rest = e.path.slice(source.path.length);
            if (/^\/(operations|policies)(\/|$)/i.test(rest)) store.put(`${path}${rest}`, structuredClone(e.properties));
          }
          props = copied;
          spec = source.spec;
        } else {
          props = { ...props, apiRevision: rev[2], isCurrent: existing.properties.isCurrent ?? false };
        }
      } else {
        const imported = importApi(path, props);
        props = imported.props;
        spec = imported.spec;
        if (typeof props.path !== 'string') throw validation('path', "'path' is required.");
        if (props.displayName === undefined && typeof imported.spec === 'undefined') throw validation('displayName', "'displayName' is required.");
        props.displayName ??= name;
        props.apiRevision ??= existing?.properties.apiRevision ?? '1';
        props.isCurrent ??= true;
      }
      if (props.apiVersionSetId !== undefined && !store.get(relOf(props.apiVersionSetId) ?? '')) throw validation('apiVersionSetId', 'Version set not found.');
      lro = true;
    } else if (chain === 'apis/schemas') {
      lro = true;
    } else if (chain === 'namedvalues') {
      if (typeof props.displayName !== 'string' || !/^[A-Za-z0-9-._]+$/.test(props.displayName)) throw validation('displayName', "'displayName' is required and may only contain letters, digits, '-', '.' and '_'.");
      if (props.value === undefined && !(props.keyVault as { secretIdentifier?: string } | undefined)?.secretIdentifier) throw validation('value', "'value' or 'keyVault' is required.");
      props.secret ??= false;
      lro = true;
    } else if (chain === 'diagnostics' || chain === 'apis/diagnostics') {
      if (!store.get(relOf(props.loggerId) ?? '')) throw validation('loggerId', 'Logger not found.');
    } else if (chain === 'subscriptions') {
      const scope = relOf(props.scope);
      if (scope === undefined || !(scope === '/' || scope === '/apis' || store.get(scope))) throw validation('scope', 'Scope not found.');
      props.primaryKey ??= existing?.properties.primaryKey ?? `pk-${name}-${(++blobSeq).toString(36)}`;
      props.secondaryKey ??= existing?.properties.secondaryKey ?? `sk-${name}-${(++blobSeq).toString(36)}`;
      props.state ??= 'submitted';
      props.createdDate ??= existing?.properties.createdDate ?? timestamp();
    } else if (chain === 'apis/releases') {
      makeCurrent(prefix, inner[1]!, relOf(props.apiId));
      props.createdDateTime ??= existing?.properties.createdDateTime ?? timestamp();
      props.updatedDateTime = timestamp();
    } else if (chain === 'backends') {
      if ((props.type ?? 'Single') === 'Single' && (typeof props.url !== 'string' || typeof props.protocol !== 'string')) throw validation('url', "'url' and 'protocol' are required for a Single backend.");
    } else if (['products', 'groups', 'tags', 'workspaces', 'apiversionsets'].includes(chain)) {
      if (typeof props.displayName !== 'string') throw validation('displayName', "'displayName' is required.");
    } else if (chain === 'loggers') {
      if (typeof props.loggerType !== 'string') throw validation('loggerType', "'loggerType' is required.");
      // APIM keeps logger keys out of the logger: each literal credential becomes a secret named value
      // `Logger-Credentials-…` and the logger holds a `{{…}}` reference to it (ApiManagementCreateAILogger.json).
      const credentials = props.credentials as Record<string, unknown> | undefined;
      if (credentials && typeof credentials === 'object') {
        const out: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(credentials)) {
          if (typeof value !== 'string' || /^\{\{[^{}]+\}\}$/.test(value)) {
            out[field] = value;
            continue;
          }
          const nvName = `logger-credentials-${name}-${field}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
          const displayName = `Logger-Credentials-${name}-${field}`.replace(/[^A-Za-z0-9-._]/g, '-');
          store.put(`${prefix}/namedValues/${nvName}`, { displayName, value, secret: true, tags: [] });
          out[field] = `{{${displayName}}}`;
        }
        props = { ...props, credentials: out };
      }
    }

    const { entry, created } = store.put(path, props, spec);
    const status = created ? 201 : 200;
    const headers: Record<string, string> = { etag: entry.etag };
    if (lro) Object.assign(headers, startLro(path, status));
    const responseBody = resource(entry, query.get('format') === 'rawxml' ? 'rawxml' : 'xml');
    if (lro && lroMode !== 'sync') (responseBody.properties as Record<string, unknown>).provisioningState = 'InProgress';
    if (lro && lroMode === 'location') return { status: 202, headers };
    return { status, body: responseBody, headers };
  }

  /** A release of a non-current revision makes it current: its subtree and the current one swap places. */
  function makeCurrent(prefix: string, apiName: string, target: string | undefined): void {
    if (!target) throw validation('apiId', "'apiId' is required.");
    const rev = /^(.*\/apis\/)([^/]+);rev=(\d+)$/i.exec(target);
    const rootName = apiName.replace(/;rev=\d+$/i, '');
    if (!store.get(target)) throw notFound('apis');
    if (!rev) return;
    const rootPath = `${prefix}/apis/${rootName}`;
    const revPath = `${prefix}/apis/${rootName};rev=${rev[3]}`;
    const root = store.get(rootPath);
    const revision = store.get(revPath);
    if (!root || !revision) throw notFound('apis');
    const oldRevision = String(root.properties.apiRevision ?? '1');
    const oldPath = `${prefix}/apis/${rootName};rev=${oldRevision}`;
    store.move(rootPath, oldPath, ['releases']);
    store.move(revPath, rootPath);
    const newRoot = store.get(rootPath)!;
    store.touch(newRoot, { ...newRoot.properties, isCurrent: true });
    const old = store.get(oldPath)!;
    store.touch(old, { ...old.properties, isCurrent: false });
  }

  // ---------------------------------------------------------------- dispatch

  function handleService(method: string, segs: string[], query: URLSearchParams, req: IncomingMessage, body: unknown): Reply {
    if (segs.length === 0) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'Only GET is supported on the service by the fake.');
      return {
        status: 200,
        body: {
          id: serviceId,
          name: serviceName,
          type: 'Microsoft.ApiManagement/service',
          location: 'West Europe',
          etag: 'AAAAAAAAAAA=',
          sku: { name: 'Developer', capacity: 1 },
          properties: {
            publisherEmail: 'apis@contoso.com',
            publisherName: 'Contoso',
            provisioningState: 'Succeeded',
            gatewayUrl: `https://${serviceName}.azure-api.net`,
            createdAtUtc: timestamp(),
          },
        },
      };
    }
    // long-running operation status
    if (segs.length === 3 && segs[0]!.toLowerCase() === 'tenant' && segs[1]!.toLowerCase() === 'operationresults') {
      const op = operations.get(segs[2]!);
      if (!op) throw new HttpError(404, 'ResourceNotFound', 'Operation not found.');
      if (op.pollsLeft > 0) {
        op.pollsLeft--;
        return { status: 202, body: { id: segs[2], status: 'InProgress' }, headers: { 'retry-after': '0' } };
      }
      return { status: 200, body: { id: segs[2], name: segs[2], status: 'Succeeded', startTime: timestamp(), endTime: timestamp() } };
    }

    const { prefix, inner } = scopeOf(segs);
    if (prefix && !store.get(prefix)) throw notFound('workspaces');
    const colls = inner.filter((_, i) => i % 2 === 0).map((c) => c.toLowerCase());
    const chain = colls.join('/');
    const path = `${prefix}/${inner.join('/')}`;

    // Location polling of a running operation
    const asyncId = query.get('asyncId');
    if (method === 'GET' && asyncId) {
      const op = operations.get(asyncId);
      if (op && op.pollsLeft > 0) {
        op.pollsLeft--;
        return { status: 202, headers: { 'retry-after': '0', location: `${publicBase}${serviceId}${path}?${query.toString()}` } };
      }
    }

    // classic association views
    const viewKey = colls.slice(0, 2).join('/');
    if (inner.length >= 3 && inner.length <= 4 && LINK_VIEWS[viewKey]) return handleLinkView(method, prefix, inner, LINK_VIEWS[viewKey], query);
    if (inner.length >= 3 && inner.length <= 4 && viewKey === 'gateways/apis') return handleAssociation(method, prefix, inner, 'apis', query);
    if (inner.length >= 5 && inner.length <= 6 && chain.startsWith('apis/operations/tags')) return handleAssociation(method, prefix, inner, 'tags', query);

    // POST actions
    if (method === 'POST' && inner.length % 2 === 1 && inner.length >= 3) {
      const ownerPath = `${prefix}/${inner.slice(0, -1).join('/')}`;
      const owner = store.get(ownerPath);
      const action = inner[inner.length - 1]!.toLowerCase();
      if (!owner) throw notFound(colls[colls.length - 2] ?? '');
      const ownerColl = colls[colls.length - 2];
      if (ownerColl === 'namedvalues' && action === 'listvalue') return { status: 200, body: { value: owner.properties.value ?? '' }, headers: { etag: owner.etag } };
      if (ownerColl === 'namedvalues' && action === 'refreshsecret') {
        const headers = startLro(ownerPath, 200);
        return lroMode === 'sync' ? { status: 200, body: resource(owner), headers: { etag: owner.etag } } : { status: 202, headers };
      }
      if (ownerColl === 'subscriptions' && action === 'listsecrets') {
        return { status: 200, body: { primaryKey: owner.properties.primaryKey, secondaryKey: owner.properties.secondaryKey }, headers: { etag: owner.etag } };
      }
      if (ownerColl === 'subscriptions' && (action === 'regenerateprimarykey' || action === 'regeneratesecondarykey')) {
        const field = action === 'regenerateprimarykey' ? 'primaryKey' : 'secondaryKey';
        store.touch(owner, { ...owner.properties, [field]: `${field}-${(++blobSeq).toString(36)}` });
        return { status: 204 };
      }
      if (ownerColl === 'gateways' && action === 'listkeys') return { status: 200, body: { primary: `gw-primary-${owner.name}`, secondary: `gw-secondary-${owner.name}` }, headers: { etag: owner.etag } };
      if (ownerColl === 'backends' && action === 'reconnect') return { status: 202 };
      if (ownerColl === 'policyfragments' && action === 'listreferences') {
        const refs = [...store.all()].filter((e) => collectionOf(e.path) === 'policies' && fragmentReferences(String(e.properties.value ?? '')).some((f) => f.toLowerCase() === owner.name.toLowerCase()));
        return { status: 200, body: { value: refs.map((e) => ({ id: fullId(e.path), name: e.name, type: typeOf(e.path) })), count: refs.length } };
      }
      throw new HttpError(404, 'InvalidResourceType', `The fake does not implement POST ${action}.`);
    }

    // export
    if (method === 'GET' && chain === 'apis' && inner.length === 2 && query.get('export') === 'true') {
      const api = store.get(path);
      if (!api) throw notFound('apis');
      const format = query.get('format') ?? '';
      const resultFormat = EXPORT_RESULT_FORMATS[format];
      if (!resultFormat) throw validation('format', `Export format '${format}' is not supported.`);
      const doc = exportDocument(api.spec, format, () => specFromOperations(api.properties, store.list(`${path}/operations`)));
      if ('error' in doc) throw validation('format', doc.error);
      const token = `b${(++blobSeq).toString(36)}`;
      blobs.set(token, doc.content);
      return { status: 200, body: { id: fullId(path), format: resultFormat, value: { link: `${localUrl}/_blobs/${token}?sig=fake` } } };
    }

    // revisions
    if (method === 'GET' && chain === 'apis/revisions' && inner.length === 3) {
      const root = inner[1]!.toLowerCase();
      if (!store.get(`${prefix}/apis/${inner[1]}`)) throw notFound('apis');
      const revisions = store
        .list(`${prefix}/apis`)
        .filter((e) => e.name.toLowerCase() === root || e.name.toLowerCase().startsWith(`${root};rev=`))
        .map((e) => ({
          apiId: fullId(`${prefix}/apis/${e.name.replace(/;rev=\d+$/i, '')};rev=${e.properties.apiRevision ?? '1'}`),
          apiRevision: String(e.properties.apiRevision ?? '1'),
          createdDateTime: timestamp(),
          updatedDateTime: timestamp(),
          ...(e.properties.apiRevisionDescription ? { description: e.properties.apiRevisionDescription } : {}),
          isOnline: true,
          isCurrent: e.properties.isCurrent !== false,
        }));
      return page(revisions, `${prefix}/apis/${inner[1]}/revisions`, query);
    }

    if (inner.length === 0) throw new HttpError(404, 'InvalidResourceType', 'No resource type at this path.');
    const collectionSegment = inner.length % 2 === 1 ? inner[inner.length - 1]! : inner[inner.length - 2]!;
    if (!ENTITY_NAMES[collectionSegment.toLowerCase()] && !/^(apiLinks|groupLinks|productLinks|operationLinks)$/i.test(collectionSegment)) {
      throw new HttpError(404, 'InvalidResourceType', `The resource type '${collectionSegment}' is not supported by the fake.`);
    }

    // collections
    if (inner.length % 2 === 1) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
      if (inner.length > 1 && !store.get(`${prefix}/${inner.slice(0, -1).join('/')}`)) throw notFound(inner[inner.length - 3] ?? '');
      const items = store.list(path).map((e) => resource(e));
      return page(items, path, query);
    }

    // single resources
    const entry = store.get(path);
    const collection = inner[inner.length - 2]!;
    switch (method) {
      case 'GET': {
        if (!entry) throw notFound(collection);
        const format = query.get('format') === 'rawxml' ? 'rawxml' : 'xml';
        return { status: 200, body: resource(entry, format), headers: { etag: entry.etag } };
      }
      case 'HEAD':
        if (!entry) throw notFound(collection);
        return { status: 200, headers: { etag: entry.etag } };
      case 'PUT':
        return putResource(req, prefix, inner, path, (body ?? {}) as Record<string, unknown>, query);
      case 'PATCH': {
        if (!entry) throw notFound(collection);
        checkIfMatch(req, entry);
        const patch = ((body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, unknown>;
        const updated = store.touch(entry, merge(entry.properties, patch));
        if (chain === 'namedvalues' && lroMode !== 'sync') return { status: 202, headers: startLro(path, 200) };
        return { status: 200, body: resource(updated), headers: { etag: updated.etag } };
      }
      case 'DELETE': {
        if (!entry) return { status: 204 };
        checkIfMatch(req, entry);
        if (chain === 'apis' && query.get('deleteRevisions') === 'true') {
          const root = entry.name.replace(/;rev=\d+$/i, '').toLowerCase();
          for (const e of store.list(`${prefix}/apis`)) if (e.name.toLowerCase().startsWith(`${root};rev=`)) deleteCascade(e.path);
        }
        deleteCascade(entry.path);
        if (chain === 'apis' && lroMode !== 'sync') return { status: 202, headers: startLro(path, 200) };
        return { status: 200 };
      }
      default:
        throw new HttpError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
    }
  }

  function send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...(reply.headers ?? {}), 'x-ms-request-id': `fake-${served}` };
    if (reply.body !== undefined) {
      const text = JSON.stringify(reply.body);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(reply.status, headers);
      res.end(text);
    } else {
      headers['content-length'] = '0';
      res.writeHead(reply.status, headers);
      res.end();
    }
  }

  const errorReply = (status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>): Reply => ({
    status,
    body: { error: { code, message, ...(details ? { details } : {}) } },
    headers,
  });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const text = await readBody(req);

    if (url.pathname.startsWith('/_blobs/')) {
      // export downloads: no ARM latency, but faults apply (path `/_blobs/*`)
      const fault = faults.decide(method, url.pathname, url.searchParams);
      if (fault?.drop) return void req.socket.destroy();
      if (fault?.status) return send(res, errorReply(fault.status, fault.code ?? defaultError(fault.status).code, fault.message ?? defaultError(fault.status).message));
      const content = blobs.get(url.pathname.slice('/_blobs/'.length));
      if (content === undefined) return send(res, { status: 404 });
      blobs.delete(url.pathname.slice('/_blobs/'.length));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(Buffer.byteLength(content)) });
      res.end(content);
      return;
    }
    if (url.pathname === '/_fake/snapshot' && method === 'GET') return send(res, { status: 200, body: store.snapshot() });
    if (url.pathname === '/_fake/stats' && method === 'GET') {
      return send(res, { status: 200, body: { served, meanServerMs: served ? serverMsTotal / served : 0 } });
    }
    if (url.pathname === '/_fake/faults' && method === 'PUT') {
      faults.set(JSON.parse(text || '[]') as FaultRule[]);
      return send(res, { status: 204 });
    }

    served++;
    const rawSegs = url.pathname.split('/').filter((s) => s !== '');
    let segs: string[];
    try {
      segs = rawSegs.map((s) => decodeURIComponent(s));
    } catch {
      return send(res, errorReply(400, 'InvalidRequestUri', 'The request URI is not valid.'));
    }
    const isService =
      segs.length >= 8 &&
      segs[0]!.toLowerCase() === 'subscriptions' &&
      segs[2]!.toLowerCase() === 'resourcegroups' &&
      segs[4]!.toLowerCase() === 'providers' &&
      segs[5]!.toLowerCase() === 'microsoft.apimanagement' &&
      segs[6]!.toLowerCase() === 'service';
    const rel = isService ? `/${segs.slice(8).join('/')}` : url.pathname;

    let reply: Reply | undefined;
    try {
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const fault = faults.decide(method, rel, url.searchParams);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.drop) {
        req.socket.destroy();
        if (record) requests.push({ method, path: rel, query: url.search, status: 0 });
        return;
      }
      if (fault?.status) {
        const def = defaultError(fault.status);
        const headers: Record<string, string> = {};
        if ((fault.status === 429 || fault.status === 503) && (fault.retryAfter ?? 0) >= 0) headers['retry-after'] = String(fault.retryAfter ?? 0);
        reply = errorReply(fault.status, fault.code ?? def.code, fault.message ?? def.message, undefined, headers);
      } else if (
        ((options.requireAuth ?? true) && !/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) ||
        (options.requireToken !== undefined && req.headers.authorization !== `Bearer ${options.requireToken}`)
      ) {
        reply = errorReply(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      } else if (!isService) {
        reply = errorReply(404, 'InvalidResourceType', `The fake ARM serves only Microsoft.ApiManagement service paths, not ${url.pathname}.`);
      } else if (url.searchParams.get('api-version') === null) {
        reply = errorReply(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      } else if (segs[1]!.toLowerCase() !== subscriptionId.toLowerCase() || segs[3]!.toLowerCase() !== resourceGroup.toLowerCase() || segs[7]!.toLowerCase() !== serviceName.toLowerCase()) {
        reply = errorReply(404, 'ResourceNotFound', `The Resource 'Microsoft.ApiManagement/service/${segs[7]}' under resource group '${segs[3]}' was not found.`);
      } else {
        let body: unknown;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            throw new HttpError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
          }
        }
        reply = handleService(method, segs.slice(8), url.searchParams, req, body);
      }
    } catch (err) {
      if (err instanceof HttpError) reply = errorReply(err.status, err.code, err.message, err.details);
      else reply = errorReply(500, 'InternalServerError', `fake ARM bug: ${(err as Error).message}`);
    }
    if (record) requests.push({ method, path: rel, query: url.search, status: reply.status });
    if (method === 'HEAD') reply = { ...reply, body: undefined };
    send(res, reply);
    serverMsTotal += performance.now() - arrived;
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, errorReply(500, 'InternalServerError', String(err)));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  localUrl = `http://127.0.0.1:${port}`;

  return {
    url: localUrl,
    port,
    subscriptionId,
    resourceGroup,
    serviceName,
    serviceId,
    store,
    faults,
    requests,
    requestCount: () => served,
    snapshot: () => store.snapshot(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses a snapshot file's text (JSON, or YAML for hand-written seeds). */
export function parseSnapshot(text: string): FakeSnapshot {
  const doc = (text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text)) as FakeSnapshot;
  if (!doc || !Array.isArray(doc.resources)) throw new Error('a fake ARM snapshot is { "resources": [ { "path", "properties" }, … ] }');
  return doc;
}
