/**
 * Benchmark: how long the CLI takes to start, against a bare `node` start in the same rounds.
 *
 *   npm run build && npm run bench -- startup [--rounds 15]
 *
 * What it times, each as a fresh process, the four interleaved in every round (the machine's speed drifts):
 *   node                       `node -e 0`: the floor every command pays
 *   apimops --version          the CLI's own start: commander and the command table
 *   apimops lint <file>        what the pre-commit hook runs for one changed policy (linted in the context of
 *                              its folder, artifacts-sample)
 *   apimops lint <folder>      the whole sample folder
 * Reports medians, the time above bare node, and the ratio to it. A command's module (and what only it needs:
 * the Azure SDK, the gateway, ajv's compiler, the full YAML parser, git) is loaded when the command runs, not
 * at start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, numberArg } from './_harness.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('run `npm run build` first\n');
  process.exit(2);
}
const ROUNDS = numberArg('rounds', 15);
const bin = join(repo, 'bin', 'apimops.js');
const CASES = [
  { name: 'node', args: ['-e', '0'] },
  { name: 'apimops --version', args: [bin, '--version'] },
  { name: 'apimops lint <file>', args: [bin, 'lint', 'artifacts-sample/apis/payments-api/policy.xml'] },
  { name: 'apimops lint <folder>', args: [bin, 'lint', 'artifacts-sample'] },
];

const times = new Map(CASES.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // A different order each round, so no case always runs right after another.
  const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]);
  for (const c of order) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, c.args, { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
    const ms = performance.now() - t0;
    // lint exits 0 or 1 (findings); anything else is a failure of the benchmark.
    if (r.status !== 0 && r.status !== 1) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
    times.get(c.name).push(ms);
  }
}
const base = median(times.get('node'));
process.stdout.write(`median of ${ROUNDS} interleaved rounds, each a fresh process:\n`);
for (const c of CASES) {
  const m = median(times.get(c.name));
  const extra = c.name === 'node' ? '' : `  +${(m - base).toFixed(0).padStart(4)} ms over node  ${(m / base).toFixed(2)}×`;
  process.stdout.write(`${c.name.padEnd(22)} ${m.toFixed(0).padStart(5)} ms${extra}\n`);
}
