#!/usr/bin/env node
// `npm run bench -- gateway [--rounds 3] [--seconds 5] [--against <checkout with a build>]`
//
// The cost of `apimops serve` as a proxy (issue 5, PERFORMANCE.md): the same backend, the same load
// generator (wrk -t1), three targets measured in interleaved rounds (A B C, B C A, C A B, …):
//   A. direct      — the backend itself
//   B. bare proxy  — a bare undici `stream()` reverse proxy (the baseline), with serve's V8 flags
//   C. serve       — `apimops serve` with a 3-policy pipeline: set-header with an expression, set-variable, choose
// at 50 connections (req/s, p50, p99) and at 1 connection (p50, p99). Prints every round and its ratios,
// then medians, and the median, lowest and highest of the per-round serve/bare ratios (on this shared 2-core
// machine single rounds swing by ±30%; compare runs by the median of their per-round ratios). Goals: serve ≥ 85% of the bare proxy's req/s at c50; at c1 a p50 within 0.1 ms of the bare
// proxy's. Needs `npm run build` and wrk. Everything listens on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, numberArg, processGroup, wrk } from './_harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const arg = numberArg;
const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 5);
const WARMUP = 2;

if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}
if (spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error) {
  console.error('wrk is required (apt-get install wrk)');
  process.exit(2);
}

const { start, logDir, stopAll: cleanup } = processGroup('apimops-bench-gateway', { startTimeoutMs: 20_000 });

// The folder under test: one API, one operation, three policies in the global inbound.
const folder = mkdtempSync(join(tmpdir(), 'apimops-bench-gateway-'));
const backend = await start(process.execPath, [join(here, '_traffic-backend.mjs')], /(http:\/\/127\.0\.0\.1:\d+)/);
const w = (rel, text) => {
  mkdirSync(dirname(join(folder, rel)), { recursive: true });
  writeFileSync(join(folder, rel), text);
};
w(
  'policy.xml',
  `<policies>
  <inbound>
    <set-header name="X-Request-Id" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>
    <set-variable name="tier" value="@(context.Request.Headers.GetValueOrDefault("X-Tier", "standard"))" />
    <choose>
      <when condition="@((string)context.Variables["tier"] == "premium")">
        <set-header name="X-Priority" exists-action="override"><value>high</value></set-header>
      </when>
      <otherwise>
        <set-header name="X-Priority" exists-action="override"><value>normal</value></set-header>
      </otherwise>
    </choose>
  </inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>
`,
);
w('apis/pay/api.yaml', `apiRevision: "1"\ndisplayName: Pay\nisCurrent: true\npath: pay\nprotocols:\n  - http\nserviceUrl: ${backend.url}\nsubscriptionRequired: false\ntype: http\n`);
w('apis/pay/operations/get/operation.yaml', 'displayName: Get\nmethod: GET\nurlTemplate: /payments/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n');

// `apimops serve` relaunches itself in a child node with a larger young generation (SERVE_V8_FLAGS in
// src/cli/commands/serve.ts); started with that flag it serves in this one process, whose CPU the bench reads.
// The bare proxy gets the same flag, so the ratio measures the pipeline, not the tuning (the flag lowers the
// bare proxy's CPU per request a little, serve's by ~15%: serve allocates more per request).
const NODE_FLAGS = ['--max-semi-space-size=32'];
const bare = await start(process.execPath, [...NODE_FLAGS, join(here, '_traffic-bare-proxy.mjs'), backend.url], /(http:\/\/127\.0\.0\.1:\d+)/);
// cwd = the temp folder, so no apimops.yaml of the repository applies.
const serve = await start(process.execPath, [...NODE_FLAGS, join(repo, 'bin', 'apimops.js'), 'serve', folder, '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { cwd: folder });

// `--against <dir>`: also run `serve` from another checkout's build (e.g. a worktree of an earlier commit), as a
// fourth target in the same rounds — the way to see what a change did on a busy machine.
const againstIdx = process.argv.indexOf('--against');
const againstDir = againstIdx > 0 ? process.argv[againstIdx + 1] : undefined;
const against = againstDir
  ? await start(process.execPath, [...NODE_FLAGS, join(againstDir, 'bin', 'apimops.js'), 'serve', folder, '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { cwd: folder })
  : undefined;

const path = '/pay/payments/pay-1001';
const targets = [
  { name: 'direct', url: `${backend.url}/payments/pay-1001`, pid: backend.child.pid },
  { name: 'bare undici proxy', url: bare.url + path, pid: bare.child.pid },
  { name: 'serve (3 policies)', url: serve.url + path, pid: serve.child.pid },
  ...(against ? [{ name: 'serve --against', url: against.url + path, pid: against.child.pid }] : []),
];
for (const t of targets) {
  const res = await fetch(t.url);
  if (res.status !== 200) {
    console.error(`${t.name} answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
}

const results = { 50: new Map(targets.map((t) => [t.name, []])), 1: new Map(targets.map((t) => [t.name, []])) };
/** serve/bare req/s of each round: the two ran minutes apart at most, so this ratio drifts less than either. */
const ratios = { 50: [], 1: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of [50, 1]) {
    const row = {};
    // The order rotates from round to round (A B C, B C A, C A B, …): no target always runs right after
    // another's warm-up or in the same slot of a drifting machine.
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const t of order) {
      wrk(t.url, { seconds: WARMUP, connections: c });
      const r = wrk(t.url, { seconds: SECONDS, connections: c, pid: t.pid });
      results[c].get(t.name).push(r);
      row[t.name] = r;
      console.error(`round ${round}/${ROUNDS} c${String(c).padEnd(2)} ${t.name.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  cpu ${r.cpuUs.toFixed(0)} µs/req${r.non2xx ? `  non-2xx ${r.non2xx}` : ''}`);
    }
    const b = row['bare undici proxy'];
    const s = row['serve (3 policies)'];
    const d = row.direct;
    ratios[c].push(s.rps / b.rps);
    console.error(`round ${round}/${ROUNDS} c${c}: serve/bare ${((s.rps / b.rps) * 100).toFixed(0)}%, bare/direct ${((b.rps / d.rps) * 100).toFixed(0)}%, p50 serve-bare ${(s.p50 - b.p50).toFixed(3)} ms`);
  }
}

console.log(`\ngateway: wrk -t1, ${ROUNDS} interleaved rounds of ${SECONDS}s (+${WARMUP}s warm-up), medians`);
for (const c of [50, 1]) {
  console.log(`\nc${c}`);
  console.log(`${'target'.padEnd(22)} ${'req/s'.padStart(8)} ${'vs direct'.padStart(10)} ${'vs bare'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cpu µs/req'.padStart(11)}`);
  const m = (name, k) => median(results[c].get(name).map((r) => r[k]));
  for (const t of targets) {
    const rps = m(t.name, 'rps');
    console.log(
      `${t.name.padEnd(22)} ${rps.toFixed(0).padStart(8)} ${`${((rps / m('direct', 'rps')) * 100).toFixed(0)}%`.padStart(10)} ${`${((rps / m('bare undici proxy', 'rps')) * 100).toFixed(0)}%`.padStart(8)} ${m(t.name, 'p50').toFixed(3).padStart(8)} ${m(t.name, 'p99').toFixed(3).padStart(8)} ${m(t.name, 'cpuUs').toFixed(0).padStart(11)}`,
    );
  }
}
const pct = (x) => `${(x * 100).toFixed(0)}%`;
for (const c of [50, 1]) {
  const r = [...ratios[c]].sort((x, y) => x - y);
  console.log(`\nc${c} serve/bare per round: ${ratios[c].map(pct).join(', ')}; median ${pct(median(r))}, lowest ${pct(r[0])}, highest ${pct(r[r.length - 1])}`);
}
console.log('\ncpu µs/req: CPU time of the target process per request (the backend\'s own for direct); compare proxies by it on a busy machine');
console.log('\ngoals: serve ≥ 85% of the bare proxy at c50; at c1, serve p50 within 0.1 ms of the bare proxy');
cleanup();
rmSync(folder, { recursive: true, force: true });
rmSync(logDir, { recursive: true, force: true });
process.exit(0);
