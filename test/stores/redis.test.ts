import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/gateway/stores/redis.js';
import { createStore } from '../../src/gateway/stores/factory.js';
import { StoreUnavailableError } from '../../src/gateway/stores/store.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { storeContract } from './contract.js';

const available = redisServerAvailable();
let server: RedisServer | undefined;

describe.skipIf(!available)('RedisStore against a real redis-server', () => {
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  storeContract('redis', (namespace) => RedisStore.connect({ url: server!.url, namespace }));

  it('createStore picks Redis for redis:// and memory otherwise', async () => {
    const r = await createStore(server!.url, { namespace: 'factory' });
    expect(r.kind).toBe('redis');
    await r.close();
    expect((await createStore(undefined)).kind).toBe('memory');
    expect((await createStore('memory')).kind).toBe('memory');
    await expect(createStore('mongodb://x')).rejects.toThrow(/unknown store/);
  });

  it('a Redis that is not there is a clear start-up error', async () => {
    await expect(createStore('redis://127.0.0.1:1', { namespace: 'x' })).rejects.toThrow(/cannot connect to redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it('fails fast while Redis is down, logs once, and recovers when it is back', async () => {
    const lines: string[] = [];
    const store = await RedisStore.connect({ url: server!.url, namespace: 'outage', log: (l) => lines.push(l) });
    const req = { limit: 5, window: { kind: 'sliding', periodMs: 60_000 } as const, now: Date.now() };
    expect((await store.consume('k', req)).admitted).toBe(true);
    await server!.kill();
    const started = Date.now();
    await expect(store.consume('k', req)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getValue('v', req.now)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(lines.filter((l) => /unreachable|lost the connection/.test(l))).toHaveLength(1);
    await server!.restart();
    // ioredis reconnects by itself; wait for it on the real clock (reconnection is real I/O).
    const deadline = Date.now() + 5000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = await store.consume('k', req).then(() => true, () => false);
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ok).toBe(true);
    expect(lines.some((l) => /is back/.test(l))).toBe(true);
    await store.close();
  });
});
