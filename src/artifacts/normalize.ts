/**
 * The canonical form of a resource's `properties`: what the folder holds. Both the reader and the writer go
 * through it, so read → write → read is the identity whatever a file or the live service contained.
 */
import type { ResourceKind } from './kinds.js';

/** Server-generated fields never written to a folder (ARTIFACT-FORMAT.md "Content of a YAML file"). */
const SERVER_FIELDS_ALL = ['id', 'etag', 'provisioningState', 'createdDate', 'createdDateTime', 'updatedDateTime'];
const SERVER_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  api: ['isOnline', 'format', 'value'],
  group: ['builtIn'],
  subscription: ['startDate', 'endDate', 'notificationDate'],
  namedValue: ['keyVault.lastStatus'],
  // The XML of policies and fragments is `Resource.policy`, not a property.
  servicePolicy: ['value', 'format'],
  workspacePolicy: ['value', 'format'],
  apiPolicy: ['value', 'format'],
  apiOperationPolicy: ['value', 'format'],
  productPolicy: ['value', 'format'],
  policyFragment: ['value'],
};

/** Link lists (sorted names inside the owner's file). */
export const LINK_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  product: ['apis', 'groups'],
  gateway: ['apis'],
  tag: ['apis', 'products', 'operations'],
};

/**
 * `/subscriptions/…/service/<svc>/apis/a` → `/apis/a`; service-relative ids are returned unchanged.
 * Case of the fixed ARM prefix is ignored (ARM treats it case-insensitively).
 */
export function toServiceRelativeId(id: string): string {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+(\/.*)?$/i.exec(id);
  return m ? (m[1] ?? '/') : id;
}

/** Properties holding ids of other resources, written service-relative (ARTIFACT-FORMAT.md). */
const ID_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  api: ['apiVersionSetId', 'sourceApiId'],
  diagnostic: ['loggerId'],
  apiDiagnostic: ['loggerId'],
  apiRelease: ['apiId'],
  subscription: ['scope'],
};

/** The list of server fields stripped for a kind (dotted paths). */
export function serverFieldsOf(kind: ResourceKind): readonly string[] {
  return [...SERVER_FIELDS_ALL, ...(SERVER_FIELDS[kind] ?? [])];
}

const SERVER_PATHS = new Map<ResourceKind, readonly string[][]>();

/** `serverFieldsOf` split into paths, once per kind (normalizing runs once per resource of a folder). */
function serverPathsOf(kind: ResourceKind): readonly string[][] {
  let paths = SERVER_PATHS.get(kind);
  if (!paths) SERVER_PATHS.set(kind, (paths = serverFieldsOf(kind).map((p) => p.split('.'))));
  return paths;
}

/**
 * Returns canonical properties: server fields and `null`s removed (ARM returns `null` for unset fields),
 * ids of other resources service-relative, link lists sorted and de-duplicated. Never mutates its input.
 */
export function normalizeProperties(kind: ResourceKind, properties: Record<string, unknown>): Record<string, unknown> {
  const out = dropNulls(properties) as Record<string, unknown>;
  for (const path of serverPathsOf(kind)) deletePath(out, path);
  for (const field of ID_FIELDS[kind] ?? []) {
    if (typeof out[field] === 'string') out[field] = toServiceRelativeId(out[field] as string);
  }
  const pool = out.pool as { services?: unknown } | undefined;
  if (kind === 'backend' && pool && Array.isArray(pool.services)) {
    for (const s of pool.services as { id?: unknown }[]) if (s && typeof s.id === 'string') s.id = toServiceRelativeId(s.id);
  }
  for (const field of LINK_FIELDS[kind] ?? []) {
    const list = out[field];
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) {
      out[field] = [...new Set(list as string[])].sort(compareStrings);
    }
  }
  return out;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropNulls(v);
    return out;
  }
  return value;
}

function deletePath(obj: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const next = obj[head];
  if (next && typeof next === 'object' && !Array.isArray(next)) {
    deletePath(next as Record<string, unknown>, rest);
    if (Object.keys(next).length === 0) delete obj[head];
  }
}

/** Code-unit order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with every object's keys sorted (arrays keep their order). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(compareStrings)) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
