import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRE_COMMIT_TEMPLATE, installPreCommitHook } from '../../src/lint/pre-commit-hook.js';

const root = mkdtempSync(join(tmpdir(), 'apimops-hook-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('installPreCommitHook (for apimops init --pre-commit)', () => {
  it('installs the template as an executable hook, from a subfolder of the repository, idempotently', async () => {
    const repo = join(root, 'a');
    mkdirSync(join(repo, 'artifacts'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const r = await installPreCommitHook(join(repo, 'artifacts'));
    expect(r).toEqual({ path: join(repo, '.git/hooks/pre-commit'), result: 'installed' });
    expect(readFileSync(r.path, 'utf8')).toBe(readFileSync(PRE_COMMIT_TEMPLATE, 'utf8'));
    expect(statSync(r.path).mode & 0o111).toBe(0o111);
    expect((await installPreCommitHook(repo)).result).toBe('unchanged');
  });

  it('keeps a different existing hook unless forced; refuses outside a repository', async () => {
    const repo = join(root, 'b');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, '.git/hooks/pre-commit'), '#!/bin/sh\necho mine\n');
    await expect(installPreCommitHook(repo)).rejects.toThrow(`a different pre-commit hook already exists: ${join(repo, '.git/hooks/pre-commit')}`);
    expect((await installPreCommitHook(repo, { force: true })).result).toBe('replaced');
    const outside = join(root, 'c');
    mkdirSync(outside);
    await expect(installPreCommitHook(outside)).rejects.toThrow(`not a git repository: ${outside}`);
  });
});
