/**
 * Bounded parallelism for ARM calls with adaptive back-off: at most `max` tasks run at once; every 429
 * halves the current limit (ARM throttles per principal, so pushing harder only earns longer waits), and
 * every `recoverAfter` successful responses raise it by one again, up to `max` (AIMD, as TCP does).
 */

export interface AdaptiveLimiter {
  /** Runs `task` when a slot is free. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Report a throttled response (429, or 503 with Retry-After). */
  throttled(): void;
  /** Report a successful response. */
  succeeded(): void;
  /** The current limit (for progress output and tests). */
  readonly limit: number;
  /** Tasks running now. */
  readonly active: number;
  /** Highest number of tasks that ran at once. */
  readonly peak: number;
  /** How many times the limit was lowered. */
  readonly backoffs: number;
}

/** Creates a limiter allowing `max` (≥ 1) concurrent tasks. */
export function createAdaptiveLimiter(max: number, options: { recoverAfter?: number } = {}): AdaptiveLimiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`parallelism must be an integer ≥ 1, got ${max}`);
  const recoverAfter = options.recoverAfter ?? 20;
  let limit = max;
  let active = 0;
  let peak = 0;
  let backoffs = 0;
  let successes = 0;
  const queue: (() => void)[] = [];

  const pump = () => {
    while (active < limit && queue.length > 0) {
      active++;
      peak = Math.max(peak, active);
      queue.shift()!();
    }
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
    },
    throttled() {
      const next = Math.max(1, Math.floor(limit / 2));
      if (next < limit) backoffs++;
      limit = next;
      successes = 0;
    },
    succeeded() {
      if (limit >= max) return;
      if (++successes >= recoverAfter) {
        limit++;
        successes = 0;
        pump();
      }
    },
    get limit() {
      return limit;
    },
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
    get backoffs() {
      return backoffs;
    },
  };
}
