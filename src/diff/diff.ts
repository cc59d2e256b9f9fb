/**
 * `diffStates(current, target)`: what must happen to `current` so that it equals `target`. Pure: it sees two
 * `ApimState`s, never a file, a git object or an HTTP client, so the same function answers "what did this
 * commit range change", "what differs from the live service" and "what will publish do" (ARCHITECTURE.md).
 */
import { parse as parseYaml } from 'yaml';
import { DEPLOYMENT_MARKER_NAME, RESOURCE_KINDS, SECRET_FIELDS, type ResourceKind } from '../artifacts/kinds.js';
import type { ApimState, Resource } from '../artifacts/model.js';
import { compareResources, type FieldChange } from './equality.js';

/** What happens to one resource. */
export type ChangeOp = 'create' | 'update' | 'delete';

/** One resource to create, update or delete (deck's `crud.Event`). */
export interface Change {
  op: ChangeOp;
  kind: ResourceKind;
  key: string;
  /** The resource as it is now (update, delete). */
  before?: Resource;
  /** The resource as it should be (create, update). */
  after?: Resource;
  /** For updates: the fields that differ (`properties.serviceUrl`, `policy`, `specification`). */
  fields: FieldChange[];
}

/** Counts per operation (`Created/Updated/Deleted` in the text output). */
export interface ChangeSummary {
  created: number;
  updated: number;
  deleted: number;
  total: number;
}

/** Every change between two states, in a deterministic order (kinds in table order, keys sorted). */
export interface ChangeSet {
  changes: Change[];
  summary: ChangeSummary;
}

export { DEPLOYMENT_MARKER_NAME };

/** Options of `diffStates`. */
export interface DiffOptions {
  /** When false, resources only in `current` are not deleted (a publish without --prune). Default true. */
  deletes?: boolean;
  /** See `CompareOptions.secretsMayBeHidden` (default true). */
  secretsMayBeHidden?: boolean;
  /** Resources never managed by apimops (built-in groups, the master subscription, the deployment marker). */
  isUnmanaged?: (resource: Resource) => boolean;
}

/**
 * Built-in resources every APIM instance has, named values APIM generates for logger credentials, and
 * apimops' own deployment marker: present in a live state, never in a folder, never deleted.
 */
export function isBuiltIn(resource: Resource): boolean {
  const p = resource.properties;
  if (resource.kind === 'group' && (p.builtIn === true || p.type === 'system')) return true;
  if (resource.kind === 'subscription' && resource.name === 'master') return true;
  if (resource.kind === 'namedValue' && resource.name === DEPLOYMENT_MARKER_NAME) return true;
  // APIM stores a logger's credentials as a generated named value (`Logger-Credentials-<id>`) and keeps the
  // logger pointing at it: it belongs to the logger, not to the folder (Azure/apiops #592, #491).
  if (resource.kind === 'namedValue' && /^logger-credentials-/i.test(`${resource.properties.displayName ?? resource.name}`)) return true;
  return false;
}

/** Parent API key of an operation key (`/apis/a/operations/o` → `/apis/a`). */
function apiKeyOfOperation(key: string): string {
  return key.replace(/\/operations\/[^/]+$/, '');
}

/**
 * Operations of an API that has a specification are created by importing the specification: they are not
 * diffed one by one (their policies are).
 */
function operationManagedBySpec(r: Resource, current: ApimState, target: ApimState): boolean {
  if (r.kind !== 'apiOperation') return false;
  const apiKey = r.parent ?? apiKeyOfOperation(r.key);
  const api = target.api.get(apiKey) ?? current.api.get(apiKey);
  return Boolean(api?.specification);
}

/** Counts of a list of changes. */
export function summarize(changes: readonly Change[]): ChangeSummary {
  const s = { created: 0, updated: 0, deleted: 0, total: changes.length };
  for (const c of changes) {
    if (c.op === 'create') s.created++;
    else if (c.op === 'update') s.updated++;
    else s.deleted++;
  }
  return s;
}

/**
 * Compares two states. A resource in `target` only is created, in both and different is updated, in
 * `current` only is deleted (unless `deletes: false`). Normalisation rules: `equality.ts`.
 *
 * @example
 * const { changes, summary } = diffStates(liveState, folderState, { deletes: false });
 */
export function diffStates(current: ApimState, target: ApimState, opts: DiffOptions = {}): ChangeSet {
  const unmanaged = opts.isUnmanaged ?? isBuiltIn;
  const changes: Change[] = [];
  for (const kind of RESOURCE_KINDS) {
    const cur = current[kind] as Map<string, Resource>;
    const tgt = target[kind] as Map<string, Resource>;
    const keys = [...new Set([...cur.keys(), ...tgt.keys()])].sort();
    for (const key of keys) {
      const before = cur.get(key);
      const after = tgt.get(key);
      const any = (after ?? before)!;
      if (unmanaged(any) || operationManagedBySpec(any, current, target)) continue;
      if (before && after) {
        const fields = compareResources(before, after, {
          secretsMayBeHidden: opts.secretsMayBeHidden,
          secretFields: SECRET_FIELDS[kind],
          parseSpec: (t) => parseYaml(t) as unknown,
        });
        if (fields.length > 0) changes.push({ op: 'update', kind, key, before, after, fields });
      } else if (after) {
        changes.push({ op: 'create', kind, key, after, fields: [] });
      } else if (before && opts.deletes !== false) {
        changes.push({ op: 'delete', kind, key, before, fields: [] });
      }
    }
  }
  return { changes, summary: summarize(changes) };
}
