#!/usr/bin/env node
// `npm run bench -- gateway-traffic [--rounds 3] [--seconds 5] [--connections 50] [--only memory|redis|core]`
//
// validate-jwt (RS256, JWKS from the local identity provider, cached) + rate-limit-by-key + set-header in
// `apimops serve`, with the counter in memory and then in Redis, against the bare undici proxy — all in the
// same run, interleaved rounds, load from wrk (PERFORMANCE.md: autocannon under-reads CPU-bound targets).
// Goals (issue 6): ≥ 80% of the bare proxy with memory, ≥ 65% with Redis. Prints req/s medians, ratios
// and p99. Needs `npm run build`, wrk and redis-server. Everything listens on 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, numberArg, processGroup, wrk } from './_harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const arg = numberArg;
const ROUNDS = arg('rounds', 3);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const SECONDS = arg('seconds', 5);
const CONNECTIONS = arg('connections', 50);
const WARMUP = 2;

if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}
for (const tool of ['wrk', 'redis-server']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
    console.error(`${tool} is required (apt-get install ${tool})`);
    process.exit(2);
  }
}

const { start, children, logDir, stopAll: cleanup } = processGroup('apimops-bench-traffic');

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}



// 1. The folder under test.
const folder = mkdtempSync(join(tmpdir(), 'apimops-bench-traffic-'));
const backend = await start(process.execPath, [join(here, '_traffic-backend.mjs')], /(http:\/\/127\.0\.0\.1:\d+)/);
const tenant = 'bench-tenant';
const iss = `https://login.microsoftonline.com/${tenant}/v2.0`;
const w = (rel, text) => {
  mkdirSync(dirname(join(folder, rel)), { recursive: true });
  writeFileSync(join(folder, rel), text);
};
w(
  'policy.xml',
  `<policies>
  <inbound>
    <validate-jwt header-name="Authorization" require-scheme="Bearer">
      <openid-config url="https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration" />
      <audiences><audience>api://bench</audience></audiences>
      <issuers><issuer>${iss}</issuer></issuers>
    </validate-jwt>
    <rate-limit-by-key calls="100000000" renewal-period="300" counter-key="@(context.Request.IpAddress)" />
    <set-header name="X-Bench" exists-action="override"><value>traffic</value></set-header>
  </inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>
`,
);
w('apis/pay/api.yaml', `apiRevision: "1"\ndisplayName: Pay\nisCurrent: true\npath: pay\nprotocols:\n  - http\nserviceUrl: ${backend.url}\nsubscriptionRequired: false\ntype: http\n`);
// The same gateway without the traffic policies: an API whose inbound drops the global one (no <base/>).
w('apis/plain/api.yaml', `apiRevision: "1"\ndisplayName: Plain\nisCurrent: true\npath: plain\nprotocols:\n  - http\nserviceUrl: ${backend.url}\nsubscriptionRequired: false\ntype: http\n`);
w('apis/plain/operations/get/operation.yaml', 'displayName: Get\nmethod: GET\nurlTemplate: /payments/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n');
w('apis/plain/policy.xml', '<policies><inbound><set-header name="X-Bench" exists-action="override"><value>plain</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>\n');
w('apis/pay/operations/get/operation.yaml', 'displayName: Get\nmethod: GET\nurlTemplate: /payments/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n');

const { LocalIdentityProvider } = await import(pathToFileURL(join(repo, 'dist', 'gateway', 'identity-provider.js')).href);
const idp = await LocalIdentityProvider.load(folder);
const token = await idp.mint({ iss, aud: 'api://bench', expiresIn: 3600 });

// 2. Targets.
const redisPort = await freePort();
const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
children.push(redis);
await new Promise((r) => setTimeout(r, 300));
const bare = await start(process.execPath, ['--max-semi-space-size=32', join(here, '_traffic-bare-proxy.mjs'), backend.url], /(http:\/\/127\.0\.0\.1:\d+)/);
// `apimops serve` relaunches itself with a larger young generation (SERVE_V8_FLAGS in src/cli/commands/serve.ts);
// started with that flag it serves in this one process (as bench/gateway.mjs does); the bare proxy gets it too.
const serveArgs = (store) => ['--max-semi-space-size=32', join(repo, 'bin', 'apimops.js'), 'serve', folder, '--port', '0', ...(store ? ['--store', store] : [])];
// cwd = the folder, so the repository's apimops.yaml (environments, overrides) does not apply.
const memory = await start(process.execPath, serveArgs(undefined), /listening on (http:\/\/127\.0\.0\.1:\d+)/, { cwd: folder });
const withRedis = await start(process.execPath, serveArgs(`redis://127.0.0.1:${redisPort}`), /listening on (http:\/\/127\.0\.0\.1:\d+)/, { cwd: folder });

const path = '/pay/payments/pay-1001';
const targets = [
  { name: 'bare undici proxy', url: bare.url + path },
  { name: 'serve: set-header only (gateway core)', url: memory.url + path.replace('/pay/', '/plain/') },
  { name: 'serve: jwt + rate-limit (memory) + set-header', url: memory.url + path },
  { name: 'serve: jwt + rate-limit (redis) + set-header', url: withRedis.url + path },
];
// Check every target answers 200 before measuring.
for (const t of targets) {
  const res = await fetch(t.url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) {
    console.error(`${t.name} answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
}

if (ONLY) targets.splice(0, targets.length, ...targets.filter((t, i) => i === 0 || t.name.includes(ONLY)));
const results = new Map(targets.map((t) => [t.name, []]));
// One unmeasured pass first: JIT, connection pools, JWKS and counters warm up (the first round read far low).
const load = (url, seconds) => wrk(url, { seconds, connections: CONNECTIONS, headers: [`Authorization: Bearer ${token}`] });
for (const t of targets) load(t.url, 3);
for (let round = 1; round <= ROUNDS; round++) {
  // The order rotates from round to round, as in bench/gateway.mjs: no target always runs in the same slot.
  for (const t of targets.map((_, i) => targets[(i + round - 1) % targets.length])) {
    load(t.url, WARMUP);
    const r = load(t.url, SECONDS);
    results.get(t.name).push(r);
    console.error(`round ${round}/${ROUNDS}  ${t.name.padEnd(48)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(2)} ms${r.non2xx ? `  non-2xx ${r.non2xx}` : ''}`);
  }
}

const bareRps = median(results.get(targets[0].name).map((r) => r.rps));
console.log(`\ngateway-traffic: wrk -t1 -c${CONNECTIONS}, ${ROUNDS} interleaved rounds of ${SECONDS}s (median)`);
// "vs core": the traffic policies' own cost, against the same gateway running only set-header.
const coreName = targets.find((t) => t.name.includes('gateway core'))?.name;
const coreRps = coreName ? median(results.get(coreName).map((r) => r.rps)) : undefined;
console.log(`${'target'.padEnd(48)} ${'req/s'.padStart(8)} ${'vs bare'.padStart(8)} ${'vs core'.padStart(8)} ${'p99 ms'.padStart(8)}`);
for (const t of targets) {
  const rs = results.get(t.name);
  const rps = median(rs.map((r) => r.rps));
  const p99 = median(rs.map((r) => r.p99));
  const vsCore = coreRps && t.name !== targets[0].name ? `${((rps / coreRps) * 100).toFixed(0)}%` : '';
  console.log(`${t.name.padEnd(48)} ${rps.toFixed(0).padStart(8)} ${`${((rps / bareRps) * 100).toFixed(0)}%`.padStart(8)} ${vsCore.padStart(8)} ${p99.toFixed(2).padStart(8)}`);
}
// Per-round ratios to the bare proxy (rounds i of both): they drift less than either target's own median.
for (const t of targets.slice(1)) {
  const ratios = results.get(t.name).map((r, i) => r.rps / results.get(targets[0].name)[i].rps);
  const sorted = [...ratios].sort((a, b) => a - b);
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  console.log(`${t.name}: per round ${ratios.map(pct).join(', ')}; median ${pct(median(sorted))}`);
}
console.log('goals: memory ≥ 80% of the bare proxy, redis ≥ 65%');
cleanup();
rmSync(folder, { recursive: true, force: true });
rmSync(logDir, { recursive: true, force: true });
process.exit(0);
