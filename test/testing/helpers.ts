/** Helpers for the `apimops test` tests: temp folders with small artifact trees, CLI runs in-process. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE = join(REPO, 'artifacts-sample');

/** A temp folder removed by `cleanup`. */
export function tempDir(prefix = 'apimops-testing-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → text) under `root`. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/** Runs the CLI in-process; returns exit code and output. */
export async function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, cwd, interactive: false, color: false };
  const code = await runCli(['node', 'apimops', ...args], io);
  return { code, out, err };
}

/**
 * A small folder: API `shop` at /shop (no subscription), backend `https://shop.example.com/v1`, a global
 * policy stamping the time, and `policy` as the API policy.
 */
export function shopFolder(apiPolicy: string): Record<string, string> {
  return {
    'policy.xml': `<policies>
  <inbound>
    <set-variable name="startedAt" value="@(DateTime.UtcNow.ToString(&quot;yyyy-MM-ddTHH:mm:ssZ&quot;))" />
  </inbound>
  <backend>
    <forward-request timeout="1" />
  </backend>
  <outbound />
  <on-error />
</policies>
`,
    'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nprotocols: [https]\nserviceUrl: https://shop.example.com/v1\nsubscriptionRequired: false\n',
    'apis/shop/operations/get-item/operation.yaml': 'displayName: Get item\nmethod: GET\nurlTemplate: /items/{id}\n',
    'apis/shop/operations/create-item/operation.yaml': 'displayName: Create item\nmethod: POST\nurlTemplate: /items\n',
    'apis/shop/policy.xml': apiPolicy,
  };
}
