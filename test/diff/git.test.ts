import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGitRepo } from '../../src/diff/git.js';
import { UserError } from '../../src/shared/errors.js';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
function write(path: string, text: string) {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'apimops-git-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  write('artifacts/apis/a/api.yaml', 'displayName: A\npath: a\n');
  write('artifacts/policy.xml', '<policies>\r\n</policies>\r\n');
  write('README.md', 'outside the folder\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  write('artifacts/apis/a/api.yaml', 'displayName: A2\npath: a\n');
  write('artifacts/apis/b/api.yaml', 'displayName: B\npath: b\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'two');
  // the working tree differs from every commit: sources must not read it
  write('artifacts/apis/a/api.yaml', 'displayName: DIRTY\n');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('git FileSource', () => {
  it('reads the folder at any commit without a checkout', async () => {
    const r = await openGitRepo(join(repo, 'artifacts'));
    const first = await r.resolveCommit('HEAD~1');
    const src1 = await r.fileSource(first, 'artifacts');
    expect(await src1.listFiles()).toEqual(['apis/a/api.yaml', 'policy.xml']);
    expect(await src1.readText('apis/a/api.yaml')).toBe('displayName: A\npath: a\n');
    expect(await src1.readText('policy.xml')).toBe('<policies>\n</policies>\n');
    expect(await src1.readText('apis/b/api.yaml')).toBeUndefined();
    const src2 = await r.fileSource(await r.resolveCommit('HEAD'), join(repo, 'artifacts'));
    expect(await src2.listFiles()).toEqual(['apis/a/api.yaml', 'apis/b/api.yaml', 'policy.xml']);
    expect(await src2.readText('apis/a/api.yaml')).toBe('displayName: A2\npath: a\n');
    expect(await r.readFile(first, 'README.md')).toBe('outside the folder\n');
    expect(await r.commitsBetween('HEAD~1', 'HEAD')).toHaveLength(1);
    expect(git('status', '--porcelain')).toBe('M artifacts/apis/a/api.yaml');
    expect(await r.changedPaths(first, 'HEAD', [join(repo, 'artifacts')])).toEqual(['artifacts/apis/a/api.yaml', 'artifacts/apis/b/api.yaml']);
    expect(await r.changedPaths(first, 'HEAD', ['README.md', 'artifacts/policy.xml'])).toEqual([]);
    expect(await r.isClean(join(repo, 'artifacts'))).toBe(false);
    expect(await r.isClean(join(repo, 'artifacts/policy.xml'))).toBe(true);
  });

  it('answers a ref that does not exist with E_GIT', async () => {
    const r = await openGitRepo(repo);
    await expect(r.resolveCommit('no-such-branch')).rejects.toMatchObject({ code: 'E_GIT' });
    await expect(r.resolveCommit('--output=x')).rejects.toBeInstanceOf(UserError);
  });

  it('answers a folder outside a repository with E_GIT', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'apimops-nogit-'));
    try {
      await expect(openGitRepo(plain)).rejects.toMatchObject({ code: 'E_GIT' });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
