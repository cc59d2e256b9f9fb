import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/errors.js';

/** The plain git hook shipped in `templates/pre-commit/pre-commit` (same path from `src/lint` and `dist/lint`). */
export const PRE_COMMIT_TEMPLATE = fileURLToPath(new URL('../../templates/pre-commit/pre-commit', import.meta.url));

/** The `.git` folder of the repository containing `dir` (searched upward). */
function gitDirOf(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    const g = join(d, '.git');
    if (existsSync(g) && statSync(g).isDirectory()) return g;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/**
 * Installs the apimops pre-commit hook into the git repository containing `dir` (for
 * `apimops init --pre-commit`). An existing, different hook is kept unless `force` is set, so a team's own
 * hook is never overwritten silently. Returns the hook path and what happened.
 */
export async function installPreCommitHook(dir: string, options: { force?: boolean } = {}): Promise<{ path: string; result: 'installed' | 'unchanged' | 'replaced' }> {
  const gitDir = gitDirOf(dir);
  if (!gitDir) throw new UserError('E_GIT', `not a git repository: ${dir}`, { hint: 'run `git init` first, or use the .pre-commit-hooks.yaml entry with the pre-commit framework' });
  const path = join(gitDir, 'hooks', 'pre-commit');
  const hook = await readFile(PRE_COMMIT_TEMPLATE, 'utf8');
  let result: 'installed' | 'unchanged' | 'replaced' = 'installed';
  if (existsSync(path)) {
    const current = await readFile(path, 'utf8');
    if (current === hook) result = 'unchanged';
    else if (!options.force) {
      throw new UserError('E_IO', `a different pre-commit hook already exists: ${path}`, { hint: 'add `apimops lint` to it yourself, or re-run with --force to replace it' });
    } else result = 'replaced';
  }
  if (result !== 'unchanged') {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, hook, 'utf8');
  }
  await chmod(path, 0o755);
  return { path, result };
}
