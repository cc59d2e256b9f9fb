import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../shared/errors.js';
import type { FileSource } from './file-source.js';

/** Folders never part of an artifact tree (tool state, VCS, dependencies). */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.apimops']);

/**
 * A `FileSource` over a folder on disk. The listing is taken once, lazily, and sorted; paths are relative
 * and `/`-separated whatever the platform.
 */
export function folderSource(root: string, description: string = root): FileSource {
  let listing: Promise<string[]> | undefined;
  return {
    description,
    listFiles() {
      listing ??= listFolder(root);
      return listing;
    },
    async readText(path: string) {
      try {
        return await readFile(join(root, ...path.split('/')), 'utf8');
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw new UserError('E_IO', `cannot read ${join(root, path)}: ${(err as Error).message}`);
      }
    },
  };
}

async function listFolder(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    if (isNotFound(err)) throw new UserError('E_IO', `folder not found: ${root}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UserError('E_IO', `not a folder: ${root}`);
    throw new UserError('E_IO', `cannot read folder ${root}: ${(err as Error).message}`);
  }
  const files: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    if (rel.split('/').some((s) => SKIPPED_DIRS.has(s))) continue;
    files.push(rel);
  }
  return files.sort();
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** A `FileSource` over files held in memory (tests, `convert`, renders). */
export function memorySource(files: ReadonlyMap<string, string> | Record<string, string>, description = 'memory'): FileSource {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return {
    description,
    async listFiles() {
      return [...map.keys()].sort();
    },
    async readText(path: string) {
      return map.get(path);
    },
  };
}
