#!/usr/bin/env node
// `npm run bench -- gateway [--rounds 3] [--seconds 5]`
//
// The cost of `apimops serve` as a proxy (issue 5, PERFORMANCE.md): the same backend, the same load
// generator (wrk -t1), three targets measured in interleaved rounds (A B C A B C …):
//   A. direct      — the backend itself
//   B. bare proxy  — a bare undici `stream()` reverse proxy (the baseline)
//   C. serve       — `apimops serve` with a 3-policy pipeline: set-header with an expression, set-variable, choose
// at 50 connections (req/s, p50, p99) and at 1 connection (p50, p99). Prints every round and its ratios,
// then medians. Goals: serve ≥ 85% of the bare proxy's req/s at c50; at c1 a p50 within 0.1 ms of the bare
// proxy's. Needs `npm run build` and wrk. Everything listens on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
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

const children = [];
const logDir = mkdtempSync(join(tmpdir(), 'apimops-bench-gateway-logs-'));
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

/**
 * Starts a target and waits for `pattern` in its output. Output goes to a file, not a pipe: this process
 * blocks in spawnSync(wrk) while measuring, so a pipe would fill with access-log lines and stall the target.
 */
function start(cmd, args, pattern, cwd) {
  const log = join(logDir, `${children.length}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd });
  closeSync(fd);
  children.push(child);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const out = readFileSync(log, 'utf8');
      const m = pattern.exec(out);
      if (m) {
        clearInterval(poll);
        resolve({ child, url: m[1] });
      } else if (child.exitCode !== null || Date.now() - started > 20_000) {
        clearInterval(poll);
        reject(new Error(`${cmd} ${args.join(' ')} did not start:\n${out}`));
      }
    }, 50);
  });
}

/** CPU time (user + system) of a process so far, µs, from /proc (Linux). */
function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

const toMs = (v, u) => (u === 'us' ? v / 1000 : u === 's' ? v * 1000 : v);
function wrk(url, seconds, connections, pid) {
  const cpu0 = pid ? cpuMicros(pid) : NaN;
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  const cpu1 = pid ? cpuMicros(pid) : NaN;
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? toMs(Number(m[1]), m[2]) : NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    p50: pct(50),
    p99: pct(99),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0),
    // CPU the target process spent per request: robust against a busy machine, unlike req/s.
    cpuUs: requests > 0 ? (cpu1 - cpu0) / requests : NaN,
  };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

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

const bare = await start(process.execPath, [join(here, '_traffic-bare-proxy.mjs'), backend.url], /(http:\/\/127\.0\.0\.1:\d+)/);
// cwd = the temp folder, so no apimops.yaml of the repository applies.
const serve = await start(process.execPath, [join(repo, 'bin', 'apimops.js'), 'serve', folder, '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, folder);

const path = '/pay/payments/pay-1001';
const targets = [
  { name: 'direct', url: `${backend.url}/payments/pay-1001`, pid: backend.child.pid },
  { name: 'bare undici proxy', url: bare.url + path, pid: bare.child.pid },
  { name: 'serve (3 policies)', url: serve.url + path, pid: serve.child.pid },
];
for (const t of targets) {
  const res = await fetch(t.url);
  if (res.status !== 200) {
    console.error(`${t.name} answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
}

const results = { 50: new Map(targets.map((t) => [t.name, []])), 1: new Map(targets.map((t) => [t.name, []])) };
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of [50, 1]) {
    const row = {};
    for (const t of targets) {
      wrk(t.url, WARMUP, c);
      const r = wrk(t.url, SECONDS, c, t.pid);
      results[c].get(t.name).push(r);
      row[t.name] = r;
      console.error(`round ${round}/${ROUNDS} c${String(c).padEnd(2)} ${t.name.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  cpu ${r.cpuUs.toFixed(0)} µs/req${r.non2xx ? `  non-2xx ${r.non2xx}` : ''}`);
    }
    const b = row['bare undici proxy'];
    const s = row['serve (3 policies)'];
    const d = row.direct;
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
console.log('\ncpu µs/req: CPU time of the target process per request (the backend\'s own for direct); compare proxies by it on a busy machine');
console.log('\ngoals: serve ≥ 85% of the bare proxy at c50; at c1, serve p50 within 0.1 ms of the bare proxy');
cleanup();
rmSync(folder, { recursive: true, force: true });
rmSync(logDir, { recursive: true, force: true });
process.exit(0);
