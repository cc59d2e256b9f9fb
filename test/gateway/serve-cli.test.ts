/** `apimops serve` through the CLI entry point, in-process: bad input exits 2 with every problem and its position. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apimops-serve-cli-'));
  mkdirSync(join(dir, 'apis', 'a', 'operations', 'get'), { recursive: true });
  writeFileSync(join(dir, 'policy.xml'), '<policies>\n  <inbound>\n    <set-header name="X">\n      <value>@(context.Nope.Here)</value>\n    </set-header>\n    <unknown-thing />\n  </inbound>\n  <backend><forward-request /></backend>\n</policies>\n');
  writeFileSync(join(dir, 'apis', 'a', 'api.yaml'), 'displayName: A\npath: a\nprotocols:\n  - http\nserviceUrl: http://127.0.0.1:9\nsubscriptionRequired: false\n');
  writeFileSync(join(dir, 'apis', 'a', 'operations', 'get', 'operation.yaml'), 'displayName: Get\nmethod: GET\nurlTemplate: /x\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { out: string; err: string } {
  const o = { out: '', err: '' } as CliIO & { out: string; err: string };
  return Object.assign(o, { stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t), env: {}, cwd: dir, interactive: false, color: false });
}

describe('apimops serve (in-process CLI)', () => {
  it('exits 2 listing every load error with file:line:column, without a stack trace', async () => {
    const cap = io();
    const code = await runCli(['node', 'apimops', 'serve', dir, '--port', '0'], cap);
    expect(code).toBe(2);
    expect(cap.err).toMatch(/policy\.xml:4:\d+: <value>: .*Nope/);
    expect(cap.err).toContain('policy.xml:6:5: policy <unknown-thing> is not supported by apimops serve');
    expect(cap.err).toContain('apimops: the artifact folder cannot be served: 2 errors');
    expect(cap.err).not.toMatch(/\n\s+at /);
  });
  it('rejects a malformed --backend with a usage error', async () => {
    const cap = io();
    expect(await runCli(['node', 'apimops', 'serve', dir, '--backend', 'nourl'], cap)).toBe(2);
    expect(cap.err).toContain('--backend: "nourl" is not <name>=<url>');
  });
});
