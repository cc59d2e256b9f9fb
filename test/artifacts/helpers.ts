import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../../src/cli/io.js';
import { SHARED_DIR } from '../support/shared.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE = join(REPO, 'artifacts-sample');
export const SHARED = SHARED_DIR;
export const FIXTURES = join(SHARED, 'fixtures', 'arm-apim-examples', '2024-05-01');
export const CORPUS = join(SHARED, 'corpus', 'policy-snippets', 'examples');

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'apimops-artifacts-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files (relative path → text) under a folder. */
export function writeTree(root: string, files: Record<string, string> | Map<string, string>): void {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  for (const [p, text] of entries) {
    const file = join(root, ...p.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** A CliIO that captures output. */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env,
    cwd,
    interactive: false,
    color: false,
    out: () => out,
    err: () => err,
  };
}
