import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_FOLDER, apiPolicy } from './support.js';

const here = import.meta.dirname;
const repo = mkdtempSync(join(tmpdir(), 'apimops-hook-'));
const bin = mkdtempSync(join(tmpdir(), 'apimops-bin-'));
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
const write = (p: string, text: string) => {
  mkdirSync(dirname(join(repo, p)), { recursive: true });
  writeFileSync(join(repo, p), text);
};

describe('templates/pre-commit/pre-commit (a real git repo, a real commit)', () => {
  // `apimops` on PATH runs the lint command from source (no build needed).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  writeFileSync(join(bin, 'apimops'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${join(here, 'lint-bin.ts')}" "$@"\n`);
  chmodSync(join(bin, 'apimops'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const commit = (msg: string) => spawnSync('git', ['commit', '-q', '-m', msg], { cwd: repo, env, encoding: 'utf8' });

  git('init', '-q');
  copyFileSync(join(here, '../../templates/pre-commit/pre-commit'), join(repo, '.git/hooks/pre-commit'));
  chmodSync(join(repo, '.git/hooks/pre-commit'), 0o755);
  write('apimops.yaml', 'artifacts: artifacts\n');
  for (const [p, t] of Object.entries(BASE_FOLDER)) write(`artifacts/${p}`, t);
  write('artifacts/apis/orders/policy.xml', apiPolicy(''));

  it('lets a clean commit through', () => {
    git('add', '-A');
    const r = commit('initial');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  // git sends a hook's stdout to stderr.
  it('blocks a commit whose staged policy has an error, pointing at file:line', () => {
    write('artifacts/apis/orders/policy.xml', '<policies>\n  <inbound>\n    <set-header name="a"><value>1</value></set-header>\n  </inbound>\n</policies>\n');
    git('add', '-A');
    const r = commit('drop base');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('artifacts/apis/orders/policy.xml\n  2:3  error  <inbound> of API orders has no <base />');
    expect(r.stderr).toContain('apimops: lint failed');
  });

  it('lints only the staged artifact files: a broken unstaged-elsewhere file does not block an unrelated commit', () => {
    git('reset', '-q', 'HEAD', '--', 'artifacts/apis/orders/policy.xml');
    write('README.md', '# docs\n');
    write('.github/ci.yml', 'on: push\n');
    git('add', 'README.md', '.github/ci.yml');
    const r = commit('docs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
