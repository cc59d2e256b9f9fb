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

/** How `walkFolder` orders what it finds. */
export interface WalkOrder {
  /**
   * API folders (`apis/` at the root or in a workspace) after everything else, each still in sorted order:
   * a reader then knows every resource an API may refer to (products, named values, fragments, gateways…)
   * before the API's own files, and can finish an API as soon as its folder has been read (lint does).
   */
  apisLast?: boolean;
}

/**
 * Walks `root` depth-first and calls `onFile` with every file's path (relative, `/`-separated) in exactly the
 * order of sorting the full paths (`files.sort()`), so nothing needs sorting afterwards and a reading thread
 * can read files as it finds them — or, with `apisLast`, in that order with the API folders moved to the end.
 * Siblings are visited by their name with a `/` after a folder's: every path under folder `a` starts `a/`, so
 * it sorts as `a/` does against a sibling (`a-b/…` before `a/…`, a file `a` before both). Skipped folders are
 * not entered; a folder that cannot be read throws the file system's error.
 */
export function walkFolder(root: string, onFile: (path: string) => void, order: WalkOrder = {}): void {
  const apiFolders: [dir: string, rel: string][] = [];
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
      if (!directory) onFile(path);
      // `apis/` at the root or in a workspace (`workspaces/<w>/apis/`): the API folders.
      else if (order.apisLast && name === 'apis' && nameAfterApis(`${path}/`) === path.length + 1) apiFolders.push([dir + sep + name, path]);
      else walk(dir + sep + name, path);
    }
  };
  walk(root, '');
  for (const [dir, rel] of apiFolders) walk(dir, rel);
}

/** Where the API's name starts in `apis/<a>…` or `workspaces/<w>/apis/<a>…`; -1 for any other path. */
function nameAfterApis(path: string): number {
  let start = 0;
  if (path.startsWith('workspaces/')) {
    const slash = path.indexOf('/', 11);
    if (slash < 0) return -1;
    start = slash + 1;
  }
  return path.startsWith('apis/', start) ? start + 5 : -1;
}

/** `apis/<a>/…` or `workspaces/<w>/apis/<a>/…`: the key of the API whose folder holds the path (`/apis/<a>`). */
export function apiFolderKeyOf(path: string): string | undefined {
  const name = nameAfterApis(path);
  const end = name < 0 ? -1 : path.indexOf('/', name);
  return end < 0 ? undefined : `/${path.slice(0, end)}`;
}

/**
 * A sorted listing in the order of `walkFolder` with `apisLast`: every path outside an `apis/` folder (at the
 * root or in a workspace) first, in order, then the paths under them, in order (a stable partition).
 */
export function apisLast(sorted: readonly string[]): string[] {
  const context: string[] = [];
  const apis: string[] = [];
  for (const p of sorted) (nameAfterApis(p) >= 0 ? apis : context).push(p);
  return context.concat(apis);
}

/**
 * Files a scan reads (the others it only lists): the files of the artifact layout, which the reader parses.
 * Anything else — a README, test cases, a stray large file — is listed only, and read if someone asks.
 */
export function isReadByScan(path: string): boolean {
  return !isNonArtifactFile(path) && parseArtifactPath(path) !== undefined;
}
