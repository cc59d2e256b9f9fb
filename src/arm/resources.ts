/**
 * The kind ⇄ ARM mapping, shared by extract (ARM → model) and publish (model → ARM): which server fields
 * to drop, which references are service-relative in the folder and absolute in ARM, which fields are
 * secret, how links (product→API, tag→product, gateway→API…) are read and written, and how an API
 * definition is imported. Pure functions over data; no I/O.
 */
import { SECRET_FIELDS, type ResourceKind } from '../artifacts/kinds.js';
import type { SpecificationFormat } from '../artifacts/model.js';

/** Server-generated or read-only properties: never written to the folder (ARTIFACT-FORMAT.md "Content"). */
export const SERVER_FIELDS: readonly string[] = [
  'provisioningState',
  'createdDate',
  'createdDateTime',
  'updatedDateTime',
  'isOnline',
  'builtIn',
  'notificationDate',
  'expirationDate',
  'startDate',
  'endDate',
];

/** Per-kind extra fields that are read-only or only meaningful on a write. */
const KIND_SERVER_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  api: ['format', 'value', 'wsdlSelector', 'apiType', 'translateRequiredQueryParameters', 'sourceApiId'],
  apiOperation: ['policies'],
  namedValue: [],
  policyFragment: ['value'],
  servicePolicy: ['value', 'format'],
  workspacePolicy: ['value', 'format'],
  apiPolicy: ['value', 'format'],
  apiOperationPolicy: ['value', 'format'],
  productPolicy: ['value', 'format'],
};

/** A link list inside an owner's YAML and the ARM endpoints behind it. */
export interface LinkSpec {
  owner: ResourceKind;
  /** Property of the owner holding the sorted names (`apis`, `groups`, `products`). */
  field: string;
  /** The linked kind. */
  target: ResourceKind;
  /** Link-resource collection to read the relation from, relative to the owner key (`apiLinks`). */
  linkCollection?: string;
  /** Property of a link resource holding the target's ARM id. */
  linkIdField?: string;
  /** The classic association path for a write: `(ownerKey, scopePrefix, targetName) → key`. */
  assignPath(ownerKey: string, scopePrefix: string, targetName: string): string;
}

/** Every link relation of the folder format (ARTIFACT-FORMAT.md "Links"). */
export const LINKS: readonly LinkSpec[] = [
  { owner: 'product', field: 'apis', target: 'api', linkCollection: 'apiLinks', linkIdField: 'apiId', assignPath: (o, _s, t) => `${o}/apis/${t}` },
  { owner: 'product', field: 'groups', target: 'group', linkCollection: 'groupLinks', linkIdField: 'groupId', assignPath: (o, _s, t) => `${o}/groups/${t}` },
  { owner: 'gateway', field: 'apis', target: 'api', assignPath: (o, _s, t) => `${o}/apis/${t}` },
  { owner: 'tag', field: 'apis', target: 'api', linkCollection: 'apiLinks', linkIdField: 'apiId', assignPath: (o, s, t) => `${s}/apis/${t}/tags/${o.slice(o.lastIndexOf('/') + 1)}` },
  { owner: 'tag', field: 'products', target: 'product', linkCollection: 'productLinks', linkIdField: 'productId', assignPath: (o, s, t) => `${s}/products/${t}/tags/${o.slice(o.lastIndexOf('/') + 1)}` },
];

/** The link specs of one owner kind. */
export function linksOf(kind: ResourceKind): LinkSpec[] {
  return LINKS.filter((l) => l.owner === kind);
}

/** Reference fields: service-relative in the folder, absolute ARM ids on the wire. */
export const REFERENCE_FIELDS: readonly string[] = ['loggerId', 'apiVersionSetId', 'scope', 'sourceApiId', 'apiId', 'productId', 'groupId', 'operationId', 'ownerId'];

/** `{{name}}`: a named-value reference, which is not a secret even where a secret could be. */
const NAMED_VALUE_REF = /^\{\{[^{}]+\}\}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every string leaf of a value. */
function leaves(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (isPlainObject(v)) return Object.values(v).flatMap(leaves);
  return [];
}

/** Deep copy replacing every string that starts with the service id by its service-relative remainder. */
export function relativizeIds(value: unknown, serviceId: string): unknown {
  const lower = serviceId.toLowerCase();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.toLowerCase().startsWith(lower) && (v.length === lower.length || v[lower.length] === '/')) return v.slice(serviceId.length) || '/';
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

/** Removes a secret at a dotted path unless every string under it is a `{{named value}}` reference. */
function dropSecret(props: Record<string, unknown>, dotted: string): void {
  const parts = dotted.split('.');
  let holder: Record<string, unknown> | undefined = props;
  for (const p of parts.slice(0, -1)) {
    const next: unknown = holder?.[p];
    holder = isPlainObject(next) ? next : undefined;
  }
  const last = parts[parts.length - 1]!;
  if (!holder || !(last in holder)) return;
  const value = holder[last];
  if (isPlainObject(value)) {
    // e.g. logger credentials: keep the reference entries, drop literal keys.
    for (const [k, v] of Object.entries(value)) {
      const ls = leaves(v);
      if (ls.length === 0 || !ls.every((s) => NAMED_VALUE_REF.test(s))) delete value[k];
    }
    if (Object.keys(value).length === 0) delete holder[last];
    return;
  }
  const ls = leaves(value);
  if (ls.length > 0 && ls.every((s) => NAMED_VALUE_REF.test(s))) return;
  delete holder[last];
}

/**
 * ARM `properties` → the folder's properties for a kind: server fields dropped, ids service-relative,
 * secrets removed (a secret named value keeps `secret: true` and loses its value; subscription keys,
 * literal backend/logger credentials go; `{{named value}}` references stay, they are not secrets).
 */
export function fromArmProperties(kind: ResourceKind, properties: Record<string, unknown> | undefined, serviceId: string): Record<string, unknown> {
  const props = relativizeIds(properties ?? {}, serviceId) as Record<string, unknown>; // a deep copy
  for (const f of [...SERVER_FIELDS, ...(KIND_SERVER_FIELDS[kind] ?? [])]) delete props[f];
  if (kind === 'namedValue') {
    if (props.secret === true) delete props.value;
    if (isPlainObject(props.keyVault)) delete props.keyVault.lastStatus;
  }
  for (const path of SECRET_FIELDS[kind] ?? []) {
    if (kind === 'namedValue') continue; // handled above: only secret ones lose their value
    dropSecret(props, path);
  }
  for (const [k, v] of Object.entries(props)) if (v === null) delete props[k];
  return props;
}

/**
 * The folder's properties → ARM `properties` for a PUT: references made absolute, link lists removed
 * (they are written as separate association calls, see `LINKS`).
 */
export function toArmProperties(kind: ResourceKind, properties: Record<string, unknown>, serviceId: string): Record<string, unknown> {
  const props = structuredClone(properties);
  for (const link of linksOf(kind)) delete props[link.field];
  const absolutize = (v: unknown): unknown => (typeof v === 'string' && v.startsWith('/') && !v.toLowerCase().startsWith('/subscriptions/') ? `${serviceId}${v === '/' ? '/' : v}` : v);
  for (const f of REFERENCE_FIELDS) if (f in props) props[f] = absolutize(props[f]);
  const pool = props.pool as { services?: { id?: string }[] } | undefined;
  if (pool && Array.isArray(pool.services)) for (const s of pool.services) if (s && typeof s.id === 'string') s.id = absolutize(s.id) as string;
  return props;
}

/** The ARM body of a policy PUT (ARM.md §4: always rawxml, as Azure/apiops does). */
export function policyBody(text: string): { properties: { format: 'rawxml'; value: string } } {
  return { properties: { format: 'rawxml', value: text } };
}

/** The ARM import `format` of a specification format (`PUT /apis/x` with `format` + `value`). */
export const IMPORT_FORMATS: Readonly<Record<Exclude<SpecificationFormat, 'graphql'>, string>> = {
  'openapi+yaml': 'openapi',
  'openapi+json': 'openapi+json',
  wsdl: 'wsdl',
};

/** The export `format` of a specification format (`GET /apis/x?export=true&format=…`). */
export const EXPORT_FORMATS: Readonly<Record<Exclude<SpecificationFormat, 'graphql'>, string>> = {
  'openapi+yaml': 'openapi-link',
  'openapi+json': 'openapi+json-link',
  wsdl: 'wsdl-link',
};

/** GraphQL SDL lives in the API schema `graphql` (Azure/apiops `getGraphQlSpecificationContents`). */
export const GRAPHQL_SCHEMA = { id: 'graphql', contentType: 'application/vnd.ms-azure-apim.graphql.schema' } as const;

/** Normalises line endings (ARTIFACT-FORMAT.md: policy XML as APIM returns it, only line endings normalised). */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
