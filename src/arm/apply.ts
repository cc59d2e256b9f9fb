/**
 * The writes of `publish`: one planned change → the ARM calls that make it so, through the SDK client's
 * pipeline (auth, retries honouring Retry-After, request ids) created by `createArmClient`.
 *
 * Why raw requests on the SDK pipeline rather than the typed operations: the folder holds ARM's `properties`
 * verbatim, and the typed models flatten and rename them (`type` vs `apiType`/`soapApiType`) and drop
 * fields they do not know. Long-running operations (API, named value, fragment PUT; API DELETE) are polled
 * here the way `@azure/core-lro` does: `Azure-AsyncOperation` status, else `Location` until it stops answering
 * 202, else the resource's `provisioningState` (real APIM often answers 200/201 + `InProgress`, ARM.md §2).
 *
 * Per kind:
 * - policies: `{ properties: { format: "rawxml", value } }` (never `xml`: expressions must stay unescaped);
 * - APIs: the definition is imported in the same PUT (`format` + `value`: `openapi` for YAML, `openapi+json`
 *   or `swagger-json` for JSON, `wsdl` with `apiType: soap`; GraphQL SDL goes to the `graphql` schema); a
 *   changed `apiRevision` of the current API creates `<api>;rev=<n>` and a release that makes it current;
 * - products, gateways, tags: the link lists (`apis`, `groups`, `products`) become link PUTs/DELETEs; in
 *   workspaces the named link resources are used, and an existing link to the same API under another link
 *   name is deleted first (APIM rejects the duplicate);
 * - secret named values being updated without a value (the value lives only in APIM) are PATCHed, so the
 *   stored secret is kept;
 * - deletes send `If-Match: *`; a 404 means already gone (deleting an API takes its children with it).
 */
import { DEPLOYMENT_MARKER_NAME } from '../artifacts/kinds.js';
import type { Resource } from '../artifacts/model.js';
import type { Change } from '../diff/diff.js';
import type { ArmClient, ArmResponse } from './client.js';
import { mapArmError } from './errors.js';
import { toArmProperties } from './resources.js';

/** Options of `createArmApplier`. */
export interface ArmApplierOptions {
  /** Poll interval for long-running operations when the server sends no Retry-After (default 1000 ms). */
  pollIntervalMs?: number;
  /** Upper bound on one long-running operation (default 10 minutes). */
  lroTimeoutMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Called for every ARM call made (for counts in the summary and the benchmark). */
  onCall?: (method: string, path: string) => void;
}

/** Performs planned changes against one APIM service. */
export interface ArmApplier {
  apply(change: Change): Promise<void>;
  /** ARM calls made so far (writes, polls, link calls). */
  readonly calls: number;
}

/** Link lists inside the owner (ARTIFACT-FORMAT.md): written as link calls, never as properties. */
const LINK_FIELDS: Readonly<Record<string, readonly string[]>> = {
  product: ['apis', 'groups'],
  gateway: ['apis'],
  tag: ['apis', 'products'],
};

const POLICY_KINDS = new Set(['servicePolicy', 'workspacePolicy', 'apiPolicy', 'apiOperationPolicy', 'productPolicy']);

function workspacePrefix(key: string): string {
  return /^(\/workspaces\/[^/]+)\//.exec(key)?.[1] ?? '';
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The ARM `format` for an API definition. */
export function importFormat(spec: NonNullable<Resource['specification']>): string {
  switch (spec.format) {
    case 'openapi+yaml':
      return 'openapi';
    case 'openapi+json':
      return /"swagger"\s*:/.test(spec.content.slice(0, 2000)) ? 'swagger-json' : 'openapi+json';
    case 'wsdl':
      return 'wsdl';
    case 'graphql':
      return 'graphql';
  }
}

/**
 * Creates the applier for `arm`.
 *
 * @example
 * const applier = createArmApplier(createArmClient(target, env));
 * await executePlan(plan, applier, { parallelism: 8 });
 */
export function createArmApplier(arm: ArmClient, opts: ArmApplierOptions = {}): ArmApplier {
  const pollMs = opts.pollIntervalMs ?? 1000;
  const timeoutMs = opts.lroTimeoutMs ?? 10 * 60_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let calls = 0;

  async function call<T = unknown>(
    method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST',
    path: string,
    options: { body?: unknown; query?: Record<string, string | undefined>; ifMatch?: string; accept?: number[] } = {},
  ): Promise<ArmResponse<T>> {
    calls++;
    opts.onCall?.(method, path);
    return arm.request<T>(method, path, options);
  }

  /** The service-relative path and query of an absolute ARM URL (a poll URL the service handed out). */
  function relative(url: string): { path: string; query: Record<string, string> } | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    const at = decodeURIComponent(u.pathname).toLowerCase().indexOf(arm.serviceId.toLowerCase());
    if (at < 0) return undefined;
    const path = decodeURIComponent(u.pathname).slice(at + arm.serviceId.length) || '/';
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) if (k !== 'api-version') query[k] = v;
    return { path, query };
  }

  function retryAfterMs(r: ArmResponse): number {
    const v = r.headers['retry-after'];
    return v !== undefined && Number.isFinite(Number(v)) ? Math.min(Number(v) * 1000, 10_000) : pollMs;
  }

  /** Waits for a long-running write to finish; throws the operation's error when it failed. */
  async function settle(first: ArmResponse, resourcePath: string): Promise<void> {
    const state = (b: unknown) => (b as { properties?: { provisioningState?: string } } | undefined)?.properties?.provisioningState;
    const running = first.status === 202 || /^(InProgress|Creating|Updating|Deleting|Accepted|Running)$/i.test(state(first.body) ?? '');
    if (!running) return;
    const asyncOp = first.headers['azure-asyncoperation'];
    const location = first.headers.location;
    const deadline = Date.now() + timeoutMs;
    let last = first;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`long-running operation on ${resourcePath} did not finish in ${timeoutMs / 1000} s`);
      await sleep(retryAfterMs(last));
      if (asyncOp && relative(asyncOp)) {
        const { path, query } = relative(asyncOp)!;
        last = await call('GET', path, { query });
        const body = last.body as { status?: string; error?: { code?: string; message?: string } } | undefined;
        const status = body?.status;
        if (status && /^(Failed|Canceled|Cancelled)$/i.test(status)) {
          throw Object.assign(new Error(`The long-running operation has failed. ${body?.error?.code ?? ''}. ${body?.error?.message ?? ''}`), {
            code: body?.error?.code,
          });
        }
        if ((status && /^Succeeded$/i.test(status)) || (!status && last.status !== 202)) return;
      } else if (location && relative(location)) {
        const { path, query } = relative(location)!;
        last = await call('GET', path, { query, accept: [404] });
        if (last.status !== 202) return;
      } else {
        last = await call('GET', resourcePath, { accept: [404] });
        if (last.status === 404 || !/^(InProgress|Creating|Updating|Deleting)$/i.test(state(last.body) ?? '')) return;
      }
    }
  }

  async function put(path: string, properties: Record<string, unknown>): Promise<void> {
    const r = await call('PUT', path, { body: { properties } });
    await settle(r, path);
  }

  async function del(path: string, query?: Record<string, string>): Promise<void> {
    const r = await call('DELETE', path, { ifMatch: '*', accept: [404], ...(query ? { query } : {}) });
    if (r.status !== 404) await settle(r, path);
  }

  /** Properties as ARM takes them: link lists out, service-relative ids expanded (the kind mapping extract shares). */
  function armProperties(r: Resource): Record<string, unknown> {
    return toArmProperties(r.kind, r.properties, arm.serviceId);
  }

  async function writeLinks(c: Change): Promise<void> {
    const after = c.after!;
    const ws = workspacePrefix(c.key);
    for (const field of LINK_FIELDS[c.kind] ?? []) {
      const want = new Set(stringList(after.properties[field]));
      const had = new Set(stringList(c.before?.properties[field]));
      const added = [...want].filter((n) => !had.has(n)).sort();
      const removed = [...had].filter((n) => !want.has(n)).sort();
      for (const name of added) await linkCall(c.kind, c.key, ws, field, name, 'add');
      for (const name of removed) await linkCall(c.kind, c.key, ws, field, name, 'remove');
    }
  }

  /**
   * One link. Service level: the classic association endpoints (`/products/p/apis/a`, `/apis/a/tags/t`).
   * Workspaces only have named link resources (`/workspaces/w/products/p/apiLinks/<name>`): the link is
   * named after its target, and an existing link to the same target under another name is removed first.
   */
  async function linkCall(kind: string, ownerKey: string, ws: string, field: string, name: string, op: 'add' | 'remove'): Promise<void> {
    const owner = ownerKey.split('/').pop()!;
    if (!ws) {
      let path: string;
      let body: unknown;
      if (kind === 'tag') path = `/${field}/${name}/tags/${owner}`;
      else path = `${ownerKey}/${field}/${name}`;
      if (kind === 'gateway') body = { properties: { provisioningState: 'created' } };
      if (op === 'add') await call('PUT', path, body === undefined ? {} : { body });
      else await call('DELETE', path, { accept: [404] });
      return;
    }
    const linkCollection = `${ownerKey}/${field === 'apis' ? 'apiLinks' : field === 'groups' ? 'groupLinks' : 'productLinks'}`;
    const idField = field === 'apis' ? 'apiId' : field === 'groups' ? 'groupId' : 'productId';
    const targetId = `${arm.serviceId}${ws}/${field}/${name}`.toLowerCase();
    calls++;
    opts.onCall?.('GET', linkCollection);
    const existing = await arm.list<{ name?: string; properties?: Record<string, unknown> }>(linkCollection);
    const same = existing.filter((l) => String(l.properties?.[idField] ?? '').toLowerCase() === targetId);
    if (op === 'remove') {
      for (const l of same) await call('DELETE', `${linkCollection}/${l.name}`, { accept: [404] });
      return;
    }
    if (same.some((l) => l.name === name)) return;
    for (const l of same) await call('DELETE', `${linkCollection}/${l.name}`, { accept: [404] });
    await call('PUT', `${linkCollection}/${name}`, { body: { properties: { [idField]: `${arm.serviceId}${ws}/${field}/${name}` } } });
  }

  async function writeApi(c: Change): Promise<void> {
    const after = c.after!;
    const props = armProperties(after);
    const spec = after.specification;
    const revision = typeof props.apiRevision === 'string' ? props.apiRevision : undefined;
    const beforeRevision = c.before?.properties.apiRevision;
    const isRevisionSwitch =
      c.op === 'update' && !c.key.includes(';rev=') && revision !== undefined && beforeRevision !== undefined && String(beforeRevision) !== revision && props.isCurrent !== false;
    const body: Record<string, unknown> = { ...props };
    delete body.isCurrent; // read-only on PUT: a revision becomes current through a release
    if (spec && spec.format !== 'graphql') {
      body.format = importFormat(spec);
      body.value = spec.content;
      if (spec.format === 'wsdl' && body.type === 'soap') body.apiType = 'soap';
    }
    if (isRevisionSwitch) {
      // APIOps semantics (ANCHORS.md §3.3): the new revision is created from the current one, then released.
      const revKey = `${c.key};rev=${revision}`;
      await put(revKey, { ...body, sourceApiId: `${arm.serviceId}${c.key}`, apiRevision: revision });
      await call('PUT', `${c.key}/releases/apimops-rev-${revision}`, {
        body: { properties: { apiId: `${arm.serviceId}${revKey}`, notes: 'Made current by apimops publish' } },
      });
    } else {
      await put(c.key, body);
    }
    if (spec?.format === 'graphql') {
      const r = await call('PUT', `${c.key}/schemas/graphql`, {
        body: { properties: { contentType: 'application/vnd.ms-azure-apim.graphql.schema', document: { value: spec.content } } },
      });
      await settle(r, `${c.key}/schemas/graphql`);
    }
  }

  async function writeNamedValue(c: Change): Promise<void> {
    const props = armProperties(c.after!);
    const kv = props.keyVault as { secretIdentifier?: unknown } | undefined;
    if (c.op === 'update' && props.secret === true && props.value === undefined && !kv?.secretIdentifier) {
      const r = await call('PATCH', c.key, { body: { properties: props }, ifMatch: '*' });
      await settle(r, c.key);
      return;
    }
    await put(c.key, props);
  }

  async function apply(c: Change): Promise<void> {
    const r = (c.after ?? c.before)!;
    if (c.op === 'delete') {
      if (c.kind === 'product') return del(c.key, { deleteSubscriptions: 'true' });
      if (c.kind === 'api' && !c.key.includes(';rev=')) return del(c.key, { deleteRevisions: 'true' });
      return del(c.key);
    }
    const after = c.after!;
    if (POLICY_KINDS.has(c.kind)) return put(c.key, { format: 'rawxml', value: after.policy?.text ?? '' });
    if (c.kind === 'policyFragment') return put(c.key, { ...armProperties(after), format: 'rawxml', value: after.policy?.text ?? '' });
    if (c.kind === 'api') return writeApi(c);
    if (c.kind === 'namedValue') return writeNamedValue(c);
    await put(c.key, armProperties(r));
    if (LINK_FIELDS[c.kind]) await writeLinks(c);
  }

  return {
    get calls() {
      return calls;
    },
    async apply(c: Change): Promise<void> {
      try {
        await apply(c);
      } catch (err) {
        throw mapArmError(err, { op: c.op === 'delete' ? 'delete' : 'put', kind: c.kind, name: c.key, scope: arm.serviceId });
      }
    },
  };
}

/**
 * Where publish records the last deployed commit: a plain named value in the service itself
 * (`apimops-last-deployed`, tagged `apimops`), so every pipeline and every machine reads the same answer
 * with the same permissions publish already has. A named value rather than an Azure resource tag on the
 * service because writing service tags needs rights on the `Microsoft.ApiManagement/service` resource (and a
 * PATCH of it), while named values are inside the APIM data plane publish writes anyway. `diff` ignores it.
 */
export const DEPLOYMENT_MARKER = `/namedValues/${DEPLOYMENT_MARKER_NAME}`;

/** What the marker holds. */
export interface DeploymentRecord {
  commit: string;
  /** ISO time of the publish. */
  at?: string;
}

/** Writes the marker after a complete publish (a long-running named-value PUT, polled like any other). */
export async function recordDeployment(arm: ArmClient, record: DeploymentRecord, opts: ArmApplierOptions = {}): Promise<void> {
  const properties = {
    displayName: DEPLOYMENT_MARKER_NAME,
    value: record.at ? `${record.commit} ${record.at}` : record.commit,
    secret: false,
    tags: ['apimops'],
  };
  await createArmApplier(arm, opts).apply({
    op: 'create',
    kind: 'namedValue',
    key: DEPLOYMENT_MARKER,
    after: { kind: 'namedValue', key: DEPLOYMENT_MARKER, name: DEPLOYMENT_MARKER_NAME, properties },
    fields: [],
  });
}

/** Parses a marker value (`<commit> <iso time>`). */
export function parseDeploymentRecord(value: unknown): DeploymentRecord | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const [commit, at] = value.trim().split(/\s+/);
  return commit ? { commit, ...(at ? { at } : {}) } : undefined;
}

/** Reads the marker; undefined when the service has never been published by apimops. */
export async function readDeployment(arm: ArmClient): Promise<DeploymentRecord | undefined> {
  try {
    const r = await arm.request<{ properties?: { value?: unknown } }>('GET', DEPLOYMENT_MARKER, { accept: [404] });
    if (r.status === 404) return undefined;
    return parseDeploymentRecord(r.body?.properties?.value);
  } catch (err) {
    throw mapArmError(err, { op: 'get', kind: 'namedValue', name: DEPLOYMENT_MARKER, scope: arm.serviceId });
  }
}
