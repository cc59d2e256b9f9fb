/**
 * The worker thread of threaded-read.ts. Mode `read`: reads `paths` under `root` in order. Mode `scan`: walks
 * `root` (as folder-source.ts lists it: same skipped folders, same order but API folders last) and reads the files an artifact
 * reader can use as it finds them. Either way the bytes go into chunks that are moved to the main thread
 * with each file's length; no strings, no object per file. It imports only the layout's path rules, so it
 * starts in a few tens of milliseconds.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { sep } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { isReadByScan, walkFolder } from './folder-walk.js';
import { NOT_FOUND, NOT_READ, type ByteBatch, type ReadWorkerData } from './threaded-read.js';

/** Bytes per chunk; a chunk goes out when it has fewer than SMALL bytes left or BATCH_FILES files. */
const CHUNK = 512 * 1024;
const SMALL = 64 * 1024;
/** Files per batch at most: the main thread starts parsing after the first batch, so keep it short. */
const BATCH_FILES = 256;

const data = workerData as ReadWorkerData;
const port = parentPort!;
/** `root` + separator: listed paths are already normalised, so no `path.join` per file. */
const prefix = data.root.endsWith(sep) ? data.root : data.root + sep;

/** Uninitialised memory, not from the pool (each chunk is transferred); zero-filling cost a tenth of the reading. */
const newChunk = () => Buffer.allocUnsafeSlow(CHUNK);
let chunk = newChunk();
let used = 0;
let lengths: number[] = [];
let paths: string[] = [];

/** Thrown to stop at the first error, after the files before it went out. */
class Stop extends Error {}

function send(extra: Partial<ByteBatch> = {}): void {
  const batch: ByteBatch = { bytes: chunk.buffer as ArrayBuffer, lengths, ...(data.mode === 'scan' ? { paths } : {}), ...extra };
  port.postMessage(batch, [batch.bytes]);
  chunk = newChunk();
  used = 0;
  lengths = [];
  paths = [];
}

function fail(error: NonNullable<ByteBatch['error']>): never {
  send({ error });
  throw new Stop();
}

/** Reads one file into the chunk (or, when larger than what is left, into a batch of its own). */
function readOne(path: string, read: boolean): void {
  if (CHUNK - used < SMALL || lengths.length === BATCH_FILES) send();
  if (data.mode === 'scan') paths.push(path);
  if (!read) {
    lengths.push(NOT_READ);
    return;
  }
  let fd: number;
  try {
    fd = openSync(prefix + (sep === '/' ? path : path.split('/').join(sep)), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      lengths.push(NOT_FOUND);
      return;
    }
    if (data.mode === 'scan') paths.pop();
    fail({ path, message: (err as Error).message });
  }
  try {
    // One read at offset 0 (it does not move the file position); less than asked for is the whole file.
    const n = readSync(fd, chunk, used, CHUNK - used, 0);
    if (n < CHUNK - used) {
      used += n;
      lengths.push(n);
    } else {
      // A file larger than what is left (at least SMALL): read it whole, from the start, as a batch of its own.
      const whole = readFileSync(fd);
      if (data.mode === 'scan') paths.pop();
      send();
      chunk = whole;
      used = whole.length;
      lengths.push(whole.length);
      if (data.mode === 'scan') paths.push(path);
      send();
    }
  } catch (err) {
    if (err instanceof Stop) throw err;
    if (data.mode === 'scan') paths.pop();
    fail({ path, message: (err as Error).message });
  } finally {
    closeSync(fd);
  }
}

/** The walk of folder-walk.ts (the main thread's listing), reading each file of the layout as it is found. */
function scan(): void {
  try {
    walkFolder(data.root, (path) => readOne(path, isReadByScan(path)), { apisLast: true });
  } catch (err) {
    if (err instanceof Stop) throw err;
    fail({ path: '', message: (err as Error).message, code: (err as NodeJS.ErrnoException).code ?? '', listing: true });
  }
}

try {
  if (data.mode === 'scan') scan();
  else for (const path of data.paths) readOne(path, true);
  send({ done: true });
} catch (err) {
  if (!(err instanceof Stop)) throw err;
}
