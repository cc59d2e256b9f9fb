// Extract of every kind the folder format has, against a fake built through its own REST API: workspaces
// (with their policy and children), revisions, GraphQL (schema SDL), SOAP (WSDL), a websocket API
// (operation.yaml), logger keys that APIM turns into secret named values, the built-ins of a new instance
// (skipped), paged lists, and `--spec-format openapi+json`. The output must read back without errors.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { readArtifacts } from '../../src/artifacts/reader.js';
import { runExtract, type ExtractResult } from '../../src/extract/extract.js';
import { EXTRACT_ALL, parseExtractFilter, workspaceOnlyFilter } from '../../src/extract/filter.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';

const POLICY = (body: string) => `<policies>\n  <inbound>\n    <base />\n${body}  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;
const OPENAPI = (title: string) => `openapi: 3.0.1\ninfo:\n  title: ${title}\n  version: "1"\npaths:\n  /orders:\n    get:\n      operationId: list-orders\n      responses:\n        "200":\n          description: OK\n`;
const WSDL = `<?xml version="1.0" encoding="utf-8"?>\n<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:calc">\n  <wsdl:service name="Calculator" />\n</wsdl:definitions>\n`;
const SDL = 'type Query {\n  order(id: ID!): Order\n}\n\ntype Order {\n  id: ID!\n  total: Float\n}\n';

let fake: FakeArm;
const dirs: string[] = [];

async function put(path: string, properties: Record<string, unknown>): Promise<void> {
  const url = `${fake.url}${fake.serviceId}${path.split('/').map(encodeURIComponent).join('/')}?api-version=2024-05-01`;
  const res = await fetch(url, { method: 'PUT', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ properties }) });
  expect(res.status, `PUT ${path}: ${await res.text()}`).toBeLessThan(300);
}

async function extract(more: Partial<Parameters<typeof runExtract>[0]> = {}): Promise<{ out: string; result: ExtractResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'apimops-kinds-'));
  dirs.push(dir);
  const out = join(dir, 'artifacts');
  const result = await runExtract({
    target: { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, retry: { retryDelayInMs: 2, maxRetryDelayInMs: 5 } },
    env: {},
    out,
    filter: EXTRACT_ALL,
    schemaBase: '../schemas',
    ...more,
  });
  return { out, result };
}

const read = (out: string, path: string) => readFileSync(join(out, path), 'utf8');

beforeAll(async () => {
  fake = await startFakeArm({ defaults: true, pageSize: 2 });
  await put('/namedValues/region', { displayName: 'Region', value: 'westeurope', secret: false });
  await put('/loggers/ai', { loggerType: 'applicationInsights', credentials: { instrumentationKey: '0000-literal-key' }, isBuffered: true });
  await put('/apis/orders', { displayName: 'Orders', path: 'orders', protocols: ['https'], format: 'openapi', value: OPENAPI('Orders') });
  await put('/apis/orders/policies/policy', { format: 'rawxml', value: POLICY('    <set-header name="X-Region" exists-action="override">\n      <value>{{Region}}</value>\n    </set-header>\n') });
  await put('/apis/orders;rev=2', { sourceApiId: `${fake.serviceId}/apis/orders`, apiRevisionDescription: 'next', path: 'orders' });
  await put('/apis/graph', { displayName: 'Graph', path: 'graph', type: 'graphql', protocols: ['https'] });
  await put('/apis/graph/schemas/graphql', { contentType: 'application/vnd.ms-azure-apim.graphql.schema', document: { value: SDL } });
  await put('/apis/calc', { displayName: 'Calculator', path: 'calc', protocols: ['https'], format: 'wsdl', value: WSDL, apiType: 'soap', wsdlSelector: { wsdlServiceName: 'Calculator', wsdlEndpointName: 'CalculatorSoap' } });
  await put('/apis/chat', { displayName: 'Chat', path: 'chat', type: 'websocket', protocols: ['wss'], serviceUrl: 'wss://chat.example.com' });
  await put('/apis/chat/operations/onHandshake', { displayName: 'onHandshake', method: 'GET', urlTemplate: '/' });
  await put('/workspaces/team-a', { displayName: 'Team A', description: 'The A team' });
  await put('/workspaces/team-a/policies/policy', { format: 'rawxml', value: POLICY('') });
  await put('/workspaces/team-a/namedValues/ws-secret', { displayName: 'WsSecret', value: 'do-not-extract', secret: true });
  await put('/workspaces/team-a/apis/inventory', { displayName: 'Inventory', path: 'inventory', protocols: ['https'], format: 'openapi', value: OPENAPI('Inventory') });
  await put('/workspaces/team-a/apis/inventory/operations/list-orders/policies/policy', { format: 'rawxml', value: POLICY('    <set-header name="X-Secret" exists-action="override">\n      <value>{{WsSecret}}</value>\n    </set-header>\n') });
});

afterAll(async () => {
  await fake.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('extract of every kind', () => {
  let out: string;
  let result: ExtractResult;
  beforeAll(async () => {
    ({ out, result } = await extract());
  });

  it('succeeds and the folder reads back without errors', async () => {
    expect(result.failures).toEqual([]);
    const { diagnostics } = await readArtifacts(folderSource(out));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('writes workspaces with their policy and children', () => {
    expect(read(out, 'workspaces/team-a/workspace.yaml')).toContain('displayName: Team A');
    expect(existsSync(join(out, 'workspaces/team-a/policy.xml'))).toBe(true);
    expect(read(out, 'workspaces/team-a/apis/inventory/specification.yaml')).toBe(OPENAPI('Inventory'));
    expect(existsSync(join(out, 'workspaces/team-a/apis/inventory/operations/list-orders/policy.xml'))).toBe(true);
    expect(read(out, 'workspaces/team-a/namedValues/ws-secret/namedValue.yaml')).not.toContain('do-not-extract');
  });

  it('writes a non-current revision as apis/<api>;rev=<n>', () => {
    const rev = read(out, 'apis/orders;rev=2/api.yaml');
    expect(rev).toContain('apiRevision: "2"');
    expect(rev).toContain('isCurrent: false');
    expect(read(out, 'apis/orders;rev=2/specification.yaml')).toBe(OPENAPI('Orders'));
  });

  it('writes GraphQL SDL, WSDL, and operation.yaml for an API without a definition', () => {
    expect(read(out, 'apis/graph/specification.graphql')).toBe(SDL);
    expect(read(out, 'apis/calc/specification.wsdl')).toBe(WSDL);
    expect(read(out, 'apis/chat/operations/onHandshake/operation.yaml')).toContain('urlTemplate: /');
    expect(existsSync(join(out, 'apis/orders/operations/list-orders/operation.yaml'))).toBe(false);
  });

  it('keeps logger keys out: the logger references a secret named value written without value', () => {
    expect(read(out, 'loggers/ai/logger.yaml')).toContain('instrumentationKey: "{{Logger-Credentials-ai-instrumentationKey}}"');
    const nv = read(out, 'namedValues/logger-credentials-ai-instrumentationkey/namedValue.yaml');
    expect(nv).toContain('secret: true');
    expect(nv).not.toContain('0000-literal-key');
    expect(fake.requests.filter((r) => /\/(listValue|listSecrets)$/i.test(r.path))).toEqual([]);
  });

  it("skips what every instance has built in: system groups and the master subscription, not the default products", () => {
    expect(existsSync(join(out, 'groups/administrators'))).toBe(false);
    expect(existsSync(join(out, 'subscriptions/master'))).toBe(false);
    expect(existsSync(join(out, 'products/starter/product.yaml'))).toBe(true);
  });

  it('follows nextLink paging (page size 2 here)', () => {
    expect(fake.requests.some((r) => r.path === '/apis' && r.query.includes('%24skip=2'))).toBe(true);
    expect(result.extracted.api).toBe(6); // orders, orders;rev=2, graph, calc, chat, team-a/inventory
  });
});

describe('revisions and workspace links', () => {
  it('after a release makes revision 2 current, apis/<api> is revision 2 and ;rev=1 is the old one', async () => {
    await put('/apis/billing', { displayName: 'Billing', path: 'billing', protocols: ['https'], format: 'openapi', value: OPENAPI('Billing') });
    await put('/apis/billing;rev=2', { sourceApiId: `${fake.serviceId}/apis/billing`, apiRevisionDescription: 'v2 routing', path: 'billing', serviceUrl: 'https://billing-v2.example.com' });
    await put('/apis/billing/releases/go-live', { apiId: `${fake.serviceId}/apis/billing;rev=2`, notes: 'v2 routing' });
    const { out, result } = await extract({ filter: parseExtractFilter('apis: [billing]\n', 'f.yaml') });
    expect(result.ok).toBe(true);
    const current = read(out, 'apis/billing/api.yaml');
    expect(current).toContain('apiRevision: "2"');
    expect(current).toContain('isCurrent: true');
    expect(current).toContain('serviceUrl: https://billing-v2.example.com');
    expect(read(out, 'apis/billing;rev=1/api.yaml')).toContain('isCurrent: false');
    expect(read(out, 'apis/billing/releases/go-live/release.yaml')).toContain('apiId: /apis/billing;rev=2');
  });

  it('product and tag links inside a workspace are read from its link resources', async () => {
    await put('/workspaces/team-a/products/gold', { displayName: 'Gold', state: 'published', subscriptionRequired: true });
    await put('/workspaces/team-a/products/gold/apiLinks/inventory-link', { apiId: `${fake.serviceId}/workspaces/team-a/apis/inventory` });
    await put('/workspaces/team-a/tags/stock', { displayName: 'stock' });
    await put('/workspaces/team-a/tags/stock/apiLinks/inventory-link', { apiId: `${fake.serviceId}/workspaces/team-a/apis/inventory` });
    const { out, result } = await extract({ filter: workspaceOnlyFilter('team-a') });
    expect(result.ok).toBe(true);
    expect(read(out, 'workspaces/team-a/products/gold/product.yaml')).toContain('apis:\n  - inventory\n');
    expect(read(out, 'workspaces/team-a/tags/stock/tag.yaml')).toContain('apis:\n  - inventory\n');
  });
});

describe('what APIM cannot give', () => {
  it('an API it cannot export (400) falls back to operation.yaml; a collection answering 404 is empty', async () => {
    fake.faults.set([
      { path: '/apis/orders', query: { export: 'true' }, status: 400, message: 'Export is not supported for this API.' },
      { path: '/gateways', status: 404 },
    ]);
    try {
      const { out, result } = await extract({ filter: parseExtractFilter('apis: [orders]\n', 'f.yaml') });
      expect(result.failures).toEqual([]);
      expect(existsSync(join(out, 'apis/orders/specification.yaml'))).toBe(false);
      expect(read(out, 'apis/orders/operations/list-orders/operation.yaml')).toContain('urlTemplate: /orders');
      expect(existsSync(join(out, 'gateways'))).toBe(false);
    } finally {
      fake.faults.set([]);
    }
  });
});

describe('transient conflicts', () => {
  it('a read answered 409 "Operation on the API is in progress" is repeated, not failed', async () => {
    fake.faults.set([{ path: '/apis/orders/operations', status: 409, times: 2 }]);
    try {
      const { result } = await extract({ filter: parseExtractFilter('apis: [orders]\n', 'f.yaml'), conflictRetryDelayMs: 1 });
      expect(result.failures).toEqual([]);
      expect(fake.faults.hits).toBe(2);
    } finally {
      fake.faults.set([]);
    }
  });
});

describe('extract options', () => {
  it('--spec-format openapi+json writes specification.json', async () => {
    const { out, result } = await extract({ specFormat: 'openapi+json', filter: parseExtractFilter('apis: [orders]\n', 'f.yaml') });
    expect(result.ok).toBe(true);
    expect(JSON.parse(read(out, 'apis/orders/specification.json')).info.title).toBe('Orders');
  });

  it('--workspace takes only that workspace (and what it depends on)', async () => {
    const { out, result } = await extract({ filter: workspaceOnlyFilter('team-a') });
    expect(result.ok).toBe(true);
    expect(existsSync(join(out, 'workspaces/team-a/apis/inventory/api.yaml'))).toBe(true);
    expect(existsSync(join(out, 'apis'))).toBe(false);
    expect(existsSync(join(out, 'namedValues/region'))).toBe(false);
  });

  it('nested filters take some operations of an API', async () => {
    const { out, result } = await extract({ filter: parseExtractFilter('apis:\n  - orders:\n      operations: []\n', 'f.yaml') });
    expect(result.ok).toBe(true);
    expect(existsSync(join(out, 'apis/orders/api.yaml'))).toBe(true);
    expect(existsSync(join(out, 'apis/orders/policy.xml'))).toBe(true);
  });
});
