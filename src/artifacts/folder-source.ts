import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import type { FileSource } from './file-source.js';
import { apisLast, isReadByScan, walkFolder } from './folder-walk.js';
import { canReadInWorker, READ_WORKER, ReadWorkerUnavailable, readFilesInWorker, scanFolderInWorker } from './threaded-read.js';

/**
 * Files read synchronously between two turns of the event loop. Synchronous reads of small files are 4–5×
 * faster than `fs/promises` (one thread-pool round trip per open/stat/read/close each); yielding every batch
 * keeps a running server (serve's reload) responsive.
 */
const BATCH = 256;

/**
 * From this many files on, `readTextBatches` reads in a worker thread (threaded-read.ts). Starting one takes
 * ~30–60 ms before the first batch; the overlap of reading and parsing pays that back from a few thousand
 * files (bench/lint.ts: 24,012 files).
 */
const THREADED_READ_FROM = 2000;

/**
 * `scan` walks and reads in a worker thread when the folder has at least this many APIs (a folder that
 * size has several thousand files; one look at `apis/` says so before anything is listed).
 */
const SCAN_FROM_APIS = 200;

/** Options of `folderSource` (tests set them low to exercise the threaded paths on small folders). */
export interface FolderSourceOptions {
  /** Streamed reads of at least this many files use a worker thread (default 2,000). */
  threadedReadFrom?: number;
  /** `scan` is offered when `apis/` has at least this many entries (default 200). */
  scanFromApis?: number;
  /** The reading thread's script (tests give one that cannot start, to see the fallback). */
  readWorker?: URL;
}

/**
 * A `FileSource` over a folder on disk. The listing is taken once, lazily, and sorted; paths are relative
 * and `/`-separated whatever the platform.
 */
export function folderSource(root: string, description: string = root, options: FolderSourceOptions = {}): FileSource {
  const threadedFrom = options.threadedReadFrom ?? THREADED_READ_FROM;
  const scanFromApis = options.scanFromApis ?? SCAN_FROM_APIS;
  const worker = options.readWorker ?? READ_WORKER;
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
    scan() {
      // Once listed, reading what is wanted is as quick; a small folder is not worth a thread.
      if (listing !== undefined || !canReadInWorker() || countEntries(join(root, 'apis')) < scanFromApis) return undefined;
      return (async function* () {
        let found: string[] = [];
        try {
          for await (const batch of scanFolderInWorker(root, (code, message) => listError(root, code, message), worker)) {
            for (const p of batch.paths) found.push(p);
            yield batch;
          }
        } catch (e) {
          if (!(e instanceof ReadWorkerUnavailable)) throw e;
          // No thread (nothing was yielded yet): list and read here, in the same order and batches.
          found = apisLast(await listFolder(root));
          for await (const paths of inBatches(found)) yield { paths, texts: paths.map((p) => (isReadByScan(p) ? read(p) : null)) };
        }
        // The scan lists a sorted listing with the API folders last: later listFiles() calls need no walk, only a
        // sort (of two sorted runs: a merge).
        listing ??= Promise.resolve(found.sort());
      })();
    },
    async *readTextBatches(paths: readonly string[]) {
      if (paths.length >= threadedFrom && canReadInWorker()) {
        try {
          yield* readFilesInWorker(root, paths, worker);
          return;
        } catch (e) {
          if (!(e instanceof ReadWorkerUnavailable)) throw e;
          // No thread, and nothing was yielded yet: read here.
        }
      }
      for await (const batch of inBatches(paths)) yield batch.map((p) => read(p));
    },
  };
}

/** `paths` in slices of BATCH, with a turn of the event loop between two (reads on this thread). */
async function* inBatches(paths: readonly string[]): AsyncGenerator<string[]> {
  for (let i = 0; i < paths.length; i += BATCH) {
    if (i > 0) await yieldToEventLoop();
    yield paths.slice(i, i + BATCH);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Every file under `root`, relative and sorted (folder-walk.ts). A synchronous walk (one `readdirSync` per
 * folder) is 3–4× faster than `readdir({ recursive: true })` of `fs/promises` on large trees.
 */
async function listFolder(root: string): Promise<string[]> {
  const files: string[] = [];
  try {
    walkFolder(root, (path) => files.push(path));
  } catch (err) {
    throw listError(root, (err as NodeJS.ErrnoException).code ?? '', (err as Error).message);
  }
  return files;
}

/** The error for a folder that cannot be listed (also for a worker's scan: the same words). */
function listError(root: string, code: string, message: string): UserError {
  if (code === 'ENOENT') return new UserError('E_IO', `folder not found: ${root}`);
  if (code === 'ENOTDIR') return new UserError('E_IO', `not a folder: ${root}`);
  return new UserError('E_IO', `cannot read folder ${root}: ${message}`);
}

/** Entries of a folder, 0 when it cannot be read. */
function countEntries(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
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
