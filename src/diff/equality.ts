/**
 * Per-kind normalisation before two resources are compared. A resource read from the folder and the same
 * resource read back from APIM differ in ways that are not changes: ARM fills in defaults
 * (`apiRevision: "1"`, `state: notPublished`…), adds server fields (`provisioningState`, timestamps),
 * returns full ARM ids where the folder has service-relative ones, reorders set-like arrays (`protocols`),
 * mirrors `authenticationSettings.oAuth2` into a list, and re-indents policy XML. Everything here is one table
 * (`KIND_RULES`) plus a few generic rules, tested on the official ARM examples
 * (`test/diff/equality.fixtures.test.ts`: every Create example's request equals its response).
 */
import type { ResourceKind } from '../artifacts/kinds.js';
import type { Resource } from '../artifacts/model.js';

/** How ARM treats the fields of one kind. */
export interface KindRule {
  /** Values ARM fills in when a field is absent: absent and equal-to-default compare equal. */
  defaults?: Readonly<Record<string, unknown>>;
  /** Arrays whose order ARM does not keep (compared as sorted sets). */
  unordered?: readonly string[];
  /** Read-only or write-only fields that never count as a change (ARM returns or accepts them only sometimes). */
  ignore?: readonly string[];
}

/** Fields no kind ever compares: server-generated, or import-only (the definition is compared separately). */
export const SERVER_FIELDS: readonly string[] = [
  'id',
  'type',
  'name',
  'etag',
  'provisioningState',
  'createdDate',
  'createdDateTime',
  'updatedDateTime',
  'startDate',
  'expirationDate',
  'endDate',
  'notificationDate',
  'isOnline',
  'lastStatus',
  // import-only API properties (`format`/`value` carry the specification, which is compared on its own)
  'format',
  'value@api',
  'wsdlSelector',
  'translateRequiredQueryParameters',
  'sourceApiId',
];

const DEFAULT_KEY_NAMES = { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' };

/**
 * The table: defaults ARM fills in per kind (from the 2024-05-01 examples and spec defaults), set-like arrays,
 * fields to ignore. Add a row when a new kind or a new ARM default shows up as a phantom change.
 */
export const KIND_RULES: Readonly<Partial<Record<ResourceKind, KindRule>>> = {
  api: {
    defaults: {
      apiRevision: '1',
      isCurrent: true,
      type: 'http',
      subscriptionRequired: true,
      subscriptionKeyParameterNames: DEFAULT_KEY_NAMES,
      protocols: ['https'],
    },
    unordered: ['protocols'],
    // `apiVersionSet` is the expanded copy of `apiVersionSetId` that GET returns; `apiType` is the import-time alias of `type`.
    ignore: ['apiVersionSet', 'apiType'],
  },
  // an empty link list and no list are the same relation
  product: { defaults: { subscriptionRequired: true, approvalRequired: false, state: 'notPublished', apis: [], groups: [] }, unordered: ['apis', 'groups'] },
  group: { defaults: { type: 'custom', builtIn: false } },
  namedValue: { defaults: { secret: false, tags: [] }, unordered: ['tags'] },
  logger: { defaults: { isBuffered: true } },
  backend: { defaults: { protocol: 'http', type: 'Single' } },
  policyFragment: { defaults: { format: 'xml' }, ignore: ['format'] },
  subscription: { defaults: { state: 'submitted', allowTracing: false } },
  gateway: { defaults: { apis: [] }, unordered: ['apis'] },
  tag: { defaults: { apis: [], products: [] }, unordered: ['apis', 'products'] },
  apiRelease: {},
  apiOperation: { defaults: { templateParameters: [] } },
  servicePolicy: { ignore: ['format'] },
  workspacePolicy: { ignore: ['format'] },
  apiPolicy: { ignore: ['format'] },
  apiOperationPolicy: { ignore: ['format'] },
  productPolicy: { ignore: ['format'] },
};

/** `/subscriptions/…/providers/Microsoft.ApiManagement/service/<svc>/apis/x` → `/apis/x` (ids in the folder are service-relative). */
export function serviceRelativeId(value: string): string {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+(\/.*)?$/i.exec(value);
  return m ? (m[1] ?? '/') : value;
}

/**
 * Policy XML without whitespace-only differences: line endings, indentation, blank lines and the whitespace
 * between elements do not count; whitespace inside text (expressions, literal values) that does not span a line
 * is kept, so `"a  b"` → `"a b"` is still a change. A fragment's optional `<fragment>` wrapper (xml format adds
 * or strips it) is removed.
 */
export function normalizePolicyXml(xml: string): string {
  let s = xml.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  s = s
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
  s = s.replace(/>\s+</g, '><').replace(/\s*\n\s*/g, ' ');
  // `<x a="1"  b="2" />` vs `<x a="1" b="2"/>`: whitespace inside a tag before `/>` or `>`.
  s = s.replace(/\s+(\/?>)/g, '$1');
  const frag = /^<fragment>([\s\S]*)<\/fragment>$/.exec(s);
  if (frag) s = frag[1]!;
  return s.trim();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Read-only members ARM adds inside nested objects (`keyVault.lastStatus`). */
const NESTED_SERVER_FIELDS = new Set(['lastStatus', 'provisioningState']);

/** Generic value normalisation: nulls, empty objects dropped, ARM ids made service-relative, keys sorted. */
function normalizeValue(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.startsWith('/subscriptions/') ? serviceRelativeId(v) : v;
  if (Array.isArray(v)) return v.map((x) => normalizeValue(x, depth + 1));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (depth > 0 && NESTED_SERVER_FIELDS.has(k)) continue;
      const nv = normalizeValue(v[k], depth + 1);
      if (nv !== undefined) out[k] = nv;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

/**
 * `authenticationSettings` has two shapes that ARM keeps in step: a single `oAuth2`/`openid` and the lists
 * `oAuth2AuthenticationSettings`/`openidAuthenticationSettings`. The canonical form is the lists only.
 */
function normalizeAuthSettings(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = { ...v };
  const pairs: [string, string][] = [
    ['oAuth2', 'oAuth2AuthenticationSettings'],
    ['openid', 'openidAuthenticationSettings'],
  ];
  for (const [single, list] of pairs) {
    if (out[list] === undefined && out[single] !== undefined) out[list] = [out[single]];
    delete out[single];
    if (Array.isArray(out[list]) && (out[list] as unknown[]).length === 0) delete out[list];
  }
  return out;
}

function sortedCopy(a: unknown[]): unknown[] {
  return [...a].sort((x, y) => {
    const sx = JSON.stringify(x);
    const sy = JSON.stringify(y);
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  });
}

/** The comparable form of a resource's `properties`: server fields out, defaults removed, sets sorted. */
export function normalizeProperties(kind: ResourceKind, properties: Record<string, unknown>): Record<string, unknown> {
  const rule = KIND_RULES[kind] ?? {};
  const ignored = new Set<string>();
  for (const f of SERVER_FIELDS) {
    const [field, onlyKind] = f.split('@');
    if (!onlyKind || onlyKind === kind) ignored.add(field!);
  }
  for (const f of rule.ignore ?? []) ignored.add(f);
  const src: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) if (!ignored.has(k)) src[k] = v;
  if (src.authenticationSettings !== undefined) src.authenticationSettings = normalizeAuthSettings(src.authenticationSettings);
  const norm = (normalizeValue(src) as Record<string, unknown> | undefined) ?? {};
  for (const f of rule.unordered ?? []) {
    const v = norm[f];
    if (Array.isArray(v)) norm[f] = sortedCopy(v);
  }
  for (const [field, def] of Object.entries(rule.defaults ?? {})) {
    const d = normalizeValue(def);
    const dv = Array.isArray(d) && rule.unordered?.includes(field) ? sortedCopy(d) : d;
    if (norm[field] !== undefined && (dv === undefined || deepEqual(norm[field], dv))) delete norm[field];
  }
  return norm;
}

/** Structural equality of JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** One field that differs, by dotted path (`properties.serviceUrl`, `policy`, `specification`). */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Options for comparing a resource read from the folder with one from elsewhere. */
export interface CompareOptions {
  /**
   * Secret fields (`SECRET_FIELDS`) absent on one side are unknown, not removed: APIM never returns a secret
   * named value's value, so comparing against the live service cannot tell whether it changed. Default true.
   */
  secretsMayBeHidden?: boolean;
  /** Secret field paths per kind (dotted, relative to `properties`). */
  secretFields?: readonly string[];
}

function getPath(obj: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const seg of dotted.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deletePath(obj: Record<string, unknown>, dotted: string): void {
  const segs = dotted.split('.');
  let cur: unknown = obj;
  for (const seg of segs.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    cur = cur[seg];
  }
  if (isPlainObject(cur)) delete cur[segs[segs.length - 1]!];
}

/** A `{{…}}` reference is how ARM returns a logger's stored credential: not the value the folder holds. */
function isHiddenSecret(v: unknown): boolean {
  if (v === undefined || (typeof v === 'string' && /^\{\{[^}]+\}\}$/.test(v))) return true;
  // logger credentials come back as an object whose secret members are named-value references
  return isPlainObject(v) && Object.values(v).some((x) => typeof x === 'string' && /^\{\{[^}]+\}\}$/.test(x));
}

/** Field-by-field differences between two property objects (already normalised), as dotted paths. */
export function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) diffValues(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/** Parses a specification for a structural comparison (formatting, key order and quoting do not count). */
function comparableSpecification(spec: Resource['specification'], parse: (text: string) => unknown): unknown {
  if (!spec) return undefined;
  if (spec.format === 'openapi+json' || spec.format === 'openapi+yaml') {
    try {
      return normalizeValue(parse(spec.content));
    } catch {
      // not parseable: compare the text, so the change still shows
    }
  }
  return spec.content.replace(/\r\n?/g, '\n').trim();
}

/**
 * Every difference between two versions of one resource (same kind and key), after normalisation.
 * Empty = no change. `parseSpec` turns a YAML/JSON specification into data (injected to keep this pure of I/O).
 */
export function compareResources(
  before: Resource,
  after: Resource,
  opts: CompareOptions & { parseSpec: (text: string) => unknown },
): FieldChange[] {
  const out: FieldChange[] = [];
  const pb = normalizeProperties(before.kind, before.properties);
  const pa = normalizeProperties(after.kind, after.properties);
  if (opts.secretsMayBeHidden !== false) {
    for (const f of opts.secretFields ?? []) {
      if (isHiddenSecret(getPath(pb, f)) || isHiddenSecret(getPath(pa, f))) {
        deletePath(pb, f);
        deletePath(pa, f);
      }
    }
  }
  diffValues(pb, pa, 'properties', out);
  const xb = before.policy ? normalizePolicyXml(before.policy.text) : undefined;
  const xa = after.policy ? normalizePolicyXml(after.policy.text) : undefined;
  if (xb !== xa) {
    const c: FieldChange = { path: 'policy' };
    if (before.policy) c.before = before.policy.text;
    if (after.policy) c.after = after.policy.text;
    out.push(c);
  }
  // The live side of an API has an exported definition only if the dump fetched it: an absent side is unknown.
  if (before.specification && after.specification) {
    const sb = comparableSpecification(before.specification, opts.parseSpec);
    const sa = comparableSpecification(after.specification, opts.parseSpec);
    if (!deepEqual(sb, sa)) out.push({ path: 'specification', before: before.specification.content, after: after.specification.content });
  } else if (!before.specification && after.specification) {
    out.push({ path: 'specification', after: after.specification.content });
  }
  return out;
}
