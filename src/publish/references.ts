/**
 * What a resource depends on: the edges publish orders by, on top of the kind levels of
 * `DEPENDENCY_ORDER`. Policy XML is scanned for the references APIOps got wrong (ANCHORS.md §3.2, §7 item 7):
 * `{{named value}}`, `include-fragment fragment-id`, `set-backend-service backend-id`, `log-to-eventhub
 * logger-id`, and the semantic-cache `embeddings-backend-id`. Properties give the rest: `apiVersionSetId`,
 * `loggerId`, `scope`, `apiId`, backend pool members, product/gateway/tag link lists, logger credentials.
 */
import type { ApimState, Resource } from '../artifacts/model.js';
import { serviceRelativeId } from '../diff/equality.js';

/** A reference found in a resource, before it is resolved to a key. */
export interface Reference {
  kind: 'namedValue' | 'policyFragment' | 'backend' | 'logger' | 'key';
  /** A name (named value display name or name, fragment/backend/logger id) or, for `key`, a resource key. */
  target: string;
}

const NAMED_VALUE = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const ATTRIBUTE_REFS: readonly [RegExp, Reference['kind']][] = [
  [/<include-fragment\b[^>]*\bfragment-id\s*=\s*"([^"]+)"/g, 'policyFragment'],
  [/<set-backend-service\b[^>]*\bbackend-id\s*=\s*"([^"]+)"/g, 'backend'],
  [/<log-to-eventhub\b[^>]*\blogger-id\s*=\s*"([^"]+)"/g, 'logger'],
  // azure-openai-semantic-cache-lookup / llm-semantic-cache-lookup: the embeddings backend
  [/<[a-z-]*semantic-cache-lookup\b[^>]*\bembeddings-backend-id\s*=\s*"([^"]+)"/g, 'backend'],
];

/** References in a policy document's text. Expressions (`@(...)`) are not references and are skipped. */
export function policyReferences(xml: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of xml.matchAll(NAMED_VALUE)) refs.push({ kind: 'namedValue', target: m[1]! });
  for (const [re, kind] of ATTRIBUTE_REFS) {
    for (const m of xml.matchAll(re)) {
      const target = m[1]!;
      if (!target.startsWith('@')) refs.push({ kind, target });
    }
  }
  return refs;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** The workspace-or-service prefix of a key: `/workspaces/a/apis/b` → `/workspaces/a`, `/apis/b` → ''. */
function scopePrefix(key: string): string {
  const m = /^(\/workspaces\/[^/]+)\//.exec(key);
  return m ? m[1]! : '';
}

/** References from a resource's properties and policy. */
export function resourceReferences(r: Resource): Reference[] {
  const refs: Reference[] = [];
  const p = r.properties;
  const prefix = scopePrefix(r.key);
  const asKey = (v: unknown) => {
    if (typeof v === 'string' && v.startsWith('/')) refs.push({ kind: 'key', target: serviceRelativeId(v) });
  };
  if (r.policy) refs.push(...policyReferences(r.policy.text));
  asKey(p.apiVersionSetId);
  asKey(p.loggerId);
  asKey(p.scope);
  asKey(p.apiId);
  asKey(p.sourceApiId);
  const pool = (p.pool as { services?: { id?: unknown }[] } | undefined)?.services;
  if (Array.isArray(pool)) for (const s of pool) asKey(s?.id);
  const links: [string, string][] = [
    ['apis', 'apis'],
    ['groups', 'groups'],
    ['products', 'products'],
  ];
  if (r.kind === 'product' || r.kind === 'gateway' || r.kind === 'tag') {
    for (const [field, collection] of links) {
      const list = p[field];
      if (Array.isArray(list)) for (const name of list) if (typeof name === 'string') refs.push({ kind: 'key', target: `${prefix}/${collection}/${name}` });
    }
  }
  // logger credentials and any other property may name a named value: `{{Logger-Credentials-…}}`
  for (const s of strings(p)) for (const m of s.matchAll(NAMED_VALUE)) refs.push({ kind: 'namedValue', target: m[1]! });
  // a revision `a;rev=2` needs its API `a`
  const rev = /^(.*\/apis\/[^/;]+);rev=[^/]+$/.exec(r.key);
  if (rev) refs.push({ kind: 'key', target: rev[1]! });
  return refs;
}

/** Looks up named values by display name (what `{{…}}` uses) and by name, per scope. */
export interface ReferenceIndex {
  resolve(from: Resource, ref: Reference): string | undefined;
}

/** Builds a resolver over a state: `{{x}}` → the named value whose displayName (or name) is x, workspace first. */
export function referenceIndex(state: ApimState): ReferenceIndex {
  const byDisplay = new Map<string, string>();
  for (const nv of state.namedValue.values()) {
    const prefix = scopePrefix(nv.key);
    const display = typeof nv.properties.displayName === 'string' ? nv.properties.displayName : nv.name;
    byDisplay.set(`${prefix}|${display}`, nv.key);
    if (!byDisplay.has(`${prefix}|${nv.name}`)) byDisplay.set(`${prefix}|${nv.name}`, nv.key);
  }
  const collection: Record<Exclude<Reference['kind'], 'key' | 'namedValue'>, string> = {
    policyFragment: 'policyFragments',
    backend: 'backends',
    logger: 'loggers',
  };
  return {
    resolve(from, ref) {
      const prefix = scopePrefix(from.key);
      if (ref.kind === 'key') return ref.target;
      if (ref.kind === 'namedValue') return byDisplay.get(`${prefix}|${ref.target}`) ?? byDisplay.get(`|${ref.target}`);
      const local = `${prefix}/${collection[ref.kind]}/${ref.target}`;
      return prefix ? local : `/${collection[ref.kind]}/${ref.target}`;
    },
  };
}

/** Keys a resource depends on in a state (resolved references plus its parent). */
export function dependenciesOf(r: Resource, index: ReferenceIndex): string[] {
  const out = new Set<string>();
  if (r.parent) out.add(r.parent);
  for (const ref of resourceReferences(r)) {
    const key = index.resolve(r, ref);
    if (key && key !== r.key) out.add(key);
  }
  return [...out];
}
