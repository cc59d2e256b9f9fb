import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from '../../src/cli/commands/init.js';
import { cli, tempDir } from '../testing/helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function repo(git = true): string {
  const { dir, cleanup } = tempDir('apimops-init-');
  cleanups.push(cleanup);
  if (git) execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

describe('apimops init', () => {
  it('scaffolds apimops.yaml, an empty artifact folder and configuration stubs, and prints what it wrote', async () => {
    const dir = repo();
    const r = await cli(dir, ['init', '--env', 'dev', '--env', 'test', '--env', 'prod']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean)).toEqual([
      'wrote    apimops.yaml',
      'wrote    artifacts/README.md',
      'wrote    artifacts/configuration.dev.yaml',
      'wrote    artifacts/configuration.test.yaml',
      'wrote    artifacts/configuration.prod.yaml',
      'wrote    .gitignore',
    ]);
    const config = parseYaml(readFileSync(join(dir, 'apimops.yaml'), 'utf8')) as { artifacts: string; environments: Record<string, unknown> };
    expect(config.artifacts).toBe('artifacts');
    expect(Object.keys(config.environments)).toEqual(['dev', 'test', 'prod']);
    expect(parseYaml(readFileSync(join(dir, 'artifacts/configuration.test.yaml'), 'utf8'))).toEqual({});
    // The scaffold is a valid project: render loads it with the test environment's (empty) overrides.
    const render = await cli(dir, ['render', '--env', 'test']);
    expect(render.out).toMatch(/environment test/);
    expect(render.code).toBe(0);
  });

  it('never overwrites without --force; --force does; .gitignore gets .apimops/ once', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'apimops.yaml'), 'artifacts: mine\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules/');
    const first = await cli(dir, ['init']);
    expect(first.code).toBe(0);
    expect(first.out).toContain('skipped  apimops.yaml (exists; --force overwrites)\n');
    expect(first.out).toContain('updated  .gitignore\n');
    expect(readFileSync(join(dir, 'apimops.yaml'), 'utf8')).toBe('artifacts: mine\n');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n# apimops: the local identity provider key and other machine-local state\n.apimops/\n');

    const again = await cli(dir, ['init']);
    expect(again.out).not.toContain('wrote');
    expect(again.out).not.toContain('.gitignore');

    const forced = await cli(dir, ['init', '--force']);
    expect(forced.out).toContain('wrote    apimops.yaml\n');
    expect(readFileSync(join(dir, 'apimops.yaml'), 'utf8')).toContain('artifacts: artifacts');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8').match(/\.apimops\//g)).toHaveLength(1);
  });

  it('--pre-commit installs the lint hook (executable); outside a git repository it is a usage error', async () => {
    const dir = repo();
    const r = await cli(dir, ['init', '--pre-commit']);
    expect(r.out).toContain('wrote    .git/hooks/pre-commit\n');
    const hook = join(dir, '.git/hooks/pre-commit');
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(readFileSync(hook, 'utf8')).toBe(readFileSync(join(__dirname, '../../templates/pre-commit/pre-commit'), 'utf8'));

    const plain = repo(false);
    const bad = await cli(plain, ['init', '--pre-commit']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--pre-commit:');
    expect(bad.err).toContain('hint: run `git init` first');
    expect(existsSync(join(plain, 'apimops.yaml'))).toBe(false); // nothing half-written
  });

  it('rejects bad environment names and folders outside the project', async () => {
    const dir = repo();
    expect((await cli(dir, ['init', '--env', 'dev prod'])).code).toBe(2);
    expect((await cli(dir, ['init', '--env', 'dev', '--env', 'dev'])).err).toContain('named twice');
    expect((await cli(dir, ['init', '--artifacts', '../elsewhere'])).code).toBe(2);
    expect((await cli(dir, ['init', '--ci', 'jenkins'])).code).toBe(2);
  });

  it('--from-sample brings the payments sample and its test cases, which pass', async () => {
    const dir = repo();
    const r = await cli(dir, ['init', '--from-sample']);
    expect(r.out).toContain('wrote    artifacts/tests/auth.test.yaml\n');
    expect(r.out).toContain('wrote    artifacts/configuration.local.yaml\n');
    const t = await cli(dir, ['test', '--cases', 'tests/auth.test.yaml']);
    expect(t.out).toMatch(/^6 passed, 0 failed/m);
    expect(t.code).toBe(0);
  }, 60_000);

  it('template variables: {{name}} is replaced, ${{ github.x }} is left for GitHub', () => {
    expect(renderTemplate('a {{env}} ${{ github.sha }} ${{github.ref}}', { env: 'dev' })).toBe('a dev ${{ github.sha }} ${{github.ref}}');
    expect(() => renderTemplate('{{nope}}', {})).toThrow('template variable {{nope}} has no value');
  });
});
