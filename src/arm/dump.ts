/**
 * Live service → `ApimState`: lists every kind (per scope: the service and each workspace), keeps what the
 * selection takes plus what the taken resources depend on (dependency closure), and fetches the details a
 * list does not carry — policies in `rawxml` (list endpoints only give the escaped form), API definitions
 * through export links, links (product→API/group, tag→API/product, gateway→API). Secrets are never asked
 * for (no `listValue`/`listSecrets` call exists here). Every call goes through the limiter; a failure of one
 * resource is recorded and the rest continues, so the caller can report what was and was not extracted.
 */
import { DEPLOYMENT_MARKER_NAME, type ResourceKind } from '../artifacts/kinds.js';
import { emptyState, putResource, type ApimState, type Resource, type SpecificationFormat } from '../artifacts/model.js';
import { operationsFromSpecification } from '../artifacts/specification.js';
import { UserError } from '../shared/errors.js';
import type { ArmClient } from './client.js';
import { armStatus, isTransientArmError, mapArmError } from './errors.js';
import { createAdaptiveLimiter, type AdaptiveLimiter } from './limiter.js';
import { EXPORT_FORMATS, GRAPHQL_SCHEMA, fromArmProperties, linksOf, normaliseNewlines } from './resources.js';

/** What the dump reports while it works (progress output). */
export type DumpEvent =
  | { type: 'listed'; kind: ResourceKind; count: number }
  | { type: 'fetched'; kind: ResourceKind; key: string }
  | { type: 'failed'; kind: ResourceKind; key: string; error: UserError };

export interface DumpFailure {
  kind: ResourceKind;
  key: string;
  error: UserError;
}

export interface DumpOptions {
  /** Whether a resource key is taken by the filter (children are asked about separately). Default: all. */
  selects?: (key: string) => boolean;
  /** Definition format for HTTP APIs (default OpenAPI 3 YAML). */
  specFormat?: Extract<SpecificationFormat, 'openapi+yaml' | 'openapi+json'>;
  /** Runs the calls; default a limiter of `parallelism` (default 8). */
  limiter?: AdaptiveLimiter;
  parallelism?: number;
  /**
   * Add the operations an API definition implies (`fromSpecification`), as the reader does, so a dump
   * compares equal to a folder (diff --live). Extract turns it off: the writer skips them, and parsing
   * every definition costs more CPU than the calls it saves.
   */
  deriveOperations?: boolean;
  /**
   * First wait before repeating a read that failed with a transient error the SDK does not retry (409
   * "operation in progress", 422 ManagementApiRequestFailed; ARM.md §6); doubles, 3 more attempts.
   */
  conflictRetryDelayMs?: number;
  onEvent?: (event: DumpEvent) => void;
}

export interface DumpResult {
  state: ApimState;
  failures: DumpFailure[];
}

/** ARM list/GET item. */
interface ArmItem {
  id?: string;
  name: string;
  properties?: Record<string, unknown>;
}

/** Top-level kinds of a scope and their collections; `serviceOnly` kinds do not exist in workspaces. */
const TOP_LEVEL: readonly { kind: ResourceKind; collection: string; serviceOnly?: boolean }[] = [
  { kind: 'namedValue', collection: 'namedValues' },
  { kind: 'logger', collection: 'loggers' },
  { kind: 'backend', collection: 'backends' },
  { kind: 'policyFragment', collection: 'policyFragments' },
  { kind: 'versionSet', collection: 'apiVersionSets' },
  { kind: 'tag', collection: 'tags' },
  { kind: 'group', collection: 'groups' },
  { kind: 'gateway', collection: 'gateways', serviceOnly: true },
  { kind: 'diagnostic', collection: 'diagnostics' },
  { kind: 'api', collection: 'apis' },
  { kind: 'product', collection: 'products' },
  { kind: 'subscription', collection: 'subscriptions' },
  { kind: 'workspace', collection: 'workspaces', serviceOnly: true },
];

/** Things a resource needs so that the extracted folder publishes on its own. */
interface Needs {
  namedValues: Set<string>;
  fragments: Set<string>;
  backends: Set<string>;
  loggers: Set<string>;
  keys: Set<string>;
}

const newNeeds = (): Needs => ({ namedValues: new Set(), fragments: new Set(), backends: new Set(), loggers: new Set(), keys: new Set() });

/** Collects `{{named value}}` references from any string leaf. */
function scanStrings(value: unknown, needs: Needs): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{([^{}]+)\}\}/g)) needs.namedValues.add(m[1]!.trim());
  } else if (Array.isArray(value)) value.forEach((v) => scanStrings(v, needs));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => scanStrings(v, needs));
}

/** What a policy document refers to: named values, fragments, backends (set-backend-service), loggers. */
export function policyNeeds(text: string, needs: Needs = newNeeds()): Needs {
  scanStrings(text, needs);
  for (const m of text.matchAll(/<include-fragment\b[^>]*\bfragment-id\s*=\s*"([^"]+)"/g)) needs.fragments.add(m[1]!);
  for (const m of text.matchAll(/<set-backend-service\b[^>]*\bbackend-id\s*=\s*"([^"@]+)"/g)) needs.backends.add(m[1]!);
  for (const m of text.matchAll(/<(?:log-to-eventhub|trace)\b[^>]*\blogger-id\s*=\s*"([^"@]+)"/g)) needs.loggers.add(m[1]!);
  return needs;
}

const lastSegment = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/** A failed call, with what it was: the message names the exact path, not just the resource. */
class CallFailure extends Error {
  constructor(
    readonly op: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${op} ${path}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** The HTTP status of a failed call, through the `CallFailure` wrapper. */
function statusOf(err: unknown): number | undefined {
  return armStatus(err instanceof CallFailure ? err.cause : err);
}

/**
 * Export links are fetched outside the SDK pipeline (no ARM token may go to a blob URL), so they get their
 * own small retry: 3 more attempts on 5xx or a network error, 250 ms doubling.
 */
async function downloadWithRetries(download: () => Promise<string>, attempts = 4): Promise<string> {
  for (let i = 1; ; i++) {
    try {
      return await download();
    } catch (err) {
      const status = armStatus(err);
      const transient = !(err instanceof UserError) && (status === undefined || status >= 500 || status === 429);
      if (!transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** (i - 1)));
    }
  }
}

/**
 * Reads the live service into an `ApimState`. Never throws for a single resource's failure: those come
 * back in `failures` (a failed top-level list fails that whole kind).
 */
export async function dumpService(arm: ArmClient, opts: DumpOptions = {}): Promise<DumpResult> {
  const state = emptyState();
  const failures: DumpFailure[] = [];
  const limiter = opts.limiter ?? createAdaptiveLimiter(opts.parallelism ?? 8);
  const options = { ...opts, selects: opts.selects ?? (() => true) };
  const specFormat = options.specFormat ?? 'openapi+yaml';
  const emit = (e: DumpEvent) => options.onEvent?.(e);

  /** The resource is `key`; the call that failed may be one of its parts (a policy, its operations…). */
  const fail = (kind: ResourceKind, key: string, op: string, err: unknown) => {
    const call = err instanceof CallFailure ? err : undefined;
    const error = mapArmError(call ? call.cause : err, { op: call?.op ?? op, kind, name: call?.path ?? key, scope: arm.serviceId });
    failures.push({ kind, key, error });
    emit({ type: 'failed', kind, key, error });
  };

  const conflictDelay = opts.conflictRetryDelayMs ?? 500;
  /** Runs a read in a limiter slot; repeats it on 409/422 "in progress" (the SDK retries 429/5xx itself). */
  const read = async <T>(op: string, path: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await limiter.run(call);
      } catch (err) {
        const status = armStatus(err);
        if ((status === 409 || status === 422) && isTransientArmError(err) && attempt < 4) {
          await new Promise((r) => setTimeout(r, conflictDelay * 2 ** (attempt - 1)));
          continue;
        }
        throw new CallFailure(op, path, err);
      }
    }
  };
  const get = <T>(path: string, query?: Record<string, string>, accept404 = false) =>
    read(query?.export === 'true' ? 'export' : 'get', path, async () => {
      const res = await arm.request<T>('GET', path, { query, accept: accept404 ? [404] : [] });
      return res.status === 404 ? undefined : res.body;
    });
  const list = <T>(path: string) => read('list', path, () => arm.list<T>(path));
  const policyOf = async (ownerKey: string): Promise<string | undefined> => {
    const body = await get<{ properties?: { value?: string } }>(`${ownerKey}/policies/policy`, { format: 'rawxml' }, true);
    const value = body?.properties?.value;
    return typeof value === 'string' ? normaliseNewlines(value) : undefined;
  };

  const workspaceOf = (prefix: string) => (prefix ? prefix.slice('/workspaces/'.length) : undefined);
  const base = (kind: ResourceKind, key: string, name: string, prefix: string, parent?: string) => ({
    kind,
    key,
    name,
    ...(workspaceOf(prefix) ? { workspace: workspaceOf(prefix) } : {}),
    ...(parent ? { parent } : {}),
  });
  const policyKind = (ownerKind: ResourceKind | 'service'): ResourceKind =>
    ownerKind === 'service' ? 'servicePolicy' : ownerKind === 'workspace' ? 'workspacePolicy' : ownerKind === 'api' ? 'apiPolicy' : ownerKind === 'apiOperation' ? 'apiOperationPolicy' : 'productPolicy';
  const addPolicy = (ownerKind: ResourceKind | 'service', ownerKey: string, prefix: string, text: string | undefined) => {
    if (text === undefined) return;
    const key = `${ownerKey}/policies/policy`;
    putResource(state, { ...base(policyKind(ownerKind), key, 'policy', prefix, ownerKey || undefined), properties: {}, policy: { text } } as Resource);
  };

  /** Lists a scope's top-level kinds: key → item, per kind. */
  async function listScope(prefix: string): Promise<Map<string, { kind: ResourceKind; item: ArmItem }>> {
    const found = new Map<string, { kind: ResourceKind; item: ArmItem }>();
    await Promise.all(
      TOP_LEVEL.filter((t) => !(prefix && t.serviceOnly)).map(async ({ kind, collection }) => {
        try {
          const items = await list<ArmItem>(`${prefix}/${collection}`);
          for (const item of items) found.set(`${prefix}/${collection}/${item.name}`, { kind, item });
        } catch (err) {
          // 404 on a whole collection = empty (apiops-cli: tiers without that resource type)
          if (statusOf(err) === 404) return;
          fail(kind, `${prefix}/${collection}`, 'list', err);
        }
      }),
    );
    return found;
  }

  /**
   * Skipped by design (Azure/apiops): system groups and the built-in all-access subscription; and apimops'
   * own deployment marker, which belongs to the service, not to the folder.
   */
  const isBuiltIn = (kind: ResourceKind, item: ArmItem) =>
    (kind === 'namedValue' && item.name === DEPLOYMENT_MARKER_NAME) ||
    (kind === 'group' && (item.properties?.builtIn === true || item.properties?.type === 'system')) ||
    (kind === 'subscription' && (item.name === 'master' || /\/service\/[^/]+\/?$/i.test(String(item.properties?.scope ?? ''))));

  /** Fetches one top-level resource's details into the state; returns what it needs. */
  async function fetchResource(prefix: string, key: string, kind: ResourceKind, item: ArmItem): Promise<Needs> {
    const needs = newNeeds();
    const properties = fromArmProperties(kind, item.properties, arm.serviceId);
    scanStrings(properties, needs);
    const resource: Resource = { ...base(kind, key, item.name, prefix), properties } as Resource;
    for (const ref of ['loggerId', 'apiVersionSetId', 'scope']) {
      const v = properties[ref];
      if (typeof v === 'string' && v.startsWith('/')) needs.keys.add(v);
    }
    const pool = properties.pool as { services?: { id?: string }[] } | undefined;
    for (const s of pool?.services ?? []) if (typeof s.id === 'string') needs.keys.add(s.id);

    // links: sorted target names; links to non-current revisions are not extracted (Azure/apiops)
    const links = linksOf(kind).map(async (link) => {
      let names: string[];
      if (link.linkCollection) {
        const items = await list<ArmItem>(`${key}/${link.linkCollection}`);
        names = items.map((l) => String(l.properties?.[link.linkIdField!] ?? '')).filter(Boolean).map(lastSegment);
      } else {
        const items = await list<ArmItem>(`${key}/${link.field}`);
        names = items.map((l) => l.name);
      }
      properties[link.field] = [...new Set(names.filter((n) => !/;rev=/i.test(n)))].sort();
    });
    const [, productPolicy] = await Promise.all([Promise.all(links), kind === 'product' ? policyOf(key) : undefined]);

    if (kind === 'policyFragment') {
      const body = await get<ArmItem>(key, { format: 'rawxml' });
      const text = normaliseNewlines(String(body?.properties?.value ?? ''));
      resource.properties = fromArmProperties(kind, body?.properties, arm.serviceId);
      resource.policy = { text };
      policyNeeds(text, needs);
    } else if (kind === 'product') {
      addPolicy('product', key, prefix, productPolicy);
      if (productPolicy) policyNeeds(productPolicy, needs);
    } else if (kind === 'api') {
      await fetchApi(prefix, key, item, resource, needs);
    }
    putResource(state, resource);
    emit({ type: 'fetched', kind, key });
    return needs;
  }

  async function fetchSpecification(key: string, item: ArmItem): Promise<Resource['specification'] | undefined> {
    const type = String(item.properties?.type ?? item.properties?.apiType ?? 'http');
    if (type === 'graphql') {
      const schemas = await list<ArmItem>(`${key}/schemas`);
      const sdl = schemas.find((s) => s.properties?.contentType === GRAPHQL_SCHEMA.contentType || s.name === GRAPHQL_SCHEMA.id);
      const doc = (sdl?.properties?.document as { value?: string } | undefined)?.value;
      return typeof doc === 'string' ? { format: 'graphql', content: normaliseNewlines(doc) } : undefined;
    }
    if (type !== 'http' && type !== 'soap') return undefined; // websocket, grpc, odata: operations only
    const format: Exclude<SpecificationFormat, 'graphql'> = type === 'soap' ? 'wsdl' : specFormat;
    let body: Record<string, unknown> | undefined;
    try {
      body = await get<Record<string, unknown>>(key, { export: 'true', format: EXPORT_FORMATS[format] });
    } catch (err) {
      // 400/406: APIM cannot export this API in that format; fall back to operations (operation.yaml)
      if (statusOf(err) === 400 || statusOf(err) === 406) return undefined;
      throw err;
    }
    // spec: value.link; field reports: top-level link, or properties.value.link inside workspaces
    const value = (body?.value ?? (body?.properties as Record<string, unknown> | undefined)?.value) as unknown;
    let content: string;
    if (typeof value === 'string') content = value;
    else {
      const link = (value as { link?: string } | undefined)?.link ?? (body?.link as string | undefined);
      if (!link) throw new Error(`the export of ${key} returned no link`);
      content = await limiter.run(async () => {
        try {
          return await downloadWithRetries(() => arm.download(link));
        } catch (err) {
          throw new CallFailure('export', key, err);
        }
      });
    }
    return { format, content: normaliseNewlines(content) };
  }

  async function fetchApi(prefix: string, key: string, item: ArmItem, resource: Resource, needs: Needs): Promise<void> {
    const [specification, apiPolicy, operations] = await Promise.all([
      fetchSpecification(key, item),
      policyOf(key),
      list<ArmItem>(`${key}/operations`),
    ]);
    if (specification) {
      resource.specification = specification;
      // as the reader does: operations of an API with a definition are derived from it (no operation.yaml)
      const derived = opts.deriveOperations === false ? [] : operationsFromSpecification(specification.format, specification.content);
      for (const op of derived) {
        const opKey = `${key}/operations/${op.name}`;
        putResource(state, { ...base('apiOperation', opKey, op.name, prefix, key), properties: { ...op.properties }, fromSpecification: true } as Resource);
      }
    }
    addPolicy('api', key, prefix, apiPolicy);
    if (apiPolicy) policyNeeds(apiPolicy, needs);
    const isRevision = /;rev=\d+$/i.test(item.name);
    const [, diagnostics, releases] = await Promise.all([
      Promise.all(
        operations
          .filter((op) => options.selects(`${key}/operations/${op.name}`))
          .map(async (op) => {
            const opKey = `${key}/operations/${op.name}`;
            if (!specification) {
              putResource(state, { ...base('apiOperation', opKey, op.name, prefix, key), properties: fromArmProperties('apiOperation', op.properties, arm.serviceId) } as Resource);
            }
            const text = await policyOf(opKey);
            addPolicy('apiOperation', opKey, prefix, text);
            if (text) policyNeeds(text, needs);
          }),
      ),
      list<ArmItem>(`${key}/diagnostics`),
      isRevision ? Promise.resolve([] as ArmItem[]) : list<ArmItem>(`${key}/releases`),
    ]);
    for (const d of diagnostics) {
      const dKey = `${key}/diagnostics/${d.name}`;
      if (!options.selects(dKey)) continue;
      const properties = fromArmProperties('apiDiagnostic', d.properties, arm.serviceId);
      if (typeof properties.loggerId === 'string') needs.keys.add(properties.loggerId);
      putResource(state, { ...base('apiDiagnostic', dKey, d.name, prefix, key), properties } as Resource);
    }
    for (const r of releases) {
      const rKey = `${key}/releases/${r.name}`;
      if (!options.selects(rKey)) continue;
      putResource(state, { ...base('apiRelease', rKey, r.name, prefix, key), properties: fromArmProperties('apiRelease', r.properties, arm.serviceId) } as Resource);
    }
  }

  async function dumpScope(prefix: string): Promise<void> {
    const ownerKind = prefix ? 'workspace' : 'service';
    const [candidates, scopePolicy] = await Promise.all([
      listScope(prefix),
      policyOf(prefix).catch((err: unknown) => {
        fail(prefix ? 'workspacePolicy' : 'servicePolicy', `${prefix}/policies/policy`, 'get', err);
        return undefined;
      }),
    ]);
    addPolicy(ownerKind, prefix, prefix, scopePolicy);
    const rootNeeds = scopePolicy ? policyNeeds(scopePolicy) : newNeeds();

    // A work pool, not phases: every taken resource starts fetching at once (the limiter bounds the calls),
    // so the tail of one kind never leaves the connections idle while another kind waits.
    const taken = new Set<string>();
    const counts = new Map<ResourceKind, number>();
    const pending = new Set<Promise<void>>();
    const workspaces: string[] = [];
    const track = (p: Promise<void>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    const take = (key: string) => {
      const c = candidates.get(key);
      if (!c || taken.has(key) || isBuiltIn(c.kind, c.item)) return;
      taken.add(key);
      const count = (counts.get(c.kind) ?? 0) + 1;
      counts.set(c.kind, count);
      emit({ type: 'listed', kind: c.kind, count });
      if (c.kind === 'workspace') workspaces.push(key);
      track(
        (async () => {
          try {
            resolveNeeds(await fetchResource(prefix, key, c.kind, c.item));
          } catch (err) {
            fail(c.kind, key, c.kind === 'api' ? 'export' : 'get', err);
          }
        })(),
      );
      if (c.kind === 'api' && !/;rev=/i.test(c.item.name)) track(discoverRevisions(key));
    };
    /** Non-current revisions the `/apis` list did not include (the revisions endpoint is authoritative). */
    const discoverRevisions = async (key: string) => {
      try {
        const revisions = await list<{ apiId?: string; isCurrent?: boolean }>(`${key}/revisions`);
        for (const r of revisions) {
          if (r.isCurrent !== false || !r.apiId) continue;
          const name = lastSegment(r.apiId);
          const revKey = `${prefix}/apis/${name}`;
          if (!candidates.has(revKey)) {
            const item = await get<ArmItem>(revKey, undefined, true);
            if (!item) continue;
            candidates.set(revKey, { kind: 'api', item: { ...item, name } });
          }
          if (options.selects(revKey)) take(revKey);
        }
      } catch (err) {
        fail('api', `${key}/revisions`, 'list', err);
      }
    };

    // dependency closure: named values by name or displayName, fragments, backends, loggers, referenced keys
    const resolveNeeds = (needs: Needs) => {
      const scopes = prefix ? [prefix, ''] : [''];
      for (const nv of needs.namedValues) {
        for (const s of scopes) {
          const hit = [...candidates].find(
            ([k, c]) => c.kind === 'namedValue' && k.startsWith(`${s}/namedValues/`) && (c.item.name.toLowerCase() === nv.toLowerCase() || String(c.item.properties?.displayName ?? '').toLowerCase() === nv.toLowerCase()),
          );
          if (hit) {
            take(hit[0]);
            break;
          }
        }
      }
      const byName = (collection: string, names: Set<string>) => {
        for (const n of names) for (const s of scopes) if (candidates.has(`${s}/${collection}/${n}`)) take(`${s}/${collection}/${n}`);
      };
      byName('policyFragments', needs.fragments);
      byName('backends', needs.backends);
      byName('loggers', needs.loggers);
      for (const k of needs.keys) take(k);
    };
    for (const key of [...candidates.keys()]) if (options.selects(key)) take(key);
    resolveNeeds(rootNeeds);
    while (pending.size > 0) await Promise.all([...pending]);
    for (const ws of workspaces) await dumpScope(ws);
  }

  await dumpScope('');
  return { state, failures };
}

/**
 * The live state, or a `UserError` (exit 2) naming everything that could not be read: for `diff --live`
 * and `publish`, where a partial picture of the service would plan wrong changes.
 */
export async function dumpState(arm: ArmClient, opts: DumpOptions = {}): Promise<ApimState> {
  const { state, failures } = await dumpService(arm, opts);
  if (failures.length > 0) {
    const first = failures[0]!.error;
    throw new UserError(first.code === 'E_AUTH' ? 'E_AUTH' : 'E_ARM', `could not read the live service: ${failures.length} resource${failures.length > 1 ? 's' : ''} failed; first: ${first.message}`, {
      cause: first,
      hint: first.hint,
      diagnostics: failures.map((f) => ({ message: `${f.key}: ${f.error.message}`, severity: 'error' as const })),
    });
  }
  return state;
}
