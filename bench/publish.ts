/**
 * `npm run bench -- publish [--apis 1000] [--latency 40] [--parallelism 8] [--sequential-sample 100]`
 *
 * Two measurements against the fake ARM server (every ARM call delayed by --latency ms), through the same code
 * path as `apimops publish` (git states → diff → plan → executor → arm/apply):
 *
 * 1. Full first publish of an N-API instance (each API: api.yaml, an operation, an API policy and an
 *    operation policy) at --parallelism vs sequentially. Sequential is measured on --sequential-sample APIs
 *    and scaled to N (per-API work is identical), unless --full-sequential is given. Goal: ≥ 5×.
 * 2. A commit that changes 3 policies of that instance, published with `--from HEAD~1`: ARM calls made and
 *    wall time, next to the time of the diff alone. Goal: ~3 calls + the diff. Then the same through the
 *    command line (`apimops publish --from last-deployed`), which adds the marker read and write.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArmApplier, recordDeployment } from '../src/arm/apply.js';
import { createArmClient } from '../src/arm/client.js';
import { emptyState } from '../src/artifacts/model.js';
import { openGitRepo } from '../src/diff/git.js';
import { applyPublish, preparePublish } from '../src/publish/publish.js';
import { loadStateAtCommit } from '../src/publish/states.js';
import { startFakeArm } from '../test/support/fake-arm/server.js';
import { runDiffPublish } from '../test/publish/cli-helper.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = flag('apis', 1000);
const LATENCY = flag('latency', 40);
const PARALLELISM = flag('parallelism', 8);
const SAMPLE = args.includes('--full-sequential') ? N : Math.min(N, flag('sequential-sample', 100));

const policy = (i: number, extra = '') =>
  `<policies>\n  <inbound>\n    <base />\n    <set-header name="x-api" exists-action="override">\n      <value>api-${i}${extra}</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;

function buildRepo(n: number): string {
  const repo = mkdtempSync(join(tmpdir(), 'apimops-bench-publish-'));
  const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'bench');
  git('config', 'gc.auto', '0'); // no background auto-gc racing the explicit repack below
  git('commit', '-q', '--allow-empty', '-m', 'empty');
  for (let i = 0; i < n; i++) {
    const dir = join(repo, 'artifacts', 'apis', `api-${i}`);
    mkdirSync(join(dir, 'operations', 'get-item'), { recursive: true });
    writeFileSync(join(dir, 'api.yaml'), `displayName: API ${i}\npath: api-${i}\nprotocols:\n  - https\nserviceUrl: https://backend.example.com/api-${i}\nsubscriptionRequired: true\n`);
    writeFileSync(join(dir, 'policy.xml'), policy(i));
    writeFileSync(join(dir, 'operations', 'get-item', 'operation.yaml'), 'displayName: Get item\nmethod: GET\nurlTemplate: /items/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n');
    writeFileSync(join(dir, 'operations', 'get-item', 'policy.xml'), policy(i, '-op'));
  }
  git('add', '-A');
  git('commit', '-q', '-m', `${n} apis`);
  git('repack', '-a', '-d', '-q'); // a CI checkout is a packed clone; 4,000 loose objects would measure the disk
  return repo;
}

async function firstPublish(n: number, parallelism: number) {
  const repo = buildRepo(n);
  const fake = await startFakeArm({ latencyMs: LATENCY, record: false });
  try {
    const r = await openGitRepo(repo);
    const folder = join(repo, 'artifacts');
    const head = await r.resolveCommit('HEAD');
    const target = (await loadStateAtCommit(r, head, folder)).state;
    const arm = createArmClient({ subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url }, {});
    const applier = createArmApplier(arm, { pollIntervalMs: 0 });
    const prepared = preparePublish(emptyState(), target, { mode: 'range' });
    const t0 = performance.now();
    const result = await applyPublish(prepared, applier, { parallelism, env: {} });
    const ms = performance.now() - t0;
    if (!result.complete) throw new Error(`first publish failed: ${result.failed.map((f) => (f.error as Error).message).join('; ')}`);
    return { ms, calls: fake.requestCount(), changes: prepared.changeSet.summary.total, repo, fake, arm };
  } catch (err) {
    await fake.close();
    throw err;
  }
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`publish benchmark: ${N} APIs (4 resources each), ${LATENCY} ms per ARM call`);

// 1. full first publish, parallel vs sequential
const par = await firstPublish(N, PARALLELISM);
console.log(`first publish --parallelism ${PARALLELISM}: ${par.changes} changes, ${par.calls} ARM calls, ${fmt(par.ms)}`);
const seq = await firstPublish(SAMPLE, 1);
rmSync(seq.repo, { recursive: true, force: true });
await seq.fake.close();
const seqScaled = (seq.ms * N) / SAMPLE;
console.log(
  `first publish --parallelism 1: ${seq.changes} changes, ${seq.calls} ARM calls, ${fmt(seq.ms)}` +
    (SAMPLE < N ? ` (measured on ${SAMPLE} APIs; scaled to ${N}: ${fmt(seqScaled)})` : ''),
);
console.log(`speed-up: ${(seqScaled / par.ms).toFixed(1)}× (goal ≥ 5×)`);

// 2. a commit changing 3 policies
const git = (...a: string[]) => execFileSync('git', a, { cwd: par.repo, encoding: 'utf8' });
await recordDeployment(par.arm, { commit: git('rev-parse', 'HEAD').trim() }, { pollIntervalMs: 0 });
for (const i of [7, Math.floor(N * 0.42), N - 1]) writeFileSync(join(par.repo, 'artifacts', 'apis', `api-${i}`, 'policy.xml'), policy(i, '-changed'));
git('commit', '-q', '-am', 'three policies');
git('repack', '-a', '-d', '-q');
const callsBefore = par.fake.requestCount();
const t0 = performance.now();
const r = await openGitRepo(par.repo);
const folder = join(par.repo, 'artifacts');
const [from, to] = [await r.resolveCommit('HEAD~1'), await r.resolveCommit('HEAD')];
const [a, b] = await Promise.all([loadStateAtCommit(r, from, folder, undefined, { strict: false }), loadStateAtCommit(r, to, folder)]);
const prepared = preparePublish(a.state, b.state, { mode: 'range' });
const tDiff = performance.now() - t0;
const applier = createArmApplier(par.arm, { pollIntervalMs: 0 });
const result = await applyPublish(prepared, applier, { parallelism: PARALLELISM, env: {} });
const total = performance.now() - t0;
const calls = par.fake.requestCount() - callsBefore;
console.log(
  `3-policy commit: ${prepared.changeSet.summary.total} changes, ${calls} ARM calls, diff ${fmt(tDiff)}, apply ${fmt(total - tDiff)}, total ${fmt(total)} ` +
    `(${result.complete ? 'complete' : 'INCOMPLETE'}; ${LATENCY} ms × ${calls} calls = ${fmt(LATENCY * calls)} if sequential)`,
);
// … and the same kind of commit through the command line (`apimops publish --env bench --from last-deployed`):
// what a pipeline sees, including the read before the first write and the deployment record.
writeFileSync(
  join(par.repo, 'apimops.yaml'),
  `artifacts: artifacts\nenvironments:\n  bench:\n    subscriptionId: ${par.fake.subscriptionId}\n    resourceGroup: ${par.fake.resourceGroup}\n    serviceName: ${par.fake.serviceName}\n    endpoint: ${par.fake.url}\n`,
);
git('add', 'apimops.yaml');
git('commit', '-q', '-m', 'config');
await recordDeployment(par.arm, { commit: git('rev-parse', 'HEAD').trim() }, { pollIntervalMs: 0 });
for (const i of [3, Math.floor(N * 0.5), N - 2]) writeFileSync(join(par.repo, 'artifacts', 'apis', `api-${i}`, 'policy.xml'), policy(i, '-cli'));
git('commit', '-q', '-am', 'three more policies');
git('repack', '-a', '-d', '-q');
const cliCallsBefore = par.fake.requestCount();
const t1 = performance.now();
const run = await runDiffPublish(['publish', '--env', 'bench', '--from', 'last-deployed'], par.repo, {});
const cliMs = performance.now() - t1;
const cliCalls = par.fake.requestCount() - cliCallsBefore;
if (run.code !== 0) throw new Error(`apimops publish failed: ${run.stderr}`);
console.log(
  `apimops publish --from last-deployed (3 policies): exit ${run.code}, ${cliCalls} ARM calls ` +
    `(3 policy PUTs + reading and writing the deployment record, a long-running named-value PUT), total ${fmt(cliMs)}`,
);
await par.fake.close();
rmSync(par.repo, { recursive: true, force: true });
