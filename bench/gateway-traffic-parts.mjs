#!/usr/bin/env node
// `npm run bench -- gateway-traffic-parts`: the traffic building blocks in isolation, in one process, so
// their cost can be read even on a noisy machine: validate-jwt's verified-token cache against a jose
// RS256 verify per call, and a rate-limit counter in memory against Redis (one in flight vs 50 in flight
// sharing round trips through ioredis auto-pipelining). Needs `npm run build` and redis-server.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(pathToFileURL(join(repo, 'dist', p)).href);
const { JwtValidator } = await load('gateway/jwt.js');
const { LocalIdentityProvider } = await load('gateway/identity-provider.js');
const { MemoryStore } = await load('gateway/stores/memory.js');
const { RedisStore } = await load('gateway/stores/redis.js');

async function time(label, n, fn, concurrency = 1) {
  for (let i = 0; i < Math.min(n, 500); i++) await fn(i); // warm-up
  const t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
  const us = Number(process.hrtime.bigint() - t) / 1000 / n;
  console.log(`${label.padEnd(58)} ${us.toFixed(2).padStart(8)} µs/op ${(1e6 / us).toFixed(0).padStart(9)} op/s`);
}

const root = mkdtempSync(join(tmpdir(), 'apimops-parts-'));
const idp = await LocalIdentityProvider.load(root);
const iss = 'https://login.microsoftonline.com/t/v2.0';
const token = await idp.mint({ iss, aud: 'api://bench' });
const rules = { audiences: ['api://bench'], issuers: [iss], requiredClaims: [], requireExpirationTime: true, requireSignedTokens: true, clockSkewSeconds: 0 };
const url = 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration';
const cached = new JwtValidator({ openIdConfigUrls: [url], fetchJson: idp.fetchJson });
const uncached = new JwtValidator({ openIdConfigUrls: [url], fetchJson: idp.fetchJson, cacheSize: 0 });
await time('validate-jwt RS256, verified-token cache hit', 20000, () => cached.validate(token, rules, Date.now()));
await time('validate-jwt RS256, jose verify every call (cache off)', 3000, () => uncached.validate(token, rules, Date.now()));

const window = { kind: 'sliding', periodMs: 300_000 };
const mem = new MemoryStore();
await time('rate-limit counter, memory', 200000, () => mem.consume('k', { limit: 1e9, window, now: Date.now() }));

const port = await new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
// Stop it however this process ends (a closed stdout pipe included).
process.on('exit', () => redis.kill('SIGTERM'));
process.stdout.on('error', () => process.exit(0));
let store;
for (let i = 0; i < 50 && !store; i++) {
  store = await RedisStore.connect({ url: `redis://127.0.0.1:${port}`, namespace: 'bench' }).catch(() => new Promise((r) => setTimeout(r, 100)));
}
await time('rate-limit counter, redis, 1 in flight', 5000, () => store.consume('k', { limit: 1e9, window, now: Date.now() }));
await time('rate-limit counter, redis, 50 in flight (auto-pipelined)', 20000, () => store.consume('k', { limit: 1e9, window, now: Date.now() }), 50);
await store.close();
redis.kill('SIGTERM');
rmSync(root, { recursive: true, force: true });
