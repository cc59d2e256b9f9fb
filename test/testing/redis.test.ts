/**
 * `apimops test --store redis://…`: the sample's limit and cache cases run with counters and cache in a real
 * redis-server (started here on a free loopback port), each case in its own namespace, so cases running at
 * once do not share counters.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { cli, SAMPLE, tempDir } from './helpers.js';

const available = redisServerAvailable();
let redis: RedisServer | undefined;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  if (available) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  cleanups.splice(0).forEach((c) => c());
});

describe.skipIf(!available)('apimops test --store redis', () => {
  it('runs the limit and cache cases against Redis, twice in a row (fresh namespaces each run)', async () => {
    const { dir, cleanup } = tempDir('apimops-redis-');
    cleanups.push(cleanup);
    cpSync(SAMPLE, join(dir, 'artifacts-sample'), { recursive: true, filter: (p) => !p.includes('/.apimops') });
    for (let run = 0; run < 2; run++) {
      const r = await cli(dir, ['test', 'artifacts-sample', '--store', redis!.url, '--cases', 'tests/{limits,caching}.test.yaml']);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^5 passed, 0 failed \(5 cases/m);
      expect(r.code).toBe(0);
    }
  }, 120_000);
});
