import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import type { FileSource } from './file-source.js';

/** Folders never part of an artifact tree (tool state, VCS, dependencies). */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.apimops']);

/**
 * Files read synchronously between two turns of the event loop. Synchronous reads of small files are 4–5×
 * faster than `fs/promises` (one thread-pool round trip per open/stat/read/close each); yielding every batch
 * keeps a running server (serve's reload) responsive.
 */
const BATCH = 256;

/**
 * A `FileSource` over a folder on disk. The listing is taken once, lazily, and sorted; paths are relative
 * and `/`-separated whatever the platform.
 */
export function folderSource(root: string, description: string = root): FileSource {
  let listing: Promise<string[]> | undefined;
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(join(root, ...path.split('/')), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new UserError('E_IO', `cannot read ${join(root, path)}: ${(err as Error).message}`);
    }
  };
  return {
    description,
    listFiles() {
      listing ??= listFolder(root);
      return listing;
    },
    async readText(path: string) {
      return read(path);
    },
    async readTexts(paths: readonly string[]) {
      const out = new Array<string | undefined>(paths.length);
      for (let i = 0; i < paths.length; i++) {
        if (i > 0 && i % BATCH === 0) await yieldToEventLoop();
        out[i] = read(paths[i]!);
      }
      return out;
    },
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Every file under `root`, relative and sorted. A synchronous walk (one `readdirSync` per folder) is 3–4×
 * faster than `readdir({ recursive: true })` of `fs/promises` on large trees; skipped folders are not entered.
 */
async function listFolder(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = (dir: string, rel: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name), path);
      } else if (e.isFile()) {
        files.push(path);
      }
    }
  };
  try {
    walk(root, '');
  } catch (err) {
    if (isNotFound(err)) throw new UserError('E_IO', `folder not found: ${root}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UserError('E_IO', `not a folder: ${root}`);
    throw new UserError('E_IO', `cannot read folder ${root}: ${(err as Error).message}`);
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
