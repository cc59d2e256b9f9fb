import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderApiopsArtifacts } from '../../src/artifacts/apiops-layout.js';
import { folderSource, memorySource } from '../../src/artifacts/folder-source.js';
import { allResources, type ApimState } from '../../src/artifacts/model.js';
import { isNonArtifactFile, readArtifacts } from '../../src/artifacts/reader.js';
import { renderArtifacts, writeArtifacts } from '../../src/artifacts/writer.js';
import { CORPUS, FIXTURES, SAMPLE, tempDir, writeTree } from './helpers.js';

/** The state without origins (they name files, which differ between layouts). */
function snapshot(state: ApimState): unknown[] {
  return [...allResources(state)].map((r) => {
    const { origin: _o, ...rest } = r;
    return {
      ...rest,
      policy: r.policy ? r.policy.text : undefined,
      specification: r.specification ? { format: r.specification.format, content: r.specification.content } : undefined,
    };
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('artifacts-sample round trip', () => {
  it('reads without a problem and renders every artifact file byte for byte', async () => {
    const source = folderSource(SAMPLE, 'artifacts-sample');
    const read = await readArtifacts(source);
    expect(read.diagnostics).toEqual([]);
    expect(read.schemaBase).toBe('../schemas');
    const files = renderArtifacts(read.state, { schemaBase: read.schemaBase });
    // Everything but configuration.<env>.yaml files and tests/ (not artifacts) is rendered back.
    const onDisk = (await source.listFiles()).filter((f) => !isNonArtifactFile(f));
    expect([...files.keys()]).toEqual(onDisk);
    for (const [path, text] of files) expect(text, path).toBe(await source.readText(path));
  });

  it('read → write → read is the identity, and writing twice changes no byte', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = await readArtifacts(folderSource(SAMPLE));
    const out = join(dir, 'copy');
    const w1 = await writeArtifacts(first.state, out, { schemaBase: '../schemas' });
    expect(w1.changed).toBe(true);
    const second = await readArtifacts(folderSource(out));
    expect(second.diagnostics).toEqual([]);
    expect(snapshot(second.state)).toEqual(snapshot(first.state));
    const before = new Map((await folderSource(out).listFiles()).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    const w2 = await writeArtifacts(second.state, out);
    expect(w2.changed).toBe(false);
    const after = new Map((await folderSource(out).listFiles()).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expect(after).toEqual(before);
    // The schema line the folder uses is kept on rewrite.
    expect(before.get('apis/payments-api/api.yaml')).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.\.\/\.\.\/schemas\/api\.schema\.json\n/);
  });

  it('prunes removed resources only within the kinds it is asked to, and keeps non-artifact files', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { state } = await readArtifacts(folderSource(SAMPLE));
    await writeArtifacts(state, dir);
    writeTree(dir, { 'configuration.dev.yaml': 'namedValues: []\n', 'notes.txt': 'mine\n' });
    state.product.delete('/products/starter');
    state.productPolicy.delete('/products/starter/policies/policy');
    state.group.delete('/groups/partners');
    const result = await writeArtifacts(state, dir, { prune: ['product', 'productPolicy'] });
    expect(result.removed).toBe(2);
    expect(existsSync(join(dir, 'products/starter'))).toBe(false);
    expect(existsSync(join(dir, 'groups/partners/group.yaml'))).toBe(true); // not a pruned kind
    expect(readFileSync(join(dir, 'configuration.dev.yaml'), 'utf8')).toBe('namedValues: []\n');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(readdirSync(join(dir, '..')).filter((n) => n.includes('.apimops-'))).toEqual([]); // no temp leftovers
  });

  it('writes in place, file by file, when the process stands in the folder; empty folders it did not empty stay', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { state } = await readArtifacts(folderSource(SAMPLE));
    await writeArtifacts(state, dir, { schemaBase: '../schemas' });
    mkdirSync(join(dir, '.git', 'refs', 'tags'), { recursive: true });
    const before = process.cwd();
    process.chdir(dir);
    try {
      state.tag.delete('/tags/payments');
      const result = await writeArtifacts(state, '.');
      expect(result).toEqual({ written: expect.any(Number), removed: 1, changed: true });
      expect(existsSync(join(dir, 'tags'))).toBe(false);
      expect(existsSync(join(dir, '.git', 'refs', 'tags'))).toBe(true);
      expect(readdirSync(dir).some((n) => n.endsWith('.tmp'))).toBe(false);
      const again = await readArtifacts(folderSource('.'));
      expect(again.diagnostics).toEqual([]);
      expect(snapshot(again.state)).toEqual(snapshot(state));
    } finally {
      process.chdir(before);
    }
  });
});

/** Every corpus file, recursively. */
function corpusFiles(dir = CORPUS, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? corpusFiles(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
}

describe('policy corpus round trip', () => {
  const files = corpusFiles();
  it('has the 59 real policy files', () => expect(files.length).toBe(59));

  it('stores every policy byte-identical (CRLF → LF only) and writes it back unchanged', async () => {
    const tree = new Map<string, string>();
    const expected = new Map<string, string>();
    files.forEach((f, i) => {
      const text = readFileSync(join(CORPUS, f), 'utf8');
      const isFragment = /^\uFEFF?\s*(<!--[\s\S]*?-->\s*)*<fragment\b/.test(text);
      const path = isFragment ? `policyFragments/f${i}/policy.xml` : `apis/a${i}/policy.xml`;
      if (!isFragment) tree.set(`apis/a${i}/api.yaml`, `displayName: a${i}\npath: a${i}\n`);
      else tree.set(`policyFragments/f${i}/policyFragment.yaml`, `description: ${JSON.stringify(f)}\n`);
      tree.set(path, text);
      expected.set(path, text.replace(/\r\n?/g, '\n'));
    });
    const read = await readArtifacts(memorySource(tree), { checkReferences: false, checkPolicies: false });
    expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const rendered = renderArtifacts(read.state);
    for (const [path, text] of expected) expect(rendered.get(path), path).toBe(text);
    const again = await readArtifacts(memorySource(rendered), { checkReferences: false, checkPolicies: false });
    expect(snapshot(again.state)).toEqual(snapshot(read.state));
    expect(renderArtifacts(again.state)).toEqual(rendered);
  });
});

/** An Azure/apiops v7 folder built from the ARM examples' bodies. */
function apiopsFolderFromFixtures(): Map<string, string> {
  const body = (file: string, code = '200'): Record<string, unknown> => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { responses: Record<string, { body: { properties: Record<string, unknown> } }> };
    return doc.responses[code]!.body.properties;
  };
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  const strip = (p: Record<string, unknown>, ...keys: string[]): Record<string, unknown> => {
    const o = { ...p };
    for (const k of keys) delete o[k];
    return o;
  };
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  const info = (p: Record<string, unknown>): string => json(sorted({ properties: p }));
  const api = strip(body('ApiManagementGetApiContract.json'), 'isOnline');
  const policy = body('ApiManagementGetApiPolicy.json').value as string;
  const fragment = body('ApiManagementGetPolicyFragment.json');
  return new Map<string, string>([
    ['apis/echo-api/apiInformation.json', info(api)],
    ['apis/echo-api/policy.xml', policy],
    ['apis/echo-api/operations/op1/policy.xml', body('ApiManagementGetApiOperationPolicy.json').value as string],
    ['apis/echo-api/diagnostics/applicationinsights/diagnosticInformation.json', info({ ...body('ApiManagementGetApiDiagnostic.json'), loggerId: '/loggers/azuremonitor' })],
    ['backends/sfbackend/backendInformation.json', info(body('ApiManagementGetBackend.json'))],
    ['gateways/gw1/gatewayInformation.json', info(body('ApiManagementGetGateway.json'))],
    ['gateways/gw1/apis/echo-api/gatewayApiInformation.json', json({})],
    ['groups/ext/groupInformation.json', info(strip(body('ApiManagementGetGroup.json'), 'builtIn'))],
    ['loggers/azuremonitor/loggerInformation.json', info(body('ApiManagementGetLogger.json'))],
    ['named values/testarmTemplateproperties2/namedValueInformation.json', info(strip(body('ApiManagementGetNamedValue.json'), 'provisioningState'))],
    ['policy fragments/fragment1/policyFragmentInformation.json', info(strip(fragment, 'value', 'provisioningState'))],
    ['policy fragments/fragment1/policy.xml', fragment.value as string],
    ['products/unlimited/productInformation.json', info(body('ApiManagementGetProduct.json'))],
    ['products/unlimited/apis/echo-api/productApiInformation.json', json({})],
    ['products/unlimited/groups/ext/productGroupInformation.json', json({ properties: { groupId: '/groups/ext' } })],
    ['subscriptions/sub1/subscriptionInformation.json', info({ ...strip(body('ApiManagementGetSubscription.json'), 'createdDate', 'startDate', 'endDate', 'notificationDate', 'expirationDate'), scope: '/products/unlimited', ownerId: '/users/1' })],
    ['tags/tag1/tagInformation.json', info(body('ApiManagementGetTag.json'))],
    ['tags/tag1/apis/echo-api/tagApiInformation.json', json({})],
    ['tags/tag1/products/unlimited/tagProductInformation.json', json({})],
    ['workspaces/ws1/apis/wapi/apiInformation.json', info({ displayName: 'W', path: 'w' })],
    ['workspaces/ws1/products/wp/productInformation.json', info({ displayName: 'WP' })],
    ['workspaces/ws1/products/wp/apis/wapi/productApiInformation.json', json({ properties: { apiId: '/workspaces/ws1/apis/wapi' } })],
    ['version sets/vs1/versionSetInformation.json', info(body('ApiManagementGetApiVersionSet.json'))],
    ['policy.xml', body('ApiManagementGetPolicy.json').value as string],
    ['workspaces/ws1/named values/nv1/namedValueInformation.json', info({ displayName: 'nv1', value: 'x' })],
  ]);
}

describe('Azure/apiops v7 folder round trip', () => {
  it('is detected, read without problems, and written back byte for byte', async () => {
    const folder = apiopsFolderFromFixtures();
    const read = await readArtifacts(memorySource(folder));
    expect(read.layout).toBe('apiops');
    expect(read.diagnostics.filter((d) => d.code !== 'policy-parse')).toEqual([]);
    expect(read.state.product.get('/products/unlimited')!.properties.apis).toEqual(['echo-api']);
    expect(read.state.product.get('/products/unlimited')!.properties.groups).toEqual(['ext']);
    expect(read.state.tag.get('/tags/tag1')!.properties.products).toEqual(['unlimited']);
    expect(read.state.gateway.get('/gateways/gw1')!.properties.apis).toEqual(['echo-api']);
    expect(read.state.namedValue.has('/workspaces/ws1/namedValues/nv1')).toBe(true);
    expect(read.state.product.get('/workspaces/ws1/products/wp')!.properties.apis).toEqual(['wapi']);
    expect(read.state.workspace.has('/workspaces/ws1')).toBe(true);
    expect(read.state.policyFragment.get('/policyFragments/fragment1')!.policy!.text).toBe(folder.get('policy fragments/fragment1/policy.xml')!.replace(/\r\n/g, '\n'));
    // Written back byte for byte; the one normalisation is CRLF → LF (the examples' policies use CRLF).
    const expected = new Map([...folder].map(([p, t]) => [p, t.replace(/\r\n/g, '\n')]));
    expect([...folder.values()].some((t) => t.includes('\r\n'))).toBe(true);
    expect(renderApiopsArtifacts(read.state)).toEqual(expected);
  });

  it('converts into the apimops layout with the same state', async () => {
    const folder = apiopsFolderFromFixtures();
    const fromApiops = await readArtifacts(memorySource(folder));
    const ours = renderArtifacts(fromApiops.state);
    expect(ours.has('namedValues/testarmTemplateproperties2/namedValue.yaml')).toBe(true);
    expect(ours.has('versionSets/vs1/versionSet.yaml')).toBe(true);
    expect(ours.has('workspaces/ws1/workspace.yaml')).toBe(true);
    const back = await readArtifacts(memorySource(ours));
    expect(back.layout).toBe('apimops');
    expect(snapshot(back.state)).toEqual(snapshot(fromApiops.state));
  });
});
