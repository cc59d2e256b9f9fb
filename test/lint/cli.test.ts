import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLint } from './cli-harness.js';
import { BASE_FOLDER, apiPolicy } from './support.js';

const root = mkdtempSync(join(tmpdir(), 'apimops-lint-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const clean = { ...BASE_FOLDER, 'apis/orders/policy.xml': apiPolicy('') };
const broken = {
  ...BASE_FOLDER,
  'apis/orders/policy.xml': '<policies>\n  <inbound>\n    <set-header name="a"><value>1</value></set-header>\n  </inbound>\n</policies>\n',
};

describe('apimops lint (CLI)', () => {
  it('exits 0 and prints nothing for a clean folder', async () => {
    writeTree(join(root, 'clean/artifacts'), clean);
    const r = await runLint(['artifacts'], join(root, 'clean'));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('exits 1 with stylish output and paths relative to the current folder', async () => {
    writeTree(join(root, 'broken/artifacts'), broken);
    const r = await runLint(['artifacts'], join(root, 'broken'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'artifacts/apis/orders/policy.xml\n' +
        '  2:3  error  <inbound> of API orders has no <base />: drops validate-jwt from global inbound; add <base /> where the broader policies should run  missing-base\n\n' +
        '✖ 1 problem (1 error, 0 warnings, 0 infos)\n',
    );
  });

  it('honours --rule, --fail-severity and lint.rules of apimops.yaml (the flag wins)', async () => {
    const dir = join(root, 'broken');
    expect((await runLint(['artifacts', '--rule', 'missing-base=warn'], dir)).code).toBe(0);
    expect((await runLint(['artifacts', '--rule', 'missing-base=warn', '--fail-severity', 'warn'], dir)).code).toBe(1);
    writeFileSync(join(dir, 'apimops.yaml'), 'artifacts: artifacts\nlint:\n  rules:\n    missing-base: info\n');
    const fromConfig = await runLint([], dir);
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stdout).toContain('info');
    expect((await runLint(['--rule', 'missing-base=error'], dir)).code).toBe(1);
    rmSync(join(dir, 'apimops.yaml'));
  });

  it('writes --output-file and a summary on stderr; --quiet keeps errors only', async () => {
    const dir = join(root, 'broken');
    const r = await runLint(['artifacts', '--format', 'json', '--output-file', 'lint.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('apimops lint: 1 problem (1 error) in 4 files\n');
    expect(JSON.parse(readFileSync(join(dir, 'lint.json'), 'utf8')).findings[0].file).toBe('artifacts/apis/orders/policy.xml');
    const q = await runLint(['artifacts', '--quiet', '--rule', 'missing-base=warn'], dir);
    expect(q).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('lints a single file in the context of its folder (what the pre-commit hook does)', async () => {
    const dir = writeTree(join(root, 'files/artifacts'), { ...broken, 'apis/orders/operations/x/operation.yaml': 'displayName: X\nmethod: GET\nurlTemplate: /x\n', 'apis/orders/operations/x/policy.xml': broken['apis/orders/policy.xml'] });
    writeFileSync(join(root, 'files/apimops.yaml'), 'artifacts: artifacts\n');
    const r = await runLint(['artifacts/apis/orders/operations/x/policy.xml', '--format', 'github'], join(root, 'files'));
    expect(r.stderr).toBe('apimops lint: 1 problem (1 error) in 1 file\n');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      '::error file=artifacts/apis/orders/operations/x/policy.xml,line=2,col=3,title=apimops missing-base::<inbound> of operation orders/x has no <base />: drops set-header from API orders inbound; add <base /> where the broader policies should run',
    ]);
    expect(dir).toContain('files');
  });

  it('exits 2 with a clear message for usage and input errors', async () => {
    const dir = join(root, 'broken');
    const badRule = await runLint(['artifacts', '--rule', 'nope=warn'], dir);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain('--rule: unknown rule nope');
    const missing = await runLint(['does-not-exist'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('apimops: no such file or folder: does-not-exist\n');
    const badFormat = await runLint(['artifacts', '--format', 'xml'], dir);
    expect(badFormat.code).toBe(2);
  });

  it('reports malformed XML with file:line:column and exit 1, not a stack trace', async () => {
    const dir = writeTree(join(root, 'malformed/artifacts'), { ...clean, 'apis/orders/policy.xml': '<policies>\n  <inbound>\n    <set-variable name="a" value="@(x" />\n' });
    const r = await runLint(['artifacts', '--format', 'github'], join(root, 'malformed'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('::error file=artifacts/apis/orders/policy.xml,line=3,col=38,title=apimops policy-parse::unterminated string literal in policy expression\n');
    expect(dir).toContain('malformed');
  });
});
