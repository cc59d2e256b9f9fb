/**
 * `apimops lint` runs on every commit (the pre-commit hook): it must not load what only other commands need.
 * The Azure SDK alone takes about half a second to load, the gateway a third of one. The built CLI runs with a
 * module-resolution hook that records every module it loads; the test reads that record.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'apimops-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module URL the command loads, in load order. */
function modulesLoadedBy(args: string[], cwd = REPO): string[] {
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
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(REPO, 'bin', 'apimops.js'), ...args], { cwd, encoding: 'utf8' });
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

  it('--version loads none of them either, and no command', () => {
    const loaded = modulesLoadedBy(['--version']);
    expect(loaded.filter((u) => HEAVY.some((re) => re.test(u)))).toEqual([]);
    expect(loaded.filter((u) => /\/dist\/cli\/commands\/(?!index\.js$)/.test(u) || LAZY.some((re) => re.test(u)))).toEqual([]);
  });

  it('lint of a folder of simple YAML loads only its own command, without ajv\'s compiler or the full YAML parser', () => {
    const folder = join(dir, 'simple');
    mkdirSync(join(folder, 'apis', 'a'), { recursive: true });
    writeFileSync(join(folder, 'apis', 'a', 'api.yaml'), 'displayName: A\npath: a\nprotocols:\n  - https\n');
    writeFileSync(join(folder, 'apis', 'a', 'policy.xml'), '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>\n');
    writeFileSync(join(folder, 'apimops.yaml'), 'artifacts: .\nenvironments:\n  dev:\n    subscriptionId: 00000000-0000-0000-0000-000000000001\n    resourceGroup: rg\n    serviceName: apim\n');
    const loaded = modulesLoadedBy(['lint', '.'], folder);
    expect(loaded.some((u) => u.endsWith('/dist/cli/commands/lint.js'))).toBe(true);
    expect(loaded.filter((u) => /\/dist\/cli\/commands\/(?!index\.js$|lint\.js$)/.test(u) || LAZY.some((re) => re.test(u)))).toEqual([]);
  });

  it('output cut short by the reader (`apimops lint | head`) ends the command quietly with its own exit code', async () => {
    // Enough findings to fill the pipe: one unknown policy in each of 1,500 loose policy files.
    const folder = join(dir, 'many');
    mkdirSync(folder);
    for (let i = 0; i < 1500; i++) writeFileSync(join(folder, `p${i}.xml`), '<policies><inbound><no-such-policy /></inbound></policies>\n');
    const child = spawn(process.execPath, [join(REPO, 'bin', 'apimops.js'), 'lint', folder], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(1); // findings
  });
});

/** Loaded only when needed: ajv's compiler (the schemas are precompiled) and the full YAML parser (fast path first). */
const LAZY = [/node_modules\/ajv\/dist\/(ajv|core|compile\/index)\.js$/, /node_modules\/yaml\/dist\/index\.js$/, /node_modules\/simple-git\//];
