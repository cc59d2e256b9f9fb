/**
 * The in-process store (the default of `serve`). Like APIM's self-hosted gateway without an external cache,
 * each process counts on its own: three replicas admit three times a limit (the design notes' incident).
 */
import {
  bucketAlive,
  bucketStart,
  fixedState,
  shouldTake,
  slidingState,
  type Bucket,
  type CounterMode,
} from './counters.js';
import { fixedWindowAt, systemClock, type Clock, type ConsumeRequest, type CounterState, type Store } from './store.js';

interface SlidingEntry {
  kind: 'sliding';
  buckets: [number, number][];
  periodMs: number;
}
interface FixedEntry {
  kind: 'fixed';
  index: number;
  count: number;
  endMs: number;
}
interface ValueEntry {
  value: string;
  expiresAt: number;
}

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** Used only to sweep expired entries; every operation takes its own `now`. */
  clock?: Clock;
  /** Most cached values kept; the least recently used go first. Default 10 000. */
  maxValues?: number;
}

/** Sweep expired counters after this many writes, so an idle key does not live forever. */
const SWEEP_EVERY = 4096;

/**
 * A `Store` in a `Map`. Operations complete synchronously (the returned promises are already settled), so
 * check-and-take is atomic without locks.
 *
 * @example
 * const store = new MemoryStore({ clock: () => fakeNow });
 * await store.consume('rl:alice', { limit: 100, window: { kind: 'sliding', periodMs: 60_000 }, now: fakeNow });
 */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, SlidingEntry | FixedEntry>();
  private readonly values = new Map<string, ValueEntry>();
  private readonly clock: Clock;
  private readonly maxValues: number;
  private writes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxValues = options.maxValues ?? 10_000;
  }

  consume(key: string, request: ConsumeRequest): Promise<CounterState> {
    return Promise.resolve(this.counter(key, request, 'consume'));
  }
  add(key: string, request: ConsumeRequest): Promise<CounterState> {
    return Promise.resolve(this.counter(key, request, 'add'));
  }
  peek(key: string, request: ConsumeRequest): Promise<CounterState> {
    return Promise.resolve(this.counter(key, request, 'peek'));
  }

  /** The synchronous core of `consume`/`add`/`peek`. */
  counter(key: string, req: ConsumeRequest, mode: CounterMode): CounterState {
    const cost = req.cost ?? 1;
    if (mode !== 'peek' && ++this.writes % SWEEP_EVERY === 0) this.sweep(req.now);
    if (req.window.kind === 'sliding') {
      const periodMs = req.window.periodMs;
      const id = `s:${periodMs}:${key}`;
      let entry = this.counters.get(id) as SlidingEntry | undefined;
      if (!entry) {
        entry = { kind: 'sliding', buckets: [], periodMs };
        if (mode !== 'peek') this.counters.set(id, entry);
      }
      const b = entry.buckets;
      while (b.length && !bucketAlive(b[0]![0], periodMs, req.now)) b.shift();
      let count = 0;
      for (const [, c] of b) count += c;
      const taken = shouldTake(mode, count, cost, req.limit);
      if (taken) {
        const start = bucketStart(periodMs, req.now);
        const last = b[b.length - 1];
        if (last && last[0] === start) last[1] += cost;
        else b.push([start, cost]);
      }
      return slidingState(b as readonly Bucket[], taken, req, mode);
    }
    const window = req.window;
    const { index, endMs } = fixedWindowAt(window, req.now);
    const id = `f:${window.periodMs}:${window.anchorMs}:${key}`;
    let entry = this.counters.get(id) as FixedEntry | undefined;
    if (!entry || entry.index !== index) {
      entry = { kind: 'fixed', index, count: 0, endMs };
      if (mode !== 'peek') this.counters.set(id, entry);
    }
    const taken = shouldTake(mode, entry.count, cost, req.limit);
    if (taken) entry.count += cost;
    return fixedState(entry.count, taken, { ...req, window }, mode);
  }

  getValue(key: string, now: number): Promise<string | undefined> {
    const entry = this.values.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= now) {
      this.values.delete(key);
      return Promise.resolve(undefined);
    }
    // Map order is insertion order: re-inserting marks the entry most recently used.
    this.values.delete(key);
    this.values.set(key, entry);
    return Promise.resolve(entry.value);
  }

  setValue(key: string, value: string, ttlMs: number, now: number): Promise<void> {
    this.values.delete(key);
    if (ttlMs > 0) this.values.set(key, { value, expiresAt: now + ttlMs });
    while (this.values.size > this.maxValues) {
      const oldest = this.values.keys().next().value;
      if (oldest === undefined) break;
      this.values.delete(oldest);
    }
    return Promise.resolve();
  }

  deleteValue(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.counters.clear();
    this.values.clear();
    return Promise.resolve();
  }

  /** Drops counters whose windows have passed and values that expired. */
  private sweep(now: number = this.clock()): void {
    for (const [id, entry] of this.counters) {
      if (entry.kind === 'fixed' ? entry.endMs <= now : !entry.buckets.some(([s]) => bucketAlive(s, entry.periodMs, now))) {
        this.counters.delete(id);
      }
    }
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
  }
}
