/**
 * Finds test-case files: `tests/**\/*.test.yaml` under the artifact folder by default, or `--cases` (a file, a
 * folder, or a glob relative to the artifact folder).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Where cases are looked for when neither `--cases` nor `test.cases` says. */
export const DEFAULT_CASES = 'tests/**/*.test.yaml';

/** A glob (`*`, `**`, `?`, `{a,b}`) as an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
}

/**
 * The case files `pattern` selects, absolute and sorted. A path that exists (from `cwd`) is taken as is —
 * a folder means every `*.test.yaml` below it; anything else is a glob relative to `folder`.
 */
export function findCaseFiles(folder: string, pattern: string = DEFAULT_CASES, cwd = process.cwd()): string[] {
  const direct = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  if (!/[*?{]/.test(pattern) && existsSync(direct)) {
    if (statSync(direct).isFile()) return [direct];
    return walk(direct).filter((f) => /\.test\.ya?ml$/.test(f)).sort();
  }
  const re = globToRegExp(pattern.replace(/\\/g, '/').replace(/^\.\//, ''));
  return walk(folder)
    .filter((f) => re.test(relative(folder, f).split(sep).join('/')))
    .sort();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
