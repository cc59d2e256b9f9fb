/**
 * The state that `serve` keeps between requests: rate-limit and quota counters and cache entries.
 *
 * One interface, two backends (Miniflare's `Storage` model, STYLE.md A2): `MemoryStore` (per process, the
 * default: like APIM's self-hosted gateway without an external cache, every replica counts on its own) and
 * `RedisStore` (`--store redis://…`: every replica shares one counter). Both pass the same contract suite
 * (`test/stores/contract.ts`).
 *
 * Contract:
 * - Every method is atomic for its key: two concurrent `consume` calls never both take the last call.
 * - `now` is always the caller's clock (`Clock`), never the server's, so tests are deterministic on both
 *   backends and replicas on one machine agree.
 * - Keys are opaque strings; a store namespaces them itself (`apimops:<namespace>:…` in Redis).
 * - Values come back as fresh strings; an expired value or counter window is never returned.
 * - A store that cannot reach its backend rejects with `StoreUnavailableError`; policies turn that into
 *   `serve.storeFailure` behaviour (`closed`: 500, the default; `open`: let the request through).
 */

/** Milliseconds since the epoch. Injected everywhere time matters (Miniflare v2 `Clock`). */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/**
 * How a counter's calls age out.
 * - `sliding`: the calls of the last `periodMs` count (rate-limit, rate-limit-by-key). Counted in buckets of
 *   `periodMs / SLIDING_BUCKETS` (at least 1 ms), so a call leaves the window within one bucket of `periodMs`.
 * - `fixed`: windows of `periodMs` aligned to `anchorMs` (quota, quota-by-key `first-period-start`);
 *   `periodMs = 0` means one window forever (APIM's `renewal-period="0"`).
 */
export type CounterWindow =
  | { kind: 'sliding'; periodMs: number }
  | { kind: 'fixed'; periodMs: number; anchorMs: number };

/** Number of buckets a sliding window is split into: the precision of `retryAfterMs`. */
export const SLIDING_BUCKETS = 60;

/** A request to take `cost` from a counter limited to `limit` per window. */
export interface ConsumeRequest {
  limit: number;
  /** Units to take (APIM `increment-count`), default 1. */
  cost?: number;
  window: CounterWindow;
  now: number;
}

/** What a counter looks like after a `consume`/`add`/`peek`. */
export interface CounterState {
  /** True when the units were taken (the count stayed within `limit`). Rejected calls are not counted. */
  admitted: boolean;
  /** Units counted in the current window, after this call. */
  count: number;
  /** `limit - count`, never below 0 (`remaining-calls-header-name`). */
  remaining: number;
  /**
   * Milliseconds until the counter can admit again (sliding: until enough old calls leave the window;
   * fixed: until the window ends, `Infinity` for a lifetime window). 0 when it can admit now.
   */
  retryAfterMs: number;
  /** Milliseconds until the current fixed window ends (sliding: informational only, at most `periodMs`). */
  resetMs: number;
}

/** One store backend. */
export interface Store {
  /** `memory` or `redis`: shown in `serve`'s start-up line and traces. */
  readonly kind: 'memory' | 'redis';
  /** Takes `cost` units if the window still has room; never counts a rejected call. */
  consume(key: string, request: ConsumeRequest): Promise<CounterState>;
  /**
   * Adds `amount` units unconditionally (bandwidth after a response, increments decided after the response)
   * and returns the state against `limit`.
   */
  add(key: string, request: ConsumeRequest): Promise<CounterState>;
  /** Reads a counter without changing it (`cost` is the size of the call being considered). */
  peek(key: string, request: ConsumeRequest): Promise<CounterState>;
  /** A cached value, or `undefined` when absent or expired. */
  getValue(key: string, now: number): Promise<string | undefined>;
  /** Stores a value for `ttlMs` (> 0) milliseconds. */
  setValue(key: string, value: string, ttlMs: number, now: number): Promise<void>;
  /** Removes a value; removing an absent value is not an error. */
  deleteValue(key: string): Promise<void>;
  /** Releases connections and timers. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** The store's backend cannot be reached (Redis down, connection refused, timed out). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'StoreUnavailableError';
  }
}

/** What a policy does when the store is unavailable (`serve.storeFailure`). Default `closed`. */
export type StoreFailureMode = 'open' | 'closed';

/** Bucket size of a sliding window (see `CounterWindow`). */
export function slidingBucketMs(periodMs: number): number {
  return Math.max(1, Math.ceil(periodMs / SLIDING_BUCKETS));
}

/**
 * The fixed window containing `now`: its index and end. Windows before the anchor count as window 0
 * (APIM's default anchor is year 1, so every real time is after it).
 */
export function fixedWindowAt(window: { periodMs: number; anchorMs: number }, now: number): { index: number; endMs: number } {
  if (window.periodMs <= 0) return { index: 0, endMs: Number.POSITIVE_INFINITY };
  const index = Math.max(0, Math.floor((now - window.anchorMs) / window.periodMs));
  return { index, endMs: window.anchorMs + (index + 1) * window.periodMs };
}
