/**
 * The walk of an artifact folder — what it skips and the order it lists files in — shared by the main-thread
 * listing (folder-source.ts) and the reading thread's scan (read-worker.ts), so both list exactly the same
 * files in exactly the same order.
 */
import { readdirSync } from 'node:fs';
import { sep } from 'node:path';
import { isNonArtifactFile } from './build.js';
import { parseArtifactPath } from './paths.js';

/** Folders never part of an artifact tree (tool state, VCS, dependencies). */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.apimops']);

/**
 * Walks `root` depth-first and calls `onFile` with every file's path (relative, `/`-separated) in exactly the
 * order of sorting the full paths (`files.sort()`), so nothing needs sorting afterwards and a reading thread
 * can read files as it finds them. Siblings are visited by their name with a `/` after a folder's: every path
 * under folder `a` starts `a/`, so it sorts as `a/` does against a sibling (`a-b/…` before `a/…`, a file `a`
 * before both). Skipped folders are not entered; a folder that cannot be read throws the file system's error.
 */
export function walkFolder(root: string, onFile: (path: string) => void): void {
  const walk = (dir: string, rel: string): void => {
    const keyed: { key: string; name: string; directory: boolean }[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) keyed.push({ key: `${e.name}/`, name: e.name, directory: true });
      } else if (e.isFile()) keyed.push({ key: e.name, name: e.name, directory: false });
    }
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { name, directory } of keyed) {
      const path = rel === '' ? name : `${rel}/${name}`;
      // Concatenated, not `path.join`ed: the walk already has normal paths, and join normalises each again.
      if (directory) walk(dir + sep + name, path);
      else onFile(path);
    }
  };
  walk(root, '');
}

/**
 * Files a scan reads (the others it only lists): the files of the artifact layout, which the reader parses.
 * Anything else — a README, test cases, a stray large file — is listed only, and read if someone asks.
 */
export function isReadByScan(path: string): boolean {
  return !isNonArtifactFile(path) && parseArtifactPath(path) !== undefined;
}
