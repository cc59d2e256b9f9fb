/**
 * Chooses a store from `--store` (STYLE.md A2: Miniflare's `VariedStorageFactory`): nothing or `memory` →
 * `MemoryStore`, `redis://…`/`rediss://…` → `RedisStore`. Redis is imported lazily, so a gateway that never
 * uses it never loads ioredis.
 */
import { UserError } from '../../shared/errors.js';
import { MemoryStore } from './memory.js';
import { StoreUnavailableError, type Clock, type Store } from './store.js';

/** Options of `createStore`. */
export interface CreateStoreOptions {
  /** Separates projects sharing one Redis (e.g. the service or folder name). */
  namespace?: string;
  /** The memory store's clock (sweeping only). */
  clock?: Clock;
  /** Outage and recovery lines of the Redis store. */
  log?: (line: string) => void;
}

/**
 * A store for a `--store` value.
 *
 * @example
 * const store = await createStore(flags.store, { namespace: 'payments', log: (l) => io.stderr(l + '\n') });
 */
export async function createStore(url: string | undefined, options: CreateStoreOptions = {}): Promise<Store> {
  if (url === undefined || url === '' || url === 'memory') return new MemoryStore({ clock: options.clock });
  if (/^rediss?:\/\//i.test(url)) {
    const { RedisStore } = await import('./redis.js');
    try {
      return await RedisStore.connect({ url, namespace: options.namespace, log: options.log });
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        throw new UserError('E_CONFIG', err.message, {
          cause: err,
          hint: 'start Redis (e.g. `redis-server --port 6379`) or drop --store to count in memory',
        });
      }
      throw err;
    }
  }
  throw new UserError('E_USAGE', `--store: unknown store "${url}"`, { hint: 'use memory or redis://host:port' });
}
