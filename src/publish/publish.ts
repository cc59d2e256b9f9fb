/**
 * The publish service: two states in, a plan out, and (unless it is a dry run) the plan applied. The CLI
 * decides where the states come from (a commit range, or the folder against the live service); this file
 * decides what is published from them, so `diff`, `publish --dry-run` and `publish` cannot disagree.
 *
 * - Commit range (`--from A --to B`): current = folder at A + overrides at A, target = folder at B +
 *   overrides at B. Both sides carry overrides, so a commit that changes only `configuration.prod.yaml`
 *   publishes what it changed; resources deleted between A and B are deleted.
 * - Live (no `--from`): current = the live service, target = the folder + overrides; deletes only with
 *   `--prune` (the resources it would delete are listed either way).
 */
import type { ApimState } from '../artifacts/model.js';
import { diffStates, type Change, type ChangeSet } from '../diff/diff.js';
import { executePlan, type ExecuteEvent, type ExecuteResult, type StepApplier } from './execute.js';
import { planChanges, type Plan } from './plan.js';
import { resolveSecrets, type PlaceholderSource } from './secrets.js';

/** `range`: two commits; `live`: the folder against the live service. */
export type PublishMode = 'range' | 'live';

/** Options of `preparePublish`. */
export interface PrepareOptions {
  mode: PublishMode;
  /** Live mode: delete what the folder no longer has. */
  prune?: boolean;
}

/** What a publish would do. */
export interface PreparedPublish {
  plan: Plan;
  changeSet: ChangeSet;
  /** Live mode without --prune: resources only the service has (deleted with --prune). */
  prunable: Change[];
}

/**
 * Diffs and plans (pure). In range mode both sides are fully known, so secret values are compared too (an
 * override that changes a `{#TOKEN#}` name is a change); against the live service a secret APIM does not
 * return is unknown, not different.
 */
export function preparePublish(current: ApimState, target: ApimState, opts: PrepareOptions): PreparedPublish {
  const full = diffStates(current, target, { deletes: true, secretsMayBeHidden: opts.mode === 'live' });
  const deletesAllowed = opts.mode === 'range' || opts.prune === true;
  const prunable = deletesAllowed ? [] : full.changes.filter((c) => c.op === 'delete');
  const changeSet: ChangeSet = deletesAllowed
    ? full
    : diffStates(current, target, { deletes: false, secretsMayBeHidden: opts.mode === 'live' });
  return { plan: planChanges(changeSet, current, target), changeSet, prunable };
}

/** Options of `applyPublish`. */
export interface ApplyOptions {
  parallelism: number;
  env: NodeJS.ProcessEnv;
  /** Files where `{#TOKEN#}` placeholders are written (to point at a missing one). */
  placeholderSources?: readonly PlaceholderSource[];
  onEvent?: (e: ExecuteEvent) => void;
  /** Executor tuning (tests inject a sleep). */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Fills secrets (throws before any write when one is missing), then executes the plan level by level.
 * Steps of the plan are replaced by their secret-filled versions; the plan's shape is unchanged.
 */
export async function applyPublish(prepared: PreparedPublish, applier: StepApplier, opts: ApplyOptions): Promise<ExecuteResult> {
  const resolved = withSecrets(prepared.plan, opts.env, opts.placeholderSources ?? []);
  return executePlan(resolved, applier, {
    parallelism: opts.parallelism,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.baseDelayMs !== undefined ? { baseDelayMs: opts.baseDelayMs } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  });
}

/** The plan with every step's change secret-filled; throws (nothing written yet) when a secret is missing. */
export function withSecrets(plan: Plan, env: NodeJS.ProcessEnv, sources: readonly PlaceholderSource[]): Plan {
  const steps = plan.levels.flatMap((l) => l.steps);
  const filled = resolveSecrets(
    steps.map((s) => s.change),
    env,
    sources,
  );
  let i = 0;
  return {
    ...plan,
    levels: plan.levels.map((l) => ({ ...l, steps: l.steps.map((s) => ({ ...s, change: filled[i++]! })) })),
  };
}
