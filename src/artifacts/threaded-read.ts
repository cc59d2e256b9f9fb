/**
 * Reading a large folder in a worker thread while the main thread parses it. On the benchmark machine a
 * folder of 24,012 files takes ~0.3 s to list and ~0.45 s to read (open, read, close), about half of what the
 * artifact reader spends on it; in a worker both overlap the parsing instead of preceding it.
 *
 * The worker (read-worker.ts) reads files' bytes into a chunk, moves the chunk to the main thread (a transfer,
 * no copy) with each file's length, and starts the next. It makes no strings and no object per file, so it
 * hardly allocates and does not compete with the main thread's garbage collection; the main thread decodes
 * each file as `readFileSync(path, 'utf8')` would. (A first version posted strings: serialising them cost the
 * worker as much as reading.)
 */
import { isAscii } from 'node:buffer';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../shared/errors.js';

/** A file's length in a batch when it does not exist (it vanished after it was listed). */
export const NOT_FOUND = -1;
/** A file's length in a scan batch when it was listed but not read (not a kind of file an artifact reader uses). */
export const NOT_READ = -2;

/** What the worker is asked: read these paths, or walk the folder and read what it finds. */
export type ReadWorkerData = { mode: 'read'; root: string; paths: readonly string[] } | { mode: 'scan'; root: string };

/**
 * One batch from the worker: the files' bytes one after the other in `bytes`, each file's length in
 * `lengths` (or NOT_FOUND / NOT_READ) and, for a scan, their paths. The last batch has `done`; an error ends
 * the batches with `error` (the files before it are in that batch).
 */
export interface ByteBatch {
  bytes: ArrayBuffer;
  lengths: number[];
  paths?: string[];
  done?: boolean;
  error?: { path: string; message: string; code?: string; listing?: boolean };
}

/** A batch of a scan: paths in listing order and their texts (undefined: vanished; null: not read). */
export interface ScanBatch {
  paths: string[];
  texts: (string | null | undefined)[];
}

/** The compiled worker beside this module; absent when this code runs from the TypeScript sources (tests). */
export const READ_WORKER = new URL('./read-worker.js', import.meta.url);

/**
 * The worker could not start or died before its first batch (no threads allowed, out of memory…). Nothing
 * was read yet: the caller reads on its own thread instead.
 */
export class ReadWorkerUnavailable extends Error {}
let workerBuilt: boolean | undefined;

/** Whether the reading thread can run here (the compiled read-worker.js exists). */
export function canReadInWorker(): boolean {
  workerBuilt ??= existsSync(fileURLToPath(READ_WORKER));
  return workerBuilt;
}

/**
 * The texts of `paths` (relative, `/`-separated) under `root`, in order, in batches as the worker reads them.
 * A file that does not exist gives undefined; another read error is the UserError the synchronous read gives
 * (`cannot read <file>: <reason>`). Stopping the iteration early stops the worker.
 */
export async function* readFilesInWorker(root: string, paths: readonly string[], script: URL = READ_WORKER): AsyncGenerator<(string | undefined)[]> {
  for await (const batch of batchesFrom(script, { mode: 'read', root, paths })) {
    yield decodeBatch(batch).map((t) => t ?? undefined);
  }
}

/**
 * Every file under `root` (skipping what folder-source.ts skips), in the order of its sorted listing with the
 * API folders moved to the end (folder-walk.ts `apisLast`), with
 * the texts of the files an artifact reader uses; in batches as the worker finds and reads them. `onListError`
 * turns a failure to list a folder into the caller's error (the one its own listing gives).
 */
export async function* scanFolderInWorker(
  root: string,
  onListError: (code: string, message: string) => Error,
  script: URL = READ_WORKER,
): AsyncGenerator<ScanBatch> {
  for await (const batch of batchesFrom(script, { mode: 'scan', root }, onListError)) {
    yield { paths: batch.paths ?? [], texts: decodeBatch(batch) };
  }
}

/**
 * Starts a worker and yields its batches until the last; throws its error after yielding what came before, or
 * ReadWorkerUnavailable when it failed before its first batch.
 */
async function* batchesFrom(script: URL, data: ReadWorkerData, onListError?: (code: string, message: string) => Error): AsyncGenerator<ByteBatch> {
  // No inherited execArgv: the worker is plain compiled JavaScript, and loaders the process was started with
  // (e.g. `--import tsx`) would cost its start-up more than its whole read.
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data, execArgv: [] });
  } catch (e) {
    throw new ReadWorkerUnavailable((e as Error).message);
  }
  let received = 0;
  const queue: ByteBatch[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (m: ByteBatch) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e: Error) => {
    failure ??= e;
    notify();
  });
  // Messages posted before the worker ended are delivered before 'exit'.
  worker.on('exit', () => {
    failure ??= new Error('the reading thread stopped early');
    notify();
  });
  try {
    for (;;) {
      const batch = queue.shift();
      if (!batch) {
        if (failure && received === 0) throw new ReadWorkerUnavailable(failure.message);
        if (failure) throw new UserError('E_IO', `cannot read ${data.root}: ${failure.message}`);
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      received++;
      yield batch;
      const error = batch.error;
      if (error?.listing && onListError) throw onListError(error.code ?? '', error.message);
      if (error) throw new UserError('E_IO', `cannot read ${join(data.root, error.path)}: ${error.message}`);
      if (batch.done) return;
    }
  } finally {
    worker.removeAllListeners();
    void worker.terminate();
  }
}

/** The texts of a batch, decoded as `readFileSync(path, 'utf8')` decodes (a BOM stays): undefined for NOT_FOUND, null for NOT_READ. */
export function decodeBatch(batch: ByteBatch): (string | null | undefined)[] {
  const bytes = Buffer.from(batch.bytes);
  const texts: (string | null | undefined)[] = new Array(batch.lengths.length);
  let total = 0;
  for (const n of batch.lengths) if (n > 0) total += n;
  // An ASCII batch (the usual artifact folder) is decoded once, and each file is a slice of that string: a
  // byte offset is then a character offset. One string per file would be copied by the young-generation GC
  // (every text is kept for the run) and cost a call into the decoder each; a slice is a small view.
  const whole = isAscii(bytes.subarray(0, total)) ? bytes.toString('latin1', 0, total) : undefined;
  let offset = 0;
  for (let i = 0; i < batch.lengths.length; i++) {
    const n = batch.lengths[i]!;
    if (n === NOT_FOUND) texts[i] = undefined;
    else if (n === NOT_READ) texts[i] = null;
    else {
      texts[i] = whole !== undefined ? whole.slice(offset, offset + n) : bytes.toString('utf8', offset, offset + n);
      offset += n;
    }
  }
  return texts;
}
