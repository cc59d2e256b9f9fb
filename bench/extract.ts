// `npm run bench -- extract [--apis 1000] [--ops 10] [--latency 40] [--parallelism 8]`
//
// A fake ARM instance of N APIs × M operations, each API and operation with a policy, every ARM call
// delayed by --latency ms. Runs a full extract at --parallelism and reports wall time, ARM calls/s and peak
// memory against the sequential lower bound (calls × latency): the goal is ≥ 6× faster than sequential at
// --parallelism 8, under 400 MiB. The fake ARM runs in its own process (as ARM would), seeded from a
// snapshot file (not through HTTP) to keep setup out of the measurement; `--in-process` runs it inside the
// benchmark process instead. CPU time and event-loop delay are printed too: on a machine shared with
// other work, a starved event loop (not the design) is what caps the speed-up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExtract } from '../src/extract/extract.js';
import { EXTRACT_ALL } from '../src/extract/filter.js';
import { startFakeArm } from '../test/support/fake-arm/server.js';
import type { FakeSnapshot } from '../test/support/fake-arm/store.js';

const { values } = parseArgs({
  options: {
    apis: { type: 'string', default: '1000' },
    ops: { type: 'string', default: '10' },
    latency: { type: 'string', default: '40' },
    parallelism: { type: 'string', default: '8' },
    'in-process': { type: 'boolean', default: false },
  },
});
const apis = Number(values.apis);
const ops = Number(values.ops);
const latencyMs = Number(values.latency);
const parallelism = Number(values.parallelism);

const policy = (scope: string) =>
  `<policies>\n  <inbound>\n    <base />\n    <set-header name="X-Scope" exists-action="override">\n      <value>${scope}</value>\n    </set-header>\n    <rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;

function snapshot(): FakeSnapshot {
  const resources: FakeSnapshot['resources'] = [{ path: '/policies/policy', properties: { value: policy('global') } }];
  for (let a = 0; a < apis; a++) {
    const name = `api-${String(a).padStart(4, '0')}`;
    const paths: string[] = [];
    for (let o = 0; o < ops; o++) {
      paths.push(`  /items${o}/{id}:\n    get:\n      operationId: get-item-${o}\n      summary: Get item ${o}\n      parameters:\n        - { name: id, in: path, required: true, schema: { type: string } }\n      responses:\n        "200":\n          description: OK\n`);
    }
    const spec = `openapi: 3.0.1\ninfo:\n  title: API ${a}\n  version: "1.0"\npaths:\n${paths.join('')}`;
    resources.push({ path: `/apis/${name}`, properties: { displayName: `API ${a}`, path: `api${a}`, protocols: ['https'], apiRevision: '1', isCurrent: true, subscriptionRequired: true }, spec: { format: 'openapi', value: spec } });
    resources.push({ path: `/apis/${name}/policies/policy`, properties: { value: policy(name) } });
    for (let o = 0; o < ops; o++) {
      resources.push({ path: `/apis/${name}/operations/get-item-${o}`, properties: { displayName: `Get item ${o}`, method: 'GET', urlTemplate: `/items${o}/{id}` } });
      resources.push({ path: `/apis/${name}/operations/get-item-${o}/policies/policy`, properties: { value: policy(`${name}/${o}`) } });
    }
  }
  return { resources };
}

let peakRss = 0;
let peakHeap = 0;
let samples = 0;
// memoryUsage() walks the heap spaces; rss() is a cheap syscall: sample rss often, the heap now and then
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (samples++ % 10 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const sampler = setInterval(sample, 50);

const work = mkdtempSync(join(tmpdir(), 'apimops-bench-extract-'));
const out = join(work, 'artifacts');
const target = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg-apim', serviceName: 'apim-fake', endpoint: '' };
let closeFake: () => Promise<void>;
if (values['in-process']) {
  const fake = await startFakeArm({ snapshot: snapshot(), latencyMs, record: false });
  target.endpoint = fake.url;
  closeFake = () => fake.close();
} else {
  const seedFile = join(work, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(snapshot()));
  const cli = join(import.meta.dirname, '../test/support/fake-arm/cli.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--seed', seedFile, '--latency', String(latencyMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
  target.endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`fake ARM exited (${code}): ${text}`)));
  });
  closeFake = async () => {
    child.kill('SIGTERM');
  };
}
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const cpuBefore = process.cpuUsage();
process.stderr.write(`extract bench: ${apis} APIs × ${ops} operations (with policies), ${latencyMs} ms per ARM call, --parallelism ${parallelism}\n`);
let writingAt = 0;
let callTimeTotal = 0;
let callTimes = 0;
const started = performance.now();
const result = await runExtract({
  target: {
    ...target,
    onResponse: (e) => {
      callTimeTotal += e.durationMs;
      callTimes++;
    },
  },
  env: {},
  out,
  filter: EXTRACT_ALL,
  parallelism,
  onEvent: (e) => {
    if (e.type === 'writing') writingAt = performance.now();
  },
});
const wallMs = performance.now() - started;
const writeMs = performance.now() - writingAt;
const readMs = writingAt - started;
const meanCall = callTimes > 0 ? callTimeTotal / callTimes : 0;
sample();
clearInterval(sampler);
loopDelay.disable();
const cpu = process.cpuUsage(cpuBefore);
const fakeStats = (await (await fetch(`${target.endpoint}/_fake/stats`)).json()) as { meanServerMs: number };
const calls = result.calls;
await closeFake();
rmSync(work, { recursive: true, force: true });

const sequentialMs = calls * latencyMs;
const speedup = sequentialMs / wallMs;
const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
const lines = [
  `result: ${result.ok ? 'ok' : `FAILED (${result.failures.length} failures)`}; ${result.files.written} files written`,
  `ARM calls: ${calls} (${Math.round((calls * 1000) / wallMs)} calls/s, retries included), export downloads not counted`,
  `wall time: ${(wallMs / 1000).toFixed(1)} s; sequential lower bound (calls × ${latencyMs} ms): ${(sequentialMs / 1000).toFixed(1)} s`,
  `speed-up vs sequential: ${speedup.toFixed(2)}× (goal ≥ 6× at --parallelism 8; ideal ${parallelism}×)`,
  `observed call time: mean ${meanCall.toFixed(1)} ms, of which ${fakeStats.meanServerMs.toFixed(1)} ms inside the fake (its ${latencyMs} ms timer fires late on a busy machine); ` +
    `throughput is ${((100 * (calls / (readMs / 1000))) / (parallelism / (meanCall / 1000))).toFixed(0)}% of what ${parallelism} connections at that call time allow`,
  `peak memory: rss ${mib(peakRss)} MiB, heap ${mib(peakHeap)} MiB (${values['in-process'] ? 'fake ARM in the same process' : 'extract alone'}; goal < 400 MiB)`,
  `CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${((cpu.user + cpu.system) / 1000 / calls).toFixed(2)} ms per call); event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  `of which reading the service: ${((writingAt - started) / 1000).toFixed(1)} s, writing ${result.files.written} files: ${(writeMs / 1000).toFixed(1)} s`,
  `limiter: peak ${result.peakParallel} in flight, ${result.throttled} throttled, ${result.backoffs} back-offs`,
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = result.ok && speedup >= 6 && peakRss < 400 * 1024 * 1024 ? 0 : 1;
