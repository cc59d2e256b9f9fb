/**
 * The shared store: `serve --store redis://host:port` (the only file that imports `ioredis`).
 *
 * Several `serve` processes on one Redis see one counter per key, as APIM does once an external cache is
 * attached. Each check-and-take runs as one Lua script (atomic on the server), and ioredis auto-pipelining
 * lets concurrent requests share round trips while every count stays exact.
 *
 * Key layout (STYLE.md A2, Miniflare's storage-redis): `apimops:<namespace>:s:<periodMs>:<key>` a hash of
 * sliding-window buckets, `apimops:<namespace>:f:<periodMs>:<anchorMs>:<key>:<window>` a fixed-window count,
 * `apimops:<namespace>:v:<key>` a cached value. Every key has a TTL, so Redis never fills with dead counters.
 *
 * When Redis is unreachable, commands fail at once (no offline queue) with `StoreUnavailableError`, one log
 * line says so, ioredis keeps reconnecting in the background, and a second line says when it is back.
 */
import { Redis } from 'ioredis';
import { fixedState, slidingState, type Bucket, type CounterMode } from './counters.js';
import {
  fixedWindowAt,
  slidingBucketMs,
  StoreUnavailableError,
  type ConsumeRequest,
  type CounterState,
  type Store,
} from './store.js';


/**
 * Lua shared by the sliding-window scripts: read the live total `t` and oldest bucket `o`; when the oldest
 * bucket has left the window, drop expired buckets and recompute both (the only time buckets are scanned).
 * Expects `key`, `now`, `period` in scope; defines `total` and `oldest`.
 */
const PRUNE_LUA = `local meta = redis.call('HMGET', key, 't', 'o')
local total = tonumber(meta[1]) or 0
local oldest = tonumber(meta[2])
if oldest ~= nil and oldest + period <= now then
  local flat = redis.call('HGETALL', key)
  total = 0
  oldest = nil
  for i = 1, #flat, 2 do
    local f = flat[i]
    if f ~= 't' and f ~= 'o' then
      local s = tonumber(f)
      if s + period <= now then
        redis.call('HDEL', key, f)
      else
        total = total + tonumber(flat[i + 1])
        if oldest == nil or s < oldest then oldest = s end
      end
    end
  end
  redis.call('HSET', key, 't', total)
  if oldest == nil then redis.call('HDEL', key, 'o') else redis.call('HSET', key, 'o', string.format('%.0f', oldest)) end
end
`;

/**
 * Lua shared by the sliding-window scripts: when the counter ends full, append its buckets to `out` as
 * (start, count) pairs in start order, so the caller can compute Retry-After from the oldest bucket.
 */
const APPEND_BUCKETS_LUA = `  local flat = redis.call('HGETALL', key)
  local starts = {}
  local counts = {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if f ~= 't' and f ~= 'o' then
      local s = tonumber(f)
      table.insert(starts, s)
      counts[s] = tonumber(flat[i + 1])
    end
  end
  table.sort(starts)
  for _, s in ipairs(starts) do
    table.insert(out, string.format('%.0f', s))
    table.insert(out, counts[s])
  end
`;

/**
 * Sliding window, kept in one hash: a field per bucket (`<startMs>` → count), plus `t` (the live total) and
 * `o` (the oldest live bucket). The common call reads two fields and writes three; buckets are only scanned
 * when the oldest one has left the window (to prune them) or when the counter is full (the caller then
 * needs them for `Retry-After`). Takes `cost` if it fits (or always, for `add`).
 * KEYS[1] hash; ARGV now, periodMs, bucketMs, limit, cost, mode. Returns { taken, total, [start, count]… }.
 */
const SLIDING_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local mode = ARGV[6]
${PRUNE_LUA}local taken = 0
if mode == 'add' or (mode == 'consume' and total + cost <= limit) then
  taken = 1
  local b = math.floor(now / size) * size
  redis.call('HINCRBY', key, string.format('%.0f', b), cost)
  total = redis.call('HINCRBY', key, 't', cost)
  if oldest == nil then redis.call('HSET', key, 'o', string.format('%.0f', b)) end
  redis.call('PEXPIRE', key, period + size)
end
local out = { taken, total }
local need = cost
if taken == 1 or mode ~= 'consume' then need = 1 end
if total + need > limit then
${APPEND_BUCKETS_LUA}end
return out
`;

/**
 * Sliding window, many consumes at once: the calls on one hot key that arrived in the same event-loop turn
 * go to Redis as one script run, taken one by one in arrival order (so the count stays exact).
 * KEYS[1] hash; ARGV now, periodMs, bucketMs, limit, n, cost1…costN.
 * Returns { taken1, count1, …, takenN, countN, [start, count]… } (buckets when the counter ends full).
 */
const SLIDING_BATCH_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
${PRUNE_LUA}local out = {}
local added = 0
local minNeed = nil
for i = 1, n do
  local cost = tonumber(ARGV[5 + i])
  if total + cost <= limit then
    total = total + cost
    added = added + cost
    table.insert(out, 1)
  else
    table.insert(out, 0)
    if minNeed == nil or cost < minNeed then minNeed = cost end
  end
  table.insert(out, total)
end
if added > 0 then
  local b = math.floor(now / size) * size
  redis.call('HINCRBY', key, string.format('%.0f', b), added)
  redis.call('HINCRBY', key, 't', added)
  if oldest == nil then redis.call('HSET', key, 'o', string.format('%.0f', b)) end
  redis.call('PEXPIRE', key, period + size)
end
if total + (minNeed or 1) > limit or total + 1 > limit then
${APPEND_BUCKETS_LUA}end
return out
`;

/**
 * Fixed window: take `cost` if it fits (or always, for `add`); the key expires at the window's end.
 * KEYS[1] counter; ARGV limit, cost, mode, ttlMs until the window ends (0 = never). Relative, so a test's
 * injected clock never makes a key expire early.
 */
const FIXED_LUA = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local mode = ARGV[3]
local ttl = tonumber(ARGV[4])
local count = tonumber(redis.call('GET', key) or '0')
local taken = 0
if mode == 'add' or (mode == 'consume' and count + cost <= limit) then
  taken = 1
  count = redis.call('INCRBY', key, cost)
  if ttl > 0 then redis.call('PEXPIRE', key, string.format('%.0f', ttl)) end
end
return { taken, count }
`;

type SlidingReply = [number, number, ...(string | number)[]];
type FixedReply = [number, number];

interface ScriptedRedis extends Redis {
  apimopsSliding(key: string, ...args: (string | number)[]): Promise<SlidingReply>;
  apimopsFixed(key: string, ...args: (string | number)[]): Promise<FixedReply>;
  apimopsSlidingBatch(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
}

/** Consumes waiting to go to Redis together (one per hot key and window). */
interface Batch {
  key: string;
  req: ConsumeRequest;
  items: { cost: number; resolve: (s: CounterState) => void; reject: (e: unknown) => void }[];
}

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** Prefix that separates projects or test cases sharing one Redis. Default `default`. */
  namespace?: string;
  /** One line per outage and per recovery. */
  log?: (line: string) => void;
  /** Milliseconds a command may take before it counts as an outage. Default 3000 (a loaded laptop is slow). */
  commandTimeoutMs?: number;
}

/**
 * A `Store` on Redis. Create it with `RedisStore.connect` (which waits for the first connection, so a wrong
 * URL is a start-up error, not a failure on the first request).
 *
 * @example
 * const store = await RedisStore.connect({ url: 'redis://127.0.0.1:6379', namespace: 'payments' });
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly prefix: string;
  private down = false;
  private closed = false;

  private constructor(
    private readonly redis: ScriptedRedis,
    private readonly options: RedisStoreOptions,
  ) {
    this.prefix = `apimops:${options.namespace ?? 'default'}:`;
    const log = options.log ?? (() => {});
    const where = redactUrl(options.url);
    redis.on('error', (err: Error) => {
      if (this.closed || this.down) return;
      this.down = true;
      log(`store: redis at ${where} is unreachable (${describe(err)}); reconnecting, and requests that need it fail until it is back`);
    });
    redis.on('close', () => {
      if (this.closed || this.down) return;
      this.down = true;
      log(`store: lost the connection to redis at ${where}; reconnecting`);
    });
    redis.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      log(`store: redis at ${where} is back`);
    });
  }

  /** Connects (failing fast with `StoreUnavailableError` if Redis cannot be reached) and loads the scripts. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      // Fail commands at once while disconnected instead of queueing them: a request must not hang on Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 3000,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
    }) as ScriptedRedis;
    redis.defineCommand('apimopsSliding', { numberOfKeys: 1, lua: SLIDING_LUA });
    redis.defineCommand('apimopsFixed', { numberOfKeys: 1, lua: FIXED_LUA });
    redis.defineCommand('apimopsSlidingBatch', { numberOfKeys: 1, lua: SLIDING_BATCH_LUA });
    // Swallow connection errors during connect: they are reported by the rejection below.
    const onError = (): void => {};
    redis.on('error', onError);
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new StoreUnavailableError(`cannot connect to redis at ${redactUrl(options.url)}: ${describe(err)}`, { cause: err });
    } finally {
      redis.off('error', onError);
    }
    return new RedisStore(redis, options);
  }

  consume(key: string, request: ConsumeRequest): Promise<CounterState> {
    if (request.window.kind !== 'sliding') return this.counter(key, request, 'consume');
    // Concurrent calls on one key and window share a script run (flushed after this event-loop turn).
    const id = `${request.window.periodMs}|${request.limit}|${key}`;
    let batch = this.batches.get(id);
    if (!batch) {
      batch = { key, req: request, items: [] };
      this.batches.set(id, batch);
      const b = batch;
      setImmediate(() => {
        this.batches.delete(id);
        void this.flush(b);
      });
    }
    const items = batch.items;
    return new Promise((resolve, reject) => items.push({ cost: request.cost ?? 1, resolve, reject }));
  }

  private readonly batches = new Map<string, Batch>();

  private async flush(batch: Batch): Promise<void> {
    const { req, items } = batch;
    const periodMs = req.window.periodMs;
    try {
      const reply = await this.run(() =>
        this.redis.apimopsSlidingBatch(
          `${this.prefix}s:${periodMs}:${batch.key}`,
          req.now,
          periodMs,
          slidingBucketMs(periodMs),
          req.limit,
          items.length,
          ...items.map((i) => i.cost),
        ),
      );
      const buckets: Bucket[] = [];
      for (let i = 2 * items.length; i + 1 < reply.length; i += 2) buckets.push([Number(reply[i]), Number(reply[i + 1])]);
      items.forEach((item, i) => {
        const taken = Number(reply[2 * i]) === 1;
        const count = Number(reply[2 * i + 1]);
        const itemReq = { ...req, cost: item.cost };
        const full = count + (taken ? 1 : item.cost) > req.limit;
        // Retry-After comes from the buckets as the batch left them (the last word on when room frees up).
        const retryAfterMs = full && buckets.length ? slidingState(buckets, taken, itemReq, 'consume').retryAfterMs : 0;
        item.resolve({ admitted: taken, count, remaining: Math.max(0, req.limit - count), retryAfterMs, resetMs: periodMs });
      });
    } catch (err) {
      for (const item of items) item.reject(err);
    }
  }
  add(key: string, request: ConsumeRequest): Promise<CounterState> {
    return this.counter(key, request, 'add');
  }
  peek(key: string, request: ConsumeRequest): Promise<CounterState> {
    return this.counter(key, request, 'peek');
  }

  private async counter(key: string, req: ConsumeRequest, mode: CounterMode): Promise<CounterState> {
    const cost = req.cost ?? 1;
    if (req.window.kind === 'sliding') {
      const periodMs = req.window.periodMs;
      const reply = await this.run(() =>
        this.redis.apimopsSliding(
          `${this.prefix}s:${periodMs}:${key}`,
          req.now,
          periodMs,
          slidingBucketMs(periodMs),
          req.limit,
          cost,
          mode,
        ),
      );
      const taken = reply[0] === 1;
      const total = Number(reply[1]);
      if (reply.length > 2) {
        const buckets: Bucket[] = [];
        for (let i = 2; i + 1 < reply.length; i += 2) buckets.push([Number(reply[i]), Number(reply[i + 1])]);
        return slidingState(buckets, taken, req, mode);
      }
      // Room left: no buckets needed (nothing to wait for).
      return { admitted: mode === 'consume' ? taken : total <= req.limit, count: total, remaining: Math.max(0, req.limit - total), retryAfterMs: 0, resetMs: periodMs };
    }
    const window = req.window;
    const { index, endMs } = fixedWindowAt(window, req.now);
    const reply = await this.run(() =>
      this.redis.apimopsFixed(
        `${this.prefix}f:${window.periodMs}:${window.anchorMs}:${key}:${index}`,
        req.limit,
        cost,
        mode,
        Number.isFinite(endMs) ? Math.max(1, endMs - req.now) : 0,
      ),
    );
    return fixedState(Number(reply[1]), reply[0] === 1, { ...req, window }, mode);
  }

  // A value is stored as `<expiresAtMs>\n<value>`: the caller's clock decides expiry (as in the memory
  // store), and Redis's own TTL only reclaims the memory.
  async getValue(key: string, now: number): Promise<string | undefined> {
    const raw = await this.run(() => this.redis.get(`${this.prefix}v:${key}`));
    if (raw == null) return undefined;
    const nl = raw.indexOf('\n');
    if (nl < 0 || Number(raw.slice(0, nl)) <= now) return undefined;
    return raw.slice(nl + 1);
  }

  async setValue(key: string, value: string, ttlMs: number, now: number): Promise<void> {
    const k = `${this.prefix}v:${key}`;
    if (ttlMs > 0) await this.run(() => this.redis.set(k, `${now + ttlMs}\n${value}`, 'PX', Math.ceil(ttlMs)));
    else await this.run(() => this.redis.del(k));
  }

  async deleteValue(key: string): Promise<void> {
    await this.run(() => this.redis.del(`${this.prefix}v:${key}`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /** Runs a command, turning connection failures into `StoreUnavailableError`. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the redis store is closed');
    try {
      return await command();
    } catch (err) {
      if (isScriptError(err)) throw err;
      throw new StoreUnavailableError(`redis at ${redactUrl(this.options.url)} is unavailable: ${describe(err)}`, { cause: err });
    }
  }
}

/** A Lua/script error is a bug in this file, not an outage: let it surface as such. */
function isScriptError(err: unknown): boolean {
  return err instanceof Error && /^(ERR|WRONGTYPE).*(script|Lua|user_script)/i.test(err.message);
}

function describe(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}

/** The URL without its password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
