/**
 * A large folder is listed and read by a worker thread (src/artifacts/threaded-read.ts, read-worker.ts) while
 * the main thread parses it. The worker is the compiled one in dist/ (`npm test` builds first), so these tests
 * load the compiled modules. What must hold: the same files in the same order, the same texts byte for byte,
 * the same errors, and therefore the same state, diagnostics and lint findings as the one-thread read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as FolderSourceModule from '../../src/artifacts/folder-source.js';
import type * as ReaderModule from '../../src/artifacts/reader.js';
import type * as ThreadedModule from '../../src/artifacts/threaded-read.js';
import type * as LintRunModule from '../../src/lint/run.js';
import * as walk from '../../src/artifacts/folder-walk.js';
import { CORPUS_DIR as CORPUS } from '../support/shared.js';
import { isNonArtifactFile } from '../../src/artifacts/build.js';
import { parseArtifactPath } from '../../src/artifacts/paths.js';

const REPO = join(import.meta.dirname, '..', '..');
const dist = async <T>(path: string) => (await import(pathToFileURL(join(REPO, 'dist', path)).href)) as T;

let fs: typeof FolderSourceModule;
let reader: typeof ReaderModule;
let threaded: typeof ThreadedModule;
let lint: typeof LintRunModule;
let dir: string;

/** The threaded paths on any folder size, and never. */
const THREADED = { threadedReadFrom: 1, scanFromApis: 0 };
const ONE_THREAD = { threadedReadFrom: Number.MAX_SAFE_INTEGER, scanFromApis: Number.MAX_SAFE_INTEGER };

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

beforeAll(async () => {
  fs = await dist('artifacts/folder-source.js');
  reader = await dist('artifacts/reader.js');
  threaded = await dist('artifacts/threaded-read.js');
  lint = await dist('lint/run.js');
  expect(threaded.canReadInWorker()).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'apimops-threaded-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every batch of a scan, joined. */
async function scanAll(root: string): Promise<{ paths: string[]; texts: (string | null | undefined)[] }> {
  const scan = fs.folderSource(root, root, THREADED).scan?.();
  expect(scan).toBeDefined();
  const paths: string[] = [];
  const texts: (string | null | undefined)[] = [];
  for await (const b of scan!) {
    paths.push(...b.paths);
    texts.push(...b.texts);
  }
  return { paths, texts };
}

describe('scan (list and read in a worker)', () => {
  it('lists exactly what the one-thread walk lists, in the same order, and reads what an artifact reader uses', async () => {
    const root = join(dir, 'tricky');
    const big = 'x'.repeat(700 * 1024) + '\n';
    write(root, {
      'a/x.yaml': 'a: 1\n',
      'a-b/x.yaml': 'b: 1\n',
      'a.b/x.yaml': 'c: 1\n',
      'a0/x.yaml': 'd: 1\n',
      'A/x.yaml': 'e: 1\n',
      'a b/x.yaml': 'f: 1\n',
      a1: 'file beside folders\n',
      'apis/x': 'a file with the name its sibling folders start with\n',
      'apis/x-y/api.yaml': 'displayName: x-y\n',
      'apis/x.y/policy.xml': '<policies />',
      'apis/x0/api.yaml': 'displayName: x0\n',
      'apis/big/specification.yaml': big,
      'namedValues/mid/namedValue.yaml': `value: ${'y'.repeat(100 * 1024)}\n`,
      'apis/empty/api.yaml': '',
      'apis/utf8/api.yaml': '\uFEFFdisplayName: "Zürich ✓ 日本 🚀"\r\npath: utf8\r\n',
      'big/specification.yaml': 'not in the layout: listed, not read\n',
      'tests/case.test.yaml': 'cases: []\n',
      'README.md': '# not read\n',
      'notes.txt': 'not read\n',
      '.git/config': 'skipped\n',
      'node_modules/p/x.yaml': 'skipped\n',
      '.apimops/key.pem': 'skipped\n',
      '.hidden/x.yaml': 'listed\n',
      'workspaces/w/apis/z/api.yaml': 'displayName: z\n',
      'workspaces/w/products/p/product.yaml': 'displayName: p\n',
      'workspaces/w/zz.txt': 'not read\n',
    });
    // Full-path order puts `a-b/…` before `a/…` and the file `apis/x` before `apis/x-y/…`: a walk must sort
    // siblings as parts of full paths, not by name alone. A scan gives the API folders (at the root and in a
    // workspace) after everything else, each part in that order.
    const expected = await fs.folderSource(root, root, ONE_THREAD).listFiles();
    expect(expected).toEqual([...expected].sort());
    const { paths, texts } = await scanAll(root);
    expect(paths).toEqual(walk.apisLast(expected));
    expect([...paths].sort()).toEqual(expected);
    const firstApi = paths.findIndex((p) => p.startsWith('apis/'));
    expect(paths.slice(firstApi).every((p) => /^(workspaces\/w\/)?apis\//.test(p))).toBe(true);
    expect(paths.indexOf('workspaces/w/zz.txt')).toBeLessThan(firstApi);
    expect(paths.indexOf('workspaces/w/apis/z/api.yaml')).toBeGreaterThan(paths.indexOf('apis/x0/api.yaml'));
    // The files of the artifact layout are read; anything else is listed only.
    for (const [i, p] of paths.entries()) {
      if (!isNonArtifactFile(p) && parseArtifactPath(p)) expect(texts[i], p).toBe(readFileSync(join(root, p), 'utf8'));
      else expect(texts[i], p).toBeNull();
    }
    expect(texts[paths.indexOf('apis/big/specification.yaml')]).toBe(big);
    expect(texts[paths.indexOf('apis/empty/api.yaml')]).toBe('');
    expect(texts[paths.indexOf('apis/utf8/api.yaml')]).toContain('\uFEFF');
    expect(texts.filter((t) => typeof t === 'string').length).toBe(9);
    expect(texts[paths.indexOf('README.md')]).toBeNull();
    expect(texts[paths.indexOf('tests/case.test.yaml')]).toBeNull();
  });

  it('after a complete scan, listFiles gives the scan listing without walking again', async () => {
    const root = join(dir, 'listing');
    write(root, { 'apis/a/api.yaml': 'displayName: a\n', 'b.yaml': 'x: 1\n' });
    const source = fs.folderSource(root, root, THREADED);
    const scan = source.scan?.();
    for await (const _ of scan!) void _;
    write(root, { 'c.yaml': 'added after the scan\n' });
    expect(await source.listFiles()).toEqual(['apis/a/api.yaml', 'b.yaml']);
    expect(source.scan?.()).toBeUndefined(); // listed: reading what is wanted is as quick
  });

  it('is not offered for a folder with few APIs', async () => {
    const root = join(dir, 'small');
    write(root, { 'apis/a/api.yaml': 'displayName: a\n' });
    expect(fs.folderSource(root).scan?.()).toBeUndefined();
  });

  it('fails as the one-thread listing fails for a missing folder or a file', async () => {
    const missing = join(dir, 'no-such-folder');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const root of [missing, file]) {
      const sync = await fs.folderSource(root, root, ONE_THREAD).listFiles().then(() => undefined, (e: Error) => e);
      const scan = fs.folderSource(root, root, { scanFromApis: -1 }).scan?.();
      expect(scan).toBeDefined();
      const threadedError = await (async () => {
        for await (const _ of scan!) void _;
      })().then(() => undefined, (e: Error) => e);
      expect(threadedError?.message).toBe(sync?.message);
      expect((threadedError as { code?: string }).code).toBe('E_IO');
    }
  });
});

describe('a reading thread that cannot start', () => {
  const failing = { ...THREADED, readWorker: pathToFileURL(join(import.meta.dirname, 'fixtures', 'failing-read-worker.mjs')) };

  it('is reported as unavailable before anything is read', async () => {
    const r = join(REPO, 'artifacts-sample');
    const run = async () => {
      for await (const _ of threaded.readFilesInWorker(r, ['apis/payments-api/api.yaml'], failing.readWorker)) void _;
    };
    await expect(run()).rejects.toBeInstanceOf(threaded.ReadWorkerUnavailable);
  });

  it('scan and streamed reads fall back to this thread, with the same listing, texts and state', async () => {
    const r = join(REPO, 'artifacts-sample');
    const source = fs.folderSource(r, r, failing);
    const scanned: string[] = [];
    for await (const b of source.scan!()!) scanned.push(...b.paths);
    const listing = await fs.folderSource(r, r, ONE_THREAD).listFiles();
    expect(scanned).toEqual(walk.apisLast(listing));
    const texts: (string | undefined)[] = [];
    for await (const b of fs.folderSource(r, r, failing).readTextBatches!(listing)) texts.push(...b);
    expect(texts).toEqual(await fs.folderSource(r, r, ONE_THREAD).readTexts!(listing));
    expect(await reader.readArtifacts(fs.folderSource(r, r, failing))).toEqual(await reader.readArtifacts(fs.folderSource(r, r, ONE_THREAD)));
  });
});

describe('decodeBatch', () => {
  /** A batch as the worker sends it: the files' bytes one after the other, with their lengths. */
  const batchOf = (files: (string | Buffer | number)[]) => {
    const parts = files.filter((f): f is string | Buffer => typeof f !== 'number').map((f) => (typeof f === 'string' ? Buffer.from(f) : f));
    const bytes = Buffer.concat([...parts, Buffer.from('unused tail of the chunk')]);
    const lengths = files.map((f) => (typeof f === 'number' ? f : Buffer.byteLength(f)));
    return { bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, lengths };
  };

  it('decodes an ASCII batch (one string, sliced per file) and a UTF-8 one as readFileSync would', () => {
    const ascii = ['displayName: a\r\n', '', '<policies>\n  <inbound><base /></inbound>\n</policies>\n', 'x'];
    expect(threaded.decodeBatch(batchOf([ascii[0]!, threaded.NOT_READ, ascii[1]!, threaded.NOT_FOUND, ascii[2]!, ascii[3]!]))).toEqual([
      ascii[0],
      null,
      ascii[1],
      undefined,
      ascii[2],
      ascii[3],
    ]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\n')]);
    const mixed = ['path: plain\n', 'displayName: "Zürich ✓ 日本 🚀"\n', bom, 'n: 2\n'];
    expect(threaded.decodeBatch(batchOf(mixed))).toEqual(mixed.map((f) => (typeof f === 'string' ? f : f.toString('utf8'))));
    expect(threaded.decodeBatch(batchOf(mixed))[2]).toBe('\uFEFFa: 1\n');
  });
});

describe('readFilesInWorker (read given paths in a worker)', () => {
  it('gives the texts of the synchronous read, undefined for a missing file, in order across batches', async () => {
    const root = join(dir, 'many');
    const files: Record<string, string> = {};
    for (let i = 0; i < 700; i++) files[`f/${String(i).padStart(4, '0')}.yaml`] = `n: ${i}\r\n${'é'.repeat(i % 7)}\n`;
    files['f/large.json'] = JSON.stringify({ data: 'z'.repeat(600 * 1024) });
    write(root, files);
    const paths = [...Object.keys(files), 'f/missing.yaml'];
    const texts: (string | undefined)[] = [];
    for await (const b of threaded.readFilesInWorker(root, paths)) texts.push(...b);
    const sync = await fs.folderSource(root, root, ONE_THREAD).readTexts!(paths);
    expect(texts).toEqual(sync);
    expect(texts.at(-1)).toBeUndefined();
  });

  it('fails with the message of the synchronous read for a file that cannot be read', async () => {
    const root = join(dir, 'unreadable');
    write(root, { 'ok.yaml': 'a: 1\n', 'folder/inner.yaml': 'b: 1\n' });
    const sync = await fs.folderSource(root, root, ONE_THREAD).readTexts!(['ok.yaml', 'folder']).then(() => undefined, (e: Error) => e);
    expect(sync?.message).toMatch(/^cannot read .*folder: EISDIR/);
    const got: (string | undefined)[] = [];
    const error = await (async () => {
      for await (const b of threaded.readFilesInWorker(root, ['ok.yaml', 'folder'])) got.push(...b);
    })().then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe(sync?.message);
    expect(got).toEqual(['a: 1\n']);
  });
});

describe('the artifact reader and lint on the threaded paths', () => {
  /** A folder with something for every part of the reader to say. */
  const FOLDER: Record<string, string> = {
    'policy.xml': '<policies>\n  <inbound />\n  <backend><forward-request /></backend>\n  <outbound />\n  <on-error />\n</policies>',
    'apis/alpha/api.yaml': 'displayName: alpha\npath: alpha\nprotocols:\n  - https\nserviceUrl: https://backend.example.com/alpha\n',
    'apis/alpha/policy.xml': '<policies>\n  <inbound><set-header name="X-Key" exists-action="override"><value>{{Missing}}</value></set-header></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
    'apis/alpha/operations/get/operation.yaml': 'displayName: get\nmethod: GET\nurlTemplate: /x\n',
    'apis/alpha/operations/get/policy.xml': '<policies>\n  <inbound><base /><rate-limit calls="x" renewal-period="60" /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
    'apis/beta/api.yaml': 'displayName: [broken\n',
    'apis/gamma/api.yaml': 'displayName: gamma\npath: gamma\nprotocols: https\n',
    'apis/orphan/operations/op/policy.xml': '<policies><inbound><base /></inbound></policies>',
    'products/p/product.yaml': 'displayName: p\nsubscriptionRequired: false\napis:\n  - alpha\n  - nowhere\n',
    'namedValues/nv/namedValue.yaml': 'displayName: nv\nvalue: v\n',
    'stray.txt': 'unknown file\n',
    'snippets/loose.xml': '<policies><inbound><set-variable name="a" value="@(context.Subscription.Id)" /></inbound></policies>',
    'README.md': '# ignored\n',
  };

  it('reads the same state and diagnostics both ways', async () => {
    const root = join(dir, 'folder');
    write(root, FOLDER);
    for (const r of [root, join(REPO, 'artifacts-sample')]) {
      const one = await reader.readArtifacts(fs.folderSource(r, r, ONE_THREAD));
      const source = fs.folderSource(r, r, THREADED);
      expect(source.scan?.()).toBeDefined();
      const two = await reader.readArtifacts(fs.folderSource(r, r, THREADED));
      expect(two).toEqual(one);
      // Insertion order is part of the state (rules iterate it).
      for (const kind of Object.keys(one.state) as (keyof typeof one.state)[]) expect([...two.state[kind].keys()]).toEqual([...one.state[kind].keys()]);
    }
  });

  it('lints with the same findings both ways', async () => {
    const root = join(dir, 'folder');
    for (const r of [root, join(REPO, 'artifacts-sample'), CORPUS]) {
      const one = await lint.lintSource(fs.folderSource(r, r, ONE_THREAD));
      const two = await lint.lintSource(fs.folderSource(r, r, THREADED));
      expect(two).toEqual(one);
    }
    const one = await lint.lintSource(fs.folderSource(root, root, ONE_THREAD));
    expect(one.findings.length).toBeGreaterThan(3);
  });
});
