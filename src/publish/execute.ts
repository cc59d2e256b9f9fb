/**
 * Runs a plan: each level with at most `parallelism` steps in flight and a barrier before the next level
 * (deck's `Syncer.Run`); named-value writes one at a time (APIM re-validates every policy that uses a named
 * value on each write, and concurrent writes collide — Azure/apiops serialises them too); transient failures
 * (429, 409 "operation in progress", 412, 5xx) retried with exponential back-off honouring Retry-After. A
 * level with a failed step finishes its other steps and the run stops there: the result says what was done
 * and what was not, and running the same publish again completes it (every step is an idempotent PUT or
 * DELETE).
 */
import type { Change } from '../diff/diff.js';
import type { Plan, PlanStep } from './plan.js';

/** Performs one step against the target (ARM in production: `src/arm/apply.ts`). */
export interface StepApplier {
  apply(change: Change): Promise<void>;
}

/** What an applier's error may carry (an SDK `RestError`, or one mapped from it). */
interface ErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** Progress events, for reporters (plain lines, ink, JSON). */
export type ExecuteEvent =
  | { type: 'level'; label: string; steps: number }
  | { type: 'start'; step: PlanStep }
  | { type: 'retry'; step: PlanStep; attempt: number; delayMs: number; reason: string }
  | { type: 'done'; step: PlanStep; ms: number }
  | { type: 'failed'; step: PlanStep; error: unknown };

/** Options of `executePlan`. */
export interface ExecuteOptions {
  /** Steps in flight at once within a level (≥ 1). */
  parallelism: number;
  /** Attempts per step including the first (default 6). */
  maxAttempts?: number;
  /** First back-off delay; doubles per attempt, capped at `maxDelayMs` (defaults 1 s / 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests: waits `ms` (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Injected clock for step timings (default performance.now). */
  now?: () => number;
  onEvent?: (e: ExecuteEvent) => void;
}

/** A step that failed for good (after retries), with what it threw. */
export interface StepFailure {
  step: PlanStep;
  error: unknown;
}

/** What a run did: the input for the "what was and was not done" report. */
export interface ExecuteResult {
  done: PlanStep[];
  failed: StepFailure[];
  /** Steps never started because an earlier level failed. */
  notRun: PlanStep[];
  /** True when every step succeeded. */
  complete: boolean;
}

function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    out.push(cur as ErrorLike);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

/**
 * Whether a failure is worth retrying: throttling (429), a concurrent operation on the same entity (409
 * "in progress", `PessimisticConcurrencyConflict`, 409/422 `ManagementApiRequestFailed`), a lost race on an
 * ETag (412), and server errors (Azure/apiops `CommonRetryPolicy` retries the same set).
 */
export function retryReason(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    const s = e.statusCode;
    const text = `${e.code ?? ''} ${e.message ?? ''}`;
    if (s === 429) return '429 throttled';
    if (s === 412) return '412 precondition failed';
    if (s === 409 && /in progress|PessimisticConcurrency|ManagementApiRequestFailed/i.test(text)) return '409 operation in progress';
    if (s === 422 && /ManagementApiRequestFailed/i.test(text)) return '422 ManagementApiRequestFailed';
    if (s !== undefined && s >= 500 && s !== 501 && s !== 505) return `${s} server error`;
  }
  return undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  for (const e of errorChain(err)) {
    if (typeof e.retryAfterSeconds === 'number') return e.retryAfterSeconds * 1000;
    const headers = (e as { response?: { headers?: { get?: (n: string) => string | undefined } } }).response?.headers;
    const v = headers?.get?.('retry-after');
    if (v !== undefined && Number.isFinite(Number(v))) return Number(v) * 1000;
  }
  return undefined;
}

/** A one-slot lock: named-value writes queue on it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function runBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Executes a plan with `applier`.
 *
 * @example
 * const result = await executePlan(plan, armApplier, { parallelism: 8, onEvent: reporter.event });
 * if (!result.complete) { print(result.done, result.failed, result.notRun); exit(1); }
 */
export async function executePlan(plan: Plan, applier: StepApplier, opts: ExecuteOptions): Promise<ExecuteResult> {
  if (!Number.isInteger(opts.parallelism) || opts.parallelism < 1) {
    throw new RangeError(`parallelism must be an integer ≥ 1 (got ${opts.parallelism})`);
  }
  const maxAttempts = opts.maxAttempts ?? 6;
  const base = opts.baseDelayMs ?? 1000;
  const cap = opts.maxDelayMs ?? 30_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? (() => performance.now());
  const emit = opts.onEvent ?? (() => {});
  const namedValues = new Mutex();
  const result: ExecuteResult = { done: [], failed: [], notRun: [], complete: false };

  const attempt = async (step: PlanStep): Promise<void> => {
    for (let n = 1; ; n++) {
      try {
        await applier.apply(step.change);
        return;
      } catch (err) {
        const reason = retryReason(err);
        if (!reason || n >= maxAttempts) throw err;
        const delayMs = Math.min(cap, Math.max(retryAfterMs(err) ?? 0, base * 2 ** (n - 1)));
        emit({ type: 'retry', step, attempt: n, delayMs, reason });
        await sleep(delayMs);
      }
    }
  };

  for (let i = 0; i < plan.levels.length; i++) {
    const level = plan.levels[i]!;
    emit({ type: 'level', label: level.label, steps: level.steps.length });
    const failedBefore = result.failed.length;
    await runBounded(level.steps, opts.parallelism, async (step) => {
      emit({ type: 'start', step });
      const t0 = now();
      try {
        const run = () => attempt(step);
        await (step.change.kind === 'namedValue' && step.change.op !== 'delete' ? namedValues.run(run) : run());
        result.done.push(step);
        emit({ type: 'done', step, ms: now() - t0 });
      } catch (error) {
        result.failed.push({ step, error });
        emit({ type: 'failed', step, error });
      }
    });
    if (result.failed.length > failedBefore) {
      for (const later of plan.levels.slice(i + 1)) result.notRun.push(...later.steps);
      return result;
    }
  }
  result.complete = true;
  return result;
}
