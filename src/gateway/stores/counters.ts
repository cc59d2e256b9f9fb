/**
 * The counter arithmetic shared by every store backend, so memory and Redis answer the same question the
 * same way: a backend only keeps the numbers (buckets of a sliding window, the count of a fixed window)
 * atomically; what they mean (admitted? remaining? retry after?) is computed here.
 */
import { fixedWindowAt, slidingBucketMs, type ConsumeRequest, type CounterState } from './store.js';

/** One bucket of a sliding window: its start (ms) and the units counted in it. */
export type Bucket = readonly [start: number, count: number];

/** What a store is asked to do with a counter. */
export type CounterMode = 'consume' | 'add' | 'peek';

/** Start of the bucket holding `now`. */
export function bucketStart(periodMs: number, now: number): number {
  const size = slidingBucketMs(periodMs);
  return Math.floor(now / size) * size;
}

/** True when a bucket still counts at `now` (it leaves `periodMs` after its start). */
export function bucketAlive(start: number, periodMs: number, now: number): boolean {
  return start + periodMs > now;
}

/** Whether `mode` takes the units given the current `count` (before the call). */
export function shouldTake(mode: CounterMode, count: number, cost: number, limit: number): boolean {
  if (mode === 'peek') return false;
  if (mode === 'add') return true;
  return count + cost <= limit;
}

/**
 * The state of a sliding counter from its live buckets (oldest first, after the call) and whether the call
 * was taken. `retryAfterMs` is how long until enough old buckets leave for a call of `cost` to fit.
 */
export function slidingState(buckets: readonly Bucket[], taken: boolean, req: ConsumeRequest, mode: CounterMode): CounterState {
  const cost = req.cost ?? 1;
  const periodMs = req.window.periodMs;
  let count = 0;
  for (const [, c] of buckets) count += c;
  // The call that comes next must fit: a rejected one is the call itself, an admitted one the next call.
  const need = taken || mode !== 'consume' ? 1 : cost;
  let retryAfterMs = 0;
  if (count + need > req.limit) {
    let left = count;
    retryAfterMs = Number.POSITIVE_INFINITY;
    for (const [start, c] of buckets) {
      left -= c;
      if (left + need <= req.limit) {
        retryAfterMs = Math.max(1, start + periodMs - req.now);
        break;
      }
    }
  }
  const newest = buckets.length ? buckets[buckets.length - 1]![0] : req.now - periodMs;
  return {
    admitted: mode === 'consume' ? taken : count <= req.limit,
    count,
    remaining: Math.max(0, req.limit - count),
    retryAfterMs,
    resetMs: Math.max(0, newest + periodMs - req.now),
  };
}

/** The state of a fixed-window counter from its count (after the call) and whether the call was taken. */
export function fixedState(count: number, taken: boolean, req: ConsumeRequest & { window: { kind: 'fixed' } }, mode: CounterMode): CounterState {
  const { endMs } = fixedWindowAt(req.window, req.now);
  const untilEnd = endMs - req.now;
  return {
    admitted: mode === 'consume' ? taken : count <= req.limit,
    count,
    remaining: Math.max(0, req.limit - count),
    retryAfterMs: count + (taken || mode !== 'consume' ? 1 : req.cost ?? 1) > req.limit ? untilEnd : 0,
    resetMs: untilEnd,
  };
}
