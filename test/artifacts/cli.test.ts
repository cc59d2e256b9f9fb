import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { renderApiopsArtifacts } from '../../src/artifacts/apiops-layout.js';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { readArtifacts } from '../../src/artifacts/reader.js';
import { runCli } from '../../src/cli/main.js';
import { BAD_FOLDER } from './bad-folder.js';
import { captureIO, SAMPLE, tempDir, writeTree } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** A project: apimops.yaml + the sample under artifacts/. */
function project(): string {
  const { dir, cleanup } = tempDir('apimops-cli-');
  cleanups.push(cleanup);
  cpSync(SAMPLE, join(dir, 'artifacts'), { recursive: true });
  writeTree(dir, { 'apimops.yaml': 'artifacts: artifacts\nenvironments:\n  dev:\n    serviceName: apim-dev\n    overrides: configuration.dev.yaml\n' });
  return dir;
}

async function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO(cwd, env);
  const code = await runCli(['node', 'apimops', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('apimops render', () => {
  it('prints the effective state after the environment overrides, secrets masked', async () => {
    const dir = project();
    const r = await run(dir, ['render', '--env', 'dev']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = parseYaml(r.out) as Record<string, { kind: string; properties: Record<string, unknown>; policy?: string }>;
    expect(doc['/backends/payments-backend']!.properties.url).toBe('https://payments.dev.internal.contoso.com/api');
    expect(doc['/namedValues/backend-api-key']!.properties.value).toBe('***'); // secret, from the override
    expect(doc['/namedValues/tenant-id']!.properties.value).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47'); // not secret
    expect(doc['/loggers/appinsights']!.properties.credentials).toEqual({ instrumentationKey: '***' });
    expect(doc['/policies/policy']!.policy).toContain('<include-fragment fragment-id="std-edge" />');
    expect(r.out.split('\n')[0]).toMatch(/^# apimops render: .*artifacts, environment dev \(.*configuration\.dev\.yaml\)$/);
  });

  it('env local applies configuration.local.yaml; --output json; same output twice', async () => {
    const dir = project();
    const a = await run(dir, ['render', 'artifacts', '--env', 'local', '--output', 'json']);
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.out) as { environment: string; resources: { key: string; properties: Record<string, unknown> }[] };
    expect(doc.environment).toBe('local');
    const byKey = new Map(doc.resources.map((r) => [r.key, r]));
    expect(byKey.get('/backends/payments-backend')!.properties.url).toBe('http://127.0.0.1:9091/api');
    expect(byKey.get('/subscriptions/starter-demo')!.properties).toMatchObject({ primaryKey: '***', secondaryKey: '***' });
    const b = await run(dir, ['render', 'artifacts', '--env', 'local', '--output', 'json']);
    expect(b.out).toBe(a.out);
  });

  it('a bad folder: every problem with its position on stderr, exit 2, no stack trace', async () => {
    const { dir, cleanup } = tempDir('apimops-cli-bad-');
    cleanups.push(cleanup);
    writeTree(dir, BAD_FOLDER);
    const r = await run(dir, ['render', '.']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("apis/orders/api.yaml:2:1: unknown property 'displayNme' (did you mean 'displayName'?)\n");
    expect(r.err).toContain("apis/orders/api.yaml:4:23: 'subscriptionRequired' must be boolean\n");
    expect(r.err).toContain("products/gold/product.yaml:3:5: product 'gold' lists API 'nope-api', which does not exist\n");
    expect(r.err).toContain('random.txt: warning: unknown file: not part of the artifact layout (ARTIFACT-FORMAT.md), ignored\n');
    expect(r.err).toContain('apimops: 23 problems in ');
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('an override that makes a reference dangle, or has a typo, is an error of the overrides file (exit 2)', async () => {
    const dir = project();
    writeTree(join(dir, 'artifacts'), {
      'configuration.qa.yaml': 'diagnostics:\n  - name: applicationinsights\n    properties:\n      loggerId: /loggers/nope\n',
      'configuration.typo.yaml': 'backends:\n  - name: payments-backend\n    properties:\n      ulr: http://127.0.0.1:1\n',
    });
    const a = await run(dir, ['render', '--env', 'qa']);
    expect(a.code).toBe(2);
    expect(a.err).toContain("configuration.qa.yaml: 'loggerId' refers to logger '/loggers/nope', which does not exist\n");
    expect(a.err).toContain('1 dangling reference after applying');
    const b = await run(dir, ['render', '--env', 'typo']);
    expect(b.code).toBe(2);
    expect(b.err).toContain("configuration.typo.yaml:4:7: unknown property 'backends[0].properties.ulr' (did you mean 'url'?)\n");
  });

  it('an unknown environment or folder is a usage error (exit 2)', async () => {
    const dir = project();
    const a = await run(dir, ['render', '--env', 'qa']);
    expect(a.code).toBe(2);
    expect(a.err).toContain("unknown environment 'qa'");
    const b = await run(dir, ['render', 'no-such-folder']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('artifact folder not found');
  });
});

describe('apimops convert', () => {
  it('rewrites an Azure/apiops folder into the apimops layout, which then renders', async () => {
    const { dir, cleanup } = tempDir('apimops-convert-');
    cleanups.push(cleanup);
    // An APIOps folder made from the sample's state.
    const sample = await readArtifacts(folderSource(SAMPLE));
    writeTree(join(dir, 'apimartifacts'), renderApiopsArtifacts(sample.state));
    writeTree(join(dir, 'apimartifacts'), { 'configuration.prod.yaml': readFileSync(join(SAMPLE, 'configuration.prod.yaml'), 'utf8') });
    expect(existsSync(join(dir, 'apimartifacts/named values/tenant-id/namedValueInformation.json'))).toBe(true);

    const r = await run(dir, ['convert', 'apimartifacts', 'artifacts']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^converted \d+ resources from apimartifacts into artifacts \(\d+ files; copied configuration\.prod\.yaml\)\n$/);
    expect(readFileSync(join(dir, 'artifacts/configuration.prod.yaml'), 'utf8')).toBe(readFileSync(join(SAMPLE, 'configuration.prod.yaml'), 'utf8'));
    const rendered = await run(dir, ['render', 'artifacts', '--env', 'prod']);
    expect(rendered.code).toBe(0);
    expect(rendered.out).toContain('secretIdentifier: https://kv-contoso-prod.vault.azure.net/secrets/payments-backend-api-key');
    expect(readFileSync(join(dir, 'artifacts/namedValues/tenant-id/namedValue.yaml'), 'utf8')).toBe(
      '# yaml-language-server: $schema=https://unpkg.com/apimops@0/schemas/namedValue.schema.json\ndisplayName: TenantId\nsecret: false\ntags:\n  - identity\nvalue: 72f988bf-86f1-41af-91ab-2d7cd011db47\n',
    );
    const converted = await readArtifacts(folderSource(join(dir, 'artifacts')));
    expect(converted.diagnostics).toEqual([]);
    expect([...converted.state.product.keys()]).toEqual([...sample.state.product.keys()]);
    expect(converted.state.product.get('/products/premium')!.properties).toEqual(sample.state.product.get('/products/premium')!.properties);

    // And back: --to apiops writes the Azure/apiops layout, which reads as the same state.
    const back = await run(dir, ['convert', 'artifacts', 'apiops-again', '--to', 'apiops']);
    expect(back.code).toBe(0);
    expect(readFileSync(join(dir, 'apiops-again/products/premium/apis/payments-api/productApiInformation.json'), 'utf8')).toBe('{}\n');
    const reread = await readArtifacts(folderSource(join(dir, 'apiops-again')));
    expect(reread.layout).toBe('apiops');
    expect(reread.diagnostics).toEqual([]);
    expect(renderApiopsArtifacts(reread.state)).toEqual(renderApiopsArtifacts(sample.state));

    const again = await run(dir, ['convert', 'apimartifacts', 'artifacts']);
    expect(again.code).toBe(2);
    expect(again.err).toContain('output folder is not empty');
  });
});
