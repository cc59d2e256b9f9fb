/**
 * What a walk of an artifact folder skips and the order it lists files in, shared by the main-thread walk
 * (folder-source.ts) and the reading thread's (read-worker.ts), so both list exactly the same files in
 * exactly the same order.
 */
import { isNonArtifactFile } from './build.js';
import { parseArtifactPath } from './paths.js';

/** Folders never part of an artifact tree (tool state, VCS, dependencies). */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.apimops']);

/**
 * The sort key of a folder entry among its siblings: its name, with a `/` after a folder's. A depth-first walk
 * that visits siblings in key order lists paths in exactly the order of sorting the full paths (`files.sort()`):
 * every path under folder `a` starts `a/`, so it sorts as `a/` does against a sibling (`a-b/…` before `a/…`,
 * a file `a` before both).
 */
export function walkKey(name: string, isDirectory: boolean): string {
  return isDirectory ? `${name}/` : name;
}

/**
 * Files a scan reads (the others it only lists): the files of the artifact layout, which the reader parses.
 * Anything else — a README, test cases, a stray large file — is listed only, and read if someone asks.
 */
export function isReadByScan(path: string): boolean {
  return !isNonArtifactFile(path) && parseArtifactPath(path) !== undefined;
}
