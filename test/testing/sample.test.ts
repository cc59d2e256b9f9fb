/**
 * Done-when of issue 9: the built CLI passes every sample case, and removing one `<base />` (in a copy)
 * makes exactly the cases that depend on it fail, with a readable diff.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO, SAMPLE, tempDir } from './helpers.js';

const BIN = join(REPO, 'bin', 'apimops.js');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function runBuilt(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** A copy of the sample in a temp folder (so `.apimops/` and edits stay out of the repository). */
function sampleCopy(): string {
  const { dir, cleanup } = tempDir('apimops-sample-');
  cleanups.push(cleanup);
  cpSync(SAMPLE, join(dir, 'artifacts-sample'), { recursive: true, filter: (p) => !p.includes('/.apimops') });
  return dir;
}

/** Case names per status from the text report. */
function outcomes(out: string): { passed: string[]; failed: string[] } {
  const passed: string[] = [];
  const failed: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^ {2}([✓✗]) (.+) \(\d+ ms\)$/.exec(line);
    if (m) (m[1] === '✓' ? passed : failed).push(m[2]!);
  }
  return { passed, failed };
}

describe('apimops test artifacts-sample (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist', 'testing', 'runner.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  });

  it('passes every sample case', async () => {
    const dir = sampleCopy();
    const r = await runBuilt(['test', 'artifacts-sample'], dir);
    const { passed, failed } = outcomes(r.out);
    expect(failed).toEqual([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(passed).toEqual(
      expect.arrayContaining([
        'JWT missing → 401',
        'read-only role on POST → 403',
        'write role → 200',
        'Starter gets 429 with Retry-After, Premium does not, in the same window',
        'Starter quota of 100 calls a day → 403',
        'a cache hit is served without a backend call',
        'a 503 is retried, then the call succeeds',
        'the circuit breaker opens after 3 failures and closes after 30 s',
        'the trace shows <base /> pulled the global policy',
      ]),
    );
    expect(r.out).toMatch(new RegExp(`^${passed.length} passed, 0 failed \\(${passed.length} cases, \\d+ ms\\)$`, 'm'));
  }, 180_000);

  it('without the <base /> of get-payment inbound, exactly the cases that rely on it fail, with a readable diff', async () => {
    const dir = sampleCopy();
    const policy = join(dir, 'artifacts-sample', 'apis', 'payments-api', 'operations', 'get-payment', 'policy.xml');
    const text = readFileSync(policy, 'utf8');
    const broken = text.replace('<inbound>\n    <base />\n', '<inbound>\n');
    expect(broken).not.toBe(text);
    writeFileSync(policy, broken);

    const r = await runBuilt(['test', 'artifacts-sample'], dir);
    expect(r.code).toBe(1);
    const { passed, failed } = outcomes(r.out);
    expect(failed.sort()).toEqual(
      ['a cache hit is served without a backend call', 'one subscription\'s cached payment is not served to another', 'the trace shows <base /> pulled the global policy'].sort(),
    );
    expect(passed).toContain('JWT missing → 401'); // other operations still inherit the global policy
    // Readable: the position of the expectation, expected vs actual, and the trace with what is missing.
    expect(r.out).toContain('artifacts-sample/tests/composition.test.yaml:14:15: step 1 GET /payments/payments/pay-1001: status\n        expected: 200\n        actual:   500');
    expect(r.out).toContain('        - policy validate-jwt at global scope in inbound message /std-edge/\n');
    expect(r.out).toMatch(/✓ inbound {2}operation cache-lookup {2}miss /);
    expect(r.out).toContain('forward-request: BackendConnectionFailure: The API has no service URL and no set-backend-service chose a backend');
    expect(r.out).toMatch(new RegExp(`^${passed.length} passed, 3 failed \\(${passed.length + 3} cases, \\d+ ms\\)$`, 'm'));
  }, 180_000);
});
