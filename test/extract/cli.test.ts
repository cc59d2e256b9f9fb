// `apimops extract` end to end through the CLI entry point (runCli, in-process) against the fake ARM seeded
// with artifacts-sample/: environments from apimops.yaml, text and JSON output, exit codes, error messages.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';
import { seedFakeFromFolder } from '../support/fake-arm/seed.js';

const SAMPLE = join(import.meta.dirname, '../../artifacts-sample');
let fake: FakeArm;
let dir: string;

function io(cwd: string): CliIO & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
    env: {},
    cwd,
    interactive: false,
    color: false,
  };
  return captured;
}

const run = async (args: string[]) => {
  const c = io(dir);
  const code = await runCli(['node', 'apimops', ...args], c);
  return { code, out: c.out, err: c.err };
};

beforeAll(async () => {
  fake = await startFakeArm();
  await seedFakeFromFolder(fake, SAMPLE);
  dir = mkdtempSync(join(tmpdir(), 'apimops-cli-extract-'));
  writeFileSync(
    join(dir, 'apimops.yaml'),
    `artifacts: artifacts\nenvironments:\n  dev:\n    subscriptionId: ${fake.subscriptionId}\n    resourceGroup: ${fake.resourceGroup}\n    serviceName: ${fake.serviceName}\n    endpoint: ${fake.url}\n`,
  );
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('apimops extract (CLI)', () => {
  it('extracts an environment of apimops.yaml into its artifacts folder (exit 0, summary on stdout)', async () => {
    const r = await run(['extract', '--env', 'dev']);
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Extracted .*1 api.* into artifacts\.\n\d+ files written, 0 removed \(\d+ ARM calls in [\d.]+s\)\.\n$/);
    expect(r.err).toContain('extract'); // plain progress lines in a non-interactive run
    expect(readFileSync(join(dir, 'artifacts/apis/payments-api/specification.yaml'), 'utf8')).toBe(readFileSync(join(SAMPLE, 'apis/payments-api/specification.yaml'), 'utf8'));
    const again = await run(['extract', '--env', 'dev']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No changes: artifacts already matches the service');
  });

  it('--output json prints one JSON document with counts and paths', async () => {
    const r = await run(['extract', '--subscription', fake.subscriptionId, '--resource-group', fake.resourceGroup, '--service', fake.serviceName, '--endpoint', fake.url, '--out', 'json-out', '--output', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { ok: boolean; out: string; extracted: Record<string, number>; files: { written: number }; calls: number };
    expect(doc.ok).toBe(true);
    expect(doc.out).toBe(join(dir, 'json-out'));
    expect(doc.extracted).toMatchObject({ api: 1, product: 2, namedValue: 3, policyFragment: 1, apiOperationPolicy: 2 });
    expect(doc.files.written).toBeGreaterThan(20);
    expect(r.err).toBe('');
  });

  it('a persistent 403 exits 2 with what was and was not read; the folder is untouched', async () => {
    const before = readFileSync(join(dir, 'artifacts/products/premium/product.yaml'), 'utf8');
    fake.faults.set([{ path: '/products', status: 403 }]);
    try {
      const r = await run(['extract', '--env', 'dev']);
      expect(r.code).toBe(2);
      expect(r.out).toContain('Extract failed: 1 resource could not be read; artifacts was not changed.');
      expect(r.out).toMatch(/Read: .*1 api/);
      expect(r.out).toContain("Not read: /products (product): Forbidden: list product '/products': the identity apimops runs as needs the API Management Service Reader role");
      expect(r.out).toContain('hint: assign the role');
    } finally {
      fake.faults.set([]);
    }
    expect(readFileSync(join(dir, 'artifacts/products/premium/product.yaml'), 'utf8')).toBe(before);
  });

  it('--output json still prints one document when the service cannot be read at all', async () => {
    const r = await run(['extract', '--subscription', fake.subscriptionId, '--resource-group', fake.resourceGroup, '--service', 'apim-typo', '--endpoint', fake.url, '--out', 'x', '--output', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'E_ARM', message: expect.stringContaining("Not found: get service 'apim-typo'") } });
    expect(r.err).toContain("apimops: Not found: get service 'apim-typo'");
  });

  it('usage errors exit 2 with a way out', async () => {
    const r = await run(['extract', '--service', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('extract needs the service: --subscription, --resource-group are missing');
    expect(r.err).toContain('hint: pass --env <name>');
    const p = await run(['extract', '--env', 'dev', '--parallelism', '0']);
    expect(p.code).toBe(2);
    expect(p.err).toContain("--parallelism must be an integer from 1 to 64 (got '0')");
    const e = await run(['extract', '--subscription', fake.subscriptionId, '--resource-group', 'rg', '--service', 's', '--endpoint', 'http://example.com']);
    expect(e.code).toBe(2);
    expect(e.err).toContain("--endpoint 'http://example.com': ARM endpoints must use https");
  });

  it('extract.filter of apimops.yaml is found in the artifact folder (like overrides), and a filtered run keeps the rest', async () => {
    const config = readFileSync(join(dir, 'apimops.yaml'), 'utf8');
    writeFileSync(join(dir, 'filtered.yaml'), `${config}extract:\n  filter: configuration.extractor.yaml\n`);
    writeFileSync(join(dir, 'artifacts/configuration.extractor.yaml'), 'namedValues: [tenant-*]\napis: []\nproducts: []\n');
    writeFileSync(join(dir, 'artifacts/namedValues/tenant-id/namedValue.yaml'), 'displayName: TenantId\nsecret: false\nvalue: stale\n');
    const r = await run(['--config', 'filtered.yaml', 'extract', '--env', 'dev']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Extracted .*namedValue/); // tenant-id, and what the global policy's fragment needs
    const body = (t: string) => t.split('\n').slice(1).join('\n'); // after the $schema line (a URL outside this repo)
    expect(body(readFileSync(join(dir, 'artifacts/namedValues/tenant-id/namedValue.yaml'), 'utf8'))).toBe(body(readFileSync(join(SAMPLE, 'namedValues/tenant-id/namedValue.yaml'), 'utf8')));
    expect(existsSync(join(dir, 'artifacts/apis/payments-api/api.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'artifacts/configuration.extractor.yaml'))).toBe(true);
  });

  it('a bad filter file is reported with file:line:column before any call', async () => {
    writeFileSync(join(dir, 'bad-filter.yaml'), 'apis:\n  - payments-api\nnamedValue: []\n');
    const calls = fake.requestCount();
    const r = await run(['extract', '--env', 'dev', '--filter', 'bad-filter.yaml', '--out', 'never']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("bad-filter.yaml:3:1: unknown key 'namedValue' (did you mean 'namedValues'?)");
    expect(fake.requestCount()).toBe(calls);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
