/**
 * The publish plan: a `ChangeSet` cut into levels. Creates and updates run top-down, deletes bottom-up
 * (deck's `order.go`), levels taken from one table (`DEPENDENCY_ORDER`) and pushed further down by the
 * dependencies resources really have (`references.ts`): a policy that uses a new named value and a new
 * fragment runs a level after both; a backend pool after its member backends; a product that links a new API
 * after that API. Deletes come after every write, so a policy stops using a named value before the named
 * value goes. A renamed resource (its display name or path taken by a resource of another name) is the
 * exception: its old self is deleted right before its successor is written, because APIM rejects two named
 * values with one display name or two APIs on one path (the 409 APIOps users hit on a folder rename).
 * Pure: `--dry-run` prints exactly this.
 */
import { DEPENDENCY_ORDER, type ResourceKind } from '../artifacts/kinds.js';
import type { ApimState, Resource } from '../artifacts/model.js';
import type { Change, ChangeSet } from '../diff/diff.js';
import { UserError } from '../shared/errors.js';
import { dependenciesOf, referenceIndex } from './references.js';

/** One change with its place in the plan. */
export interface PlanStep {
  change: Change;
  /** Keys of other planned changes this one waits for (its predecessors in the plan). */
  after: string[];
  /** For the delete of a renamed resource: the key of its successor (created right after). */
  renamedTo?: string;
}

/** A set of steps that do not depend on each other: they run in parallel, then a barrier. */
export interface PlanLevel {
  phase: 'write' | 'delete';
  /** Printed heading: `level 2`, `delete level 1`, `renames before level 2`. */
  label: string;
  steps: PlanStep[];
}

/** A change set cut into levels, in execution order. */
export interface Plan {
  levels: PlanLevel[];
  changeSet: ChangeSet;
}

const BASE_LEVEL = new Map<ResourceKind, number>();
DEPENDENCY_ORDER.forEach((kinds, i) => kinds.forEach((k) => BASE_LEVEL.set(k, i)));
const MAX_BASE = DEPENDENCY_ORDER.length - 1;

function baseLevel(kind: ResourceKind): number {
  return BASE_LEVEL.get(kind) ?? MAX_BASE;
}

/** What must stay unique among siblings of a kind: a create that shares it with a delete is a rename. */
const RENAME_IDENTITY: Partial<Record<ResourceKind, (p: Record<string, unknown>) => unknown>> = {
  namedValue: (p) => p.displayName,
  api: (p) => (p.path === undefined ? undefined : `${String(p.path)}|${String(p.apiVersion ?? '')}`),
  product: (p) => p.displayName,
  group: (p) => p.displayName,
  tag: (p) => p.displayName,
  versionSet: (p) => p.displayName,
};

function parentOf(r: Resource): string {
  return r.parent ?? r.key.replace(/\/[^/]+\/[^/]+$/, '');
}

/**
 * Pairs each deleted resource with the write that takes its place: a create or an update that gives another
 * resource the display name (or path) the deleted one holds now — a folder rename, as APIM sees it. The
 * delete must run before that write. Only identities APIM keeps unique count: a renamed backend or fragment
 * has no such constraint, so it is created first and deleted after its users moved away, like any delete.
 */
export function findRenames(changes: readonly Change[]): Map<string, string> {
  const renames = new Map<string, string>();
  const writes = changes.filter((c) => c.op !== 'delete' && !c.key.includes(';rev='));
  const taken = new Set<string>();
  for (const del of changes) {
    if (del.op !== 'delete' || del.key.includes(';rev=') || !del.before) continue;
    const before = del.before;
    const identity = RENAME_IDENTITY[del.kind];
    const idBefore = identity?.(before.properties);
    const match = writes.find((c) => {
      const after = c.after!;
      if (c.kind !== del.kind || taken.has(c.key) || parentOf(after) !== parentOf(before)) return false;
      return idBefore !== undefined && idBefore === identity?.(after.properties);
    });
    if (match) {
      renames.set(del.key, match.key);
      taken.add(match.key);
    }
  }
  return renames;
}

/**
 * Writes that take over an identity another write gives up (named value `A` renamed `B` while `C` becomes
 * `A`): `[from, to]` edges, `to` waits for `from`. A swap between two resources is a cycle, reported as one.
 */
function identityEdges(changes: readonly Change[]): [string, string][] {
  const edges: [string, string][] = [];
  const updates = changes.filter((c) => c.op === 'update' && c.before && c.after);
  for (const w of changes) {
    if (w.op === 'delete' || !w.after) continue;
    const identity = RENAME_IDENTITY[w.kind];
    const id = identity?.(w.after.properties);
    if (id === undefined) continue;
    for (const u of updates) {
      if (u.key === w.key || u.kind !== w.kind || parentOf(u.before!) !== parentOf(w.after)) continue;
      if (identity!(u.before!.properties) === id && identity!(u.after!.properties) !== id) edges.push([u.key, w.key]);
    }
  }
  return edges;
}

/**
 * Longest-path levels over a dependency graph: level(n) = max(base(n), 1 + level(each predecessor)).
 * A cycle is a user error naming it.
 */
function assignLevels(nodes: Map<string, { base: number; preds: string[] }>): Map<string, number> {
  const level = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (key: string): number => {
    const known = level.get(key);
    if (known !== undefined) return known;
    const at = visiting.indexOf(key);
    if (at >= 0) {
      const cycle = [...visiting.slice(at), key].join(' → ');
      throw new UserError('E_ARTIFACT', `dependency cycle: ${cycle}`, {
        hint:
          'a fragment that includes itself or backend pools that contain each other cannot be published; two named values ' +
          'swapping display names (or two APIs swapping paths) must be published in two commits, through a temporary name',
      });
    }
    visiting.push(key);
    const node = nodes.get(key)!;
    let l = node.base;
    for (const p of node.preds) if (nodes.has(p)) l = Math.max(l, visit(p) + 1);
    visiting.pop();
    level.set(key, l);
    return l;
  };
  for (const key of [...nodes.keys()].sort()) visit(key);
  return level;
}

/**
 * Cuts a change set into levels.
 *
 * @param current the state the changes apply to (its references order the deletes)
 * @param target the state after the changes (its references order the writes)
 */
export function planChanges(changeSet: ChangeSet, current: ApimState, target: ApimState): Plan {
  const writes = changeSet.changes.filter((c) => c.op !== 'delete');
  const deletes = changeSet.changes.filter((c) => c.op === 'delete');
  const renames = findRenames(changeSet.changes);

  // writes: predecessors are what the new version references
  const targetIndex = referenceIndex(target);
  const writeNodes = new Map<string, { base: number; preds: string[] }>();
  const writeKeys = new Set(writes.map((c) => c.key));
  for (const c of writes) {
    const preds = dependenciesOf(c.after!, targetIndex).filter((k) => writeKeys.has(k));
    writeNodes.set(c.key, { base: baseLevel(c.kind), preds });
  }
  for (const [from, to] of identityEdges(writes)) writeNodes.get(to)!.preds.push(from);
  const writeLevel = assignLevels(writeNodes);

  // deletes: a resource goes after everything (being deleted) that references it in the current state
  const currentIndex = referenceIndex(current);
  const deleteKeys = new Set(deletes.filter((c) => !renames.has(c.key)).map((c) => c.key));
  const dependents = new Map<string, string[]>();
  for (const c of deletes) {
    if (!deleteKeys.has(c.key)) continue;
    for (const dep of dependenciesOf(c.before!, currentIndex)) {
      if (!deleteKeys.has(dep)) continue;
      dependents.set(dep, [...(dependents.get(dep) ?? []), c.key]);
    }
  }
  const deleteNodes = new Map<string, { base: number; preds: string[] }>();
  for (const c of deletes) {
    if (!deleteKeys.has(c.key)) continue;
    deleteNodes.set(c.key, { base: MAX_BASE - baseLevel(c.kind), preds: dependents.get(c.key) ?? [] });
  }
  const deleteLevel = assignLevels(deleteNodes);

  const levels: PlanLevel[] = [];
  const maxWrite = Math.max(-1, ...writeLevel.values());
  const createdAt = new Map<string, number>();
  for (const [del, succ] of renames) createdAt.set(del, writeLevel.get(succ) ?? 0);
  for (let l = 0; l <= maxWrite; l++) {
    const renameSteps: PlanStep[] = deletes
      .filter((c) => createdAt.get(c.key) === l)
      .map((c) => ({ change: c, after: [], renamedTo: renames.get(c.key)! }));
    if (renameSteps.length > 0) levels.push({ phase: 'delete', label: `renames before level ${l}`, steps: renameSteps });
    const steps = writes
      .filter((c) => writeLevel.get(c.key) === l)
      .map((c) => ({ change: c, after: writeNodes.get(c.key)!.preds }));
    if (steps.length > 0) levels.push({ phase: 'write', label: `level ${l}`, steps });
  }
  const maxDelete = Math.max(-1, ...deleteLevel.values());
  for (let l = 0; l <= maxDelete; l++) {
    const steps = deletes
      .filter((c) => deleteLevel.get(c.key) === l)
      .map((c) => ({ change: c, after: deleteNodes.get(c.key)!.preds }));
    if (steps.length > 0) levels.push({ phase: 'delete', label: `delete level ${l}`, steps });
  }
  for (const level of levels) level.steps.sort((a, b) => (a.change.key < b.change.key ? -1 : a.change.key > b.change.key ? 1 : 0));
  return { levels, changeSet };
}
