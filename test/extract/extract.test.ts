// Done-when tests of issue 7: extract from a fake ARM seeded (through its HTTP API) with artifacts-sample/
// reproduces the sample byte for byte; twice gives no git diff; 20% injected 429/5xx give the same output;
// a persistent 403 or a failing export exits with a summary and leaves the previous folder untouched.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExtract, type ExtractOptions } from '../../src/extract/extract.js';
import { EXTRACT_ALL, parseExtractFilter, type ExtractFilter } from '../../src/extract/filter.js';
import { parseArtifactPath } from '../../src/artifacts/paths.js';
import { startFakeArm, type FakeArm, type FakeArmOptions } from '../support/fake-arm/server.js';
import { seedFakeFromFolder } from '../support/fake-arm/seed.js';
import { filesOf } from '../support/files.js';

const SAMPLE = join(import.meta.dirname, '../../artifacts-sample');
const temps: string[] = [];
const fakes: FakeArm[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'apimops-extract-'));
  temps.push(d);
  return d;
}


/** Files of the sample that are not resources (overrides, extractor filter, `apimops test` cases): not extracted. */
const notExtracted = (p: string) => parseArtifactPath(p) === undefined;
const SAMPLE_FILES = filesOf(SAMPLE, notExtracted);

/** A fake holding the sample; faults are switched on after seeding. */
async function seededFake(options: FakeArmOptions = {}): Promise<FakeArm> {
  const { faults, ...rest } = options;
  const fake = await startFakeArm(rest);
  fakes.push(fake);
  await seedFakeFromFolder(fake, SAMPLE);
  fake.faults.set(faults ?? []);
  return fake;
}

function extractOptions(fake: FakeArm, out: string, more: Partial<ExtractOptions> = {}): ExtractOptions {
  return {
    target: {
      subscriptionId: fake.subscriptionId,
      resourceGroup: fake.resourceGroup,
      serviceName: fake.serviceName,
      endpoint: fake.url,
      retry: { maxRetries: 6, retryDelayInMs: 2, maxRetryDelayInMs: 10 },
    },
    env: {},
    out,
    filter: EXTRACT_ALL,
    schemaBase: '../schemas', // where the sample's $schema lines point (artifacts-sample/ sits next to schemas/)
    ...more,
  };
}

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('apimops extract against the fake ARM seeded with artifacts-sample/', () => {
  let fake: FakeArm;
  let first: Map<string, string>;

  beforeAll(async () => {
    fake = await seededFake();
    const out = join(tempDir(), 'artifacts');
    const result = await runExtract(extractOptions(fake, out));
    expect(result.failures).toEqual([]);
    first = filesOf(out);
  });

  it('reproduces the sample byte for byte', () => {
    expect([...first.keys()]).toEqual([...SAMPLE_FILES.keys()]);
    for (const [path, text] of SAMPLE_FILES) expect(first.get(path), path).toBe(text);
  });

  it('never fetches a secret: no listValue/listSecrets call, secret named values written without value', () => {
    expect(fake.requests.filter((r) => /\/(listValue|listSecrets)$/i.test(r.path))).toEqual([]);
    expect(first.get('namedValues/backend-api-key/namedValue.yaml')).not.toMatch(/^value:/m);
  });

  it('extracting twice into a git working tree gives no git diff', async () => {
    const repo = tempDir();
    const out = join(repo, 'artifacts');
    cpSync(SAMPLE, out, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'sample');
    const r1 = await runExtract(extractOptions(fake, out, { schemaBase: undefined }));
    expect(r1.ok).toBe(true);
    expect(git('status', '--porcelain')).toBe('');
    const r2 = await runExtract(extractOptions(fake, out, { schemaBase: undefined }));
    expect(r2.files.changed).toBe(false);
    expect(git('status', '--porcelain')).toBe('');
  });

  it('with 429s and 5xx injected on ~20% of calls, completes with identical output', async () => {
    const faulty = await seededFake({
      faultSeed: 7,
      faults: [
        { path: '**', status: 429, probability: 0.1, retryAfter: 0 },
        { path: '**', status: 503, probability: 0.06, retryAfter: 0 },
        { path: '**', status: 500, probability: 0.05 },
      ],
    });
    const out = join(tempDir(), 'artifacts');
    const result = await runExtract(extractOptions(faulty, out));
    expect(result.failures.map((f) => f.error.message)).toEqual([]);
    expect(faulty.faults.hits).toBeGreaterThan(5);
    expect(result.throttled).toBeGreaterThan(0);
    expect(result.backoffs).toBeGreaterThan(0); // adaptive back-off lowered the parallelism
    expect(filesOf(out)).toEqual(first);
  });
});

describe('extract failures leave the previous folder untouched', () => {
  function previousFolder(): { out: string; before: Map<string, string> } {
    const out = join(tempDir(), 'artifacts');
    cpSync(SAMPLE, out, { recursive: true });
    writeFileSync(join(out, 'namedValues', 'tenant-id', 'namedValue.yaml'), '# an older extract\ndisplayName: TenantId\nsecret: false\nvalue: old\n');
    return { out, before: filesOf(out) };
  }

  it('a persistent 403 on a collection: result not ok, summary of failures, nothing written', async () => {
    const fake = await seededFake({ faults: [{ path: '/apis', status: 403 }] });
    const { out, before } = previousFolder();
    const result = await runExtract(extractOptions(fake, out));
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => [f.kind, f.key, f.error.code])).toEqual([['api', '/apis', 'E_AUTH']]);
    expect(result.failures[0]!.error.message).toMatch(/^Forbidden: list api '\/apis': the identity apimops runs as needs the API Management Service Reader role on \/subscriptions\//);
    expect(result.extracted.namedValue).toBe(3);
    expect(filesOf(out)).toEqual(before);
  });

  it('an API whose export keeps failing: not ok, the API is named, nothing written', async () => {
    const fake = await seededFake({ faults: [{ path: '/apis/payments-api', query: { export: 'true' }, status: 500 }] });
    const { out, before } = previousFolder();
    const result = await runExtract(extractOptions(fake, out));
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => f.key)).toEqual(['/apis/payments-api']);
    expect(result.failures[0]!.error.message).toContain("Azure failed: export api '/apis/payments-api' answered HTTP 500");
    expect(filesOf(out)).toEqual(before);
  });

  it('names the exact call that failed (an operation policy), and retries export downloads', async () => {
    const fake = await seededFake({
      faults: [
        { path: '/_blobs/*', status: 503, times: 1 },
        { path: '/apis/payments-api/operations/get-payment/policies/policy', status: 500 },
      ],
    });
    const { out, before } = previousFolder();
    const result = await runExtract(extractOptions(fake, out));
    expect(result.failures.map((f) => [f.key, f.error.message])).toEqual([
      ['/apis/payments-api', "Azure failed: get api '/apis/payments-api/operations/get-payment/policies/policy' answered HTTP 500 (InternalServerError): An unexpected error occurred."],
    ]);
    expect(fake.requests.some((r) => r.path.startsWith('/_blobs/'))).toBe(false); // blobs are not recorded…
    expect(fake.faults.hits).toBeGreaterThan(1); // …but the failed download was retried
    expect(filesOf(out)).toEqual(before);
  });

  it('a wrong service name is one clear error before anything else', async () => {
    const fake = await seededFake();
    const out = join(tempDir(), 'artifacts');
    const options = extractOptions(fake, out);
    options.target.serviceName = 'apim-typo';
    await expect(runExtract(options)).rejects.toThrow(/^Not found: get service 'apim-typo' on \/subscriptions\/.*apim-typo \(ResourceNotFound\)/);
    expect(fake.requestCount()).toBeGreaterThan(0);
  });
});

describe('configuration.extractor.yaml', () => {
  let fake: FakeArm;
  beforeAll(async () => {
    fake = await seededFake();
  });

  const filter = (text: string): ExtractFilter => parseExtractFilter(text, 'configuration.extractor.yaml');

  it("the sample's own filter reproduces the sample", async () => {
    const out = join(tempDir(), 'artifacts');
    const result = await runExtract(extractOptions(fake, out, { filter: filter(readFileSync(join(SAMPLE, 'configuration.extractor.yaml'), 'utf8')) }));
    expect(result.ok).toBe(true);
    expect(filesOf(out)).toEqual(SAMPLE_FILES);
  });

  it('takes dependencies of what it takes (version sets, loggers, named values and fragments of policies)', async () => {
    const out = join(tempDir(), 'artifacts');
    const only = filter(
      'apis: [payments-*]\nproducts: []\nnamedValues: []\nloggers: []\nbackends: []\npolicyFragments: []\ntags: []\ngroups: []\ngateways: []\nsubscriptions: []\ndiagnostics: []\n',
    );
    const result = await runExtract(extractOptions(fake, out, { filter: only }));
    expect(result.ok).toBe(true);
    const files = [...filesOf(out).keys()];
    // the global policy includes std-edge, which uses TenantId and PaymentsAudience; the API diagnostic uses appinsights;
    // the API policy routes to payments-backend, whose credentials use BackendApiKey
    expect(files).toEqual(
      expect.arrayContaining([
        'apis/payments-api/api.yaml',
        'policyFragments/std-edge/policy.xml',
        'namedValues/tenant-id/namedValue.yaml',
        'namedValues/payments-audience/namedValue.yaml',
        'loggers/appinsights/logger.yaml',
      ]),
    );
    expect(files.some((f) => f.startsWith('products/'))).toBe(false);
    expect(files.some((f) => f.startsWith('subscriptions/'))).toBe(false);
  });

  it('a filtered extract replaces only what the filter covers', async () => {
    const out = join(tempDir(), 'artifacts');
    cpSync(SAMPLE, out, { recursive: true });
    // a stale named value inside the filter's reach, and a file outside it that must survive
    cpSync(join(out, 'namedValues', 'tenant-id'), join(out, 'namedValues', 'payments-old'), { recursive: true });
    writeFileSync(join(out, 'namedValues', 'payments-old', 'namedValue.yaml'), readFileSync(join(out, 'namedValues', 'tenant-id', 'namedValue.yaml'), 'utf8').replace('TenantId', 'PaymentsOld'));
    cpSync(join(out, 'groups', 'partners'), join(out, 'groups', 'only-in-folder'), { recursive: true });
    const result = await runExtract(extractOptions(fake, out, { filter: filter('namedValues: [payments-*]\napis: []\nproducts: []\ngroups: []\n'), schemaBase: undefined }));
    expect(result.ok).toBe(true);
    const after = filesOf(out);
    expect(after.has('namedValues/payments-old/namedValue.yaml')).toBe(false); // covered, gone live: removed
    expect(after.has('groups/only-in-folder/group.yaml')).toBe(true); // groups: [] = not covered: kept
    expect(after.get('apis/payments-api/api.yaml')).toBe(SAMPLE_FILES.get('apis/payments-api/api.yaml')); // apis: [] keeps the folder's
    expect(after.get('products/premium/product.yaml')).toBe(SAMPLE_FILES.get('products/premium/product.yaml'));
  });

  it('reports every problem of a bad filter with file:line:column', () => {
    expect(() => filter('apis: payments-api\nproduct: [a]\nnamedValues:\n')).toThrowError(
      expect.objectContaining({
        diagnostics: [
          expect.objectContaining({ line: 1, column: 7, message: "'apis' must be a list of names" }),
          expect.objectContaining({ line: 2, column: 1, message: expect.stringContaining("unknown key 'product' (did you mean 'products'?)") }),
          expect.objectContaining({ line: 3, column: 1, message: "'namedValues' needs a list: omit the key to take all, or write [] to take none" }),
        ],
      }),
    );
  });
});

describe('the dump is what the folder says (diff --live sees no drift after an extract)', () => {
  it('diffStates(dump of the seeded fake, read of artifacts-sample) has no changes', async () => {
    const { dumpState } = await import('../../src/arm/dump.js');
    const { createArmClient } = await import('../../src/arm/client.js');
    const { readArtifacts } = await import('../../src/artifacts/reader.js');
    const { folderSource } = await import('../../src/artifacts/folder-source.js');
    const { diffStates } = await import('../../src/diff/diff.js');
    const fake = await seededFake();
    const arm = createArmClient({ subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url }, {});
    const live = await dumpState(arm);
    const { state: folder } = await readArtifacts(folderSource(SAMPLE));
    const changes = diffStates(live, folder);
    expect(changes.changes.map((c) => `${c.op} ${c.key} ${JSON.stringify(c)}`)).toEqual([]);
  });
});
