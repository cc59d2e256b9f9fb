/**
 * `apimops lint` runs on every commit (the pre-commit hook): it must not load what only other commands need.
 * The Azure SDK alone takes about half a second to load, the gateway a third of one. The built CLI runs with a
 * module-resolution hook that records every module it loads; the test reads that record.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'apimops-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module URL the command loads, in load order. */
function modulesLoadedBy(args: string[]): string[] {
  const log = join(dir, `loaded-${args.join('-').replace(/\W+/g, '_')}.txt`);
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(REPO, 'bin', 'apimops.js'), ...args], { cwd: REPO, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
}

const HEAVY = [/node_modules\/@azure\//, /node_modules\/ioredis\//, /node_modules\/ink\//, /node_modules\/jose\//, /\/dist\/gateway\//, /\/dist\/extract\/extract\.js$/, /\/dist\/arm\/client\.js$/];

describe('CLI start-up', () => {
  it('lint loads neither the Azure SDK, nor the gateway, nor ioredis, nor ink', () => {
    const loaded = modulesLoadedBy(['lint', 'artifacts-sample']);
    expect(loaded.some((u) => u.endsWith('/dist/lint/run.js'))).toBe(true); // the record works
    expect(loaded.filter((u) => HEAVY.some((re) => re.test(u)))).toEqual([]);
  });

  it('--version loads none of them either', () => {
    const loaded = modulesLoadedBy(['--version']);
    expect(loaded.filter((u) => HEAVY.some((re) => re.test(u)))).toEqual([]);
  });
});
