// Conformance: replays every official 2024-05-01 REST example (../shared/fixtures/arm-apim-examples) of the
// resource kinds apimops uses against the fake ARM server, and checks it answers with one of the example's
// statuses and the example body's shape (same keys and JSON types), plus ETag headers where the example has one.
//
// Replay rules (the examples are not referentially consistent, ARM.md §10): ids are rewritten to the fake's
// service; whatever a request needs (parents, link targets, referenced loggers/named values, links to read or
// delete) is created first; writes run before reads, deletes last; If-Match values are sent as `*` because
// an example's ETag is opaque. Write responses are compared on the envelope and on the properties the
// request sent (the example's server-computed fields are the real service's, not a contract).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';
import { ARM_FIXTURES_DIR } from '../support/shared.js';

/** The shared fixtures sit next to the repository (`../shared/fixtures/`); APIMOPS_ARM_FIXTURES overrides. */
const FIXTURES_DIR = process.env.APIMOPS_ARM_FIXTURES ?? ARM_FIXTURES_DIR;

interface ManifestEntry {
  file: string;
  operationId: string;
  method: string;
  path: string;
  longRunning: boolean;
}
interface Example {
  parameters: Record<string, unknown> & { parameters?: unknown; 'If-Match'?: string };
  responses: Record<string, { headers?: Record<string, string>; body?: unknown }>;
}

/** Operations outside the kinds apimops reads or writes. */
const NOT_USED = new Set([
  'OperationStatus_Get',
  'AllPolicies_ListByService',
  'Api_ListByTags',
  'Product_ListByTags',
  // extract only checks that the service exists; the fake's service document is deliberately minimal
  'ApiManagementService_Get',
]);
const FIXED_PARAMS = new Set(['serviceName', 'resourceGroupName', 'api-version', 'subscriptionId', 'parameters', 'If-Match']);

const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, 'manifest-2024-05-01.json'), 'utf8')) as { examples: ManifestEntry[] };
const cases = manifest.examples
  .filter((e) => !NOT_USED.has(e.operationId))
  .map((entry) => ({ entry, example: JSON.parse(readFileSync(join(FIXTURES_DIR, '2024-05-01', entry.file), 'utf8')) as Example }));

const SERVICE_ID_RE = /\/subscriptions\/[^/"]+\/resourceGroups\/[^/"]+\/providers\/Microsoft\.ApiManagement\/service\/[^/"?]+/gi;

/** The concrete service-relative path and query of an example. */
function requestOf(entry: ManifestEntry, example: Example): { path: string; query: URLSearchParams } {
  const template = entry.path.split('{serviceName}')[1] ?? '';
  const [pathTemplate, fixedQuery] = template.split('?');
  const used = new Set<string>();
  const path = pathTemplate!.replace(/\{([^}]+)\}/g, (_, name: string) => {
    used.add(name);
    return String(example.parameters[name]);
  });
  const query = new URLSearchParams(fixedQuery ?? '');
  for (const [k, v] of Object.entries(example.parameters)) if (!used.has(k) && !FIXED_PARAMS.has(k)) query.set(k, String(v));
  return { path, query };
}

type Shape = string | { [k: string]: Shape } | Shape[];
/** Differences between the expected body's shape and the actual body (keys and JSON types). */
function shapeDiff(expected: unknown, actual: unknown, at = '$', out: string[] = []): string[] {
  if (expected === null || expected === undefined) return out;
  const type = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (type(expected) !== type(actual)) {
    out.push(`${at}: expected ${type(expected)}, got ${type(actual)}`);
    return out;
  }
  if (Array.isArray(expected)) {
    if (expected.length > 0 && (actual as unknown[]).length > 0) shapeDiff(expected[0], (actual as unknown[])[0], `${at}[0]`, out);
    return out;
  }
  if (typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      if (k === 'nextLink' && v === '') continue; // "" and absent both end paging
      if (!(k in (actual as Record<string, unknown>))) {
        if (v !== null) out.push(`${at}.${k}: missing`);
        continue;
      }
      shapeDiff(v, (actual as Record<string, unknown>)[k], `${at}.${k}`, out);
    }
  }
  return out;
}

let fake: FakeArm;

async function call(method: string, path: string, query: URLSearchParams, body?: unknown, ifMatch?: string) {
  const q = new URLSearchParams(query);
  q.set('api-version', '2024-05-01');
  const url = `${fake.url}${fake.serviceId}${path.split('/').map(encodeURIComponent).join('/')}?${q.toString()}`;
  const headers: Record<string, string> = { authorization: 'Bearer conformance' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = method === 'HEAD' ? '' : await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const rewrite = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v).replace(SERVICE_ID_RE, () => fake.serviceId)) as T));

/** Makes sure a resource path exists, with properties from an example when one has them. */
function ensure(path: string, properties: Record<string, unknown> = {}): void {
  const segs = path.split('/').filter(Boolean);
  for (let len = 2; len <= segs.length; len += 2) {
    const p = `/${segs.slice(0, len).join('/')}`;
    const existing = fake.store.get(p);
    if (existing) {
      // a placeholder made for another example gets this example's properties
      if (len === segs.length && Object.keys(properties).length > 0) fake.store.put(p, { ...existing.properties, ...properties });
      continue;
    }
    const name = segs[len - 1]!;
    const coll = segs[len - 2]!;
    const props = len === segs.length ? properties : {};
    const defaults: Record<string, unknown> =
      coll === 'policies' ? { value: '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' } : { displayName: name, path: name };
    fake.store.put(p, { ...defaults, ...props });
  }
}

/** Classic association paths served from links (`/products/p/apis/a`, `/apis/a/tags/t`, …). */
const LINK_PATH = /^(\/(products|gateways|apis)\/[^/]+\/(apis|groups|tags)|\/apis\/[^/]+\/operations\/[^/]+\/tags)\/[^/]+$/i;
const ACTION = /\/(listValue|listSecrets|listKeys|refreshSecret|regeneratePrimaryKey|regenerateSecondaryKey|reconnect|listReferences)$/i;

/** Creates a link through the fake's own API (its target first). */
async function link(path: string, targetProperties: Record<string, unknown> = {}): Promise<void> {
  const segs = path.split('/').filter(Boolean);
  ensure(`/${segs[segs.length - 2]}/${segs[segs.length - 1]}`, targetProperties);
  ensure(`/${segs.slice(0, -2).join('/')}`);
  const res = await call('PUT', path, new URLSearchParams(), {});
  expect(res.status, `setup link ${path}`).toBeLessThan(300);
}

beforeAll(async () => {
  fake = await startFakeArm({ lro: 'async', lroPolls: 0 });
  const links: [string, Record<string, unknown>][] = [];
  for (const { entry, example } of cases) {
    const { path } = requestOf(entry, example);
    const segs = path.split('/').filter(Boolean);
    const ok = rewrite(example.responses['200']?.body) as { properties?: Record<string, unknown>; value?: { id?: string; properties?: Record<string, unknown> }[] } | undefined;
    // what the request needs: its parent, the owner of an action, the targets of references in its body
    if (segs.length > 2) ensure(`/${segs.slice(0, segs.length % 2 === 0 ? -2 : -1).join('/')}`);
    const body = rewrite(example.parameters.parameters) as { properties?: Record<string, unknown> } | undefined;
    for (const field of ['loggerId', 'apiVersionSetId', 'scope', 'apiId', 'sourceApiId', 'productId', 'groupId']) {
      const v = body?.properties?.[field];
      if (typeof v === 'string' && v.startsWith(fake.serviceId)) {
        const rel = v.slice(fake.serviceId.length);
        if (rel.split('/').length % 2 === 1 && rel !== '/apis') ensure(rel);
      }
    }
    for (const m of JSON.stringify(body ?? {}).matchAll(/\{\{([^{}]+)\}\}/g)) fake.store.put(`/namedValues/${m[1]}`, { displayName: m[1], value: '1', secret: false });
    if (ACTION.test(path)) {
      // the owner of an action holds what the action reveals (keys, secret values)
      const revealed = rewrite(example.responses['200']?.body) as Record<string, unknown> | undefined;
      const owner = `/${segs.slice(0, -1).join('/')}`;
      if (revealed && 'primaryKey' in revealed) ensure(owner, { primaryKey: revealed.primaryKey, secondaryKey: revealed.secondaryKey });
      if (revealed && typeof revealed.value === 'string') ensure(owner, { value: revealed.value });
      continue;
    }
    if (entry.method === 'PUT' || segs.length === 0) continue;
    // what a read/update/delete expects to exist
    if (LINK_PATH.test(path)) links.push([path, ok?.properties ?? {}]);
    else if (segs.length % 2 === 0) ensure(path, ok?.properties ?? {});
    else if (entry.method === 'GET' && Array.isArray(ok?.value)) {
      for (const item of ok.value) {
        const rel = typeof item.id === 'string' && item.id.startsWith(fake.serviceId) ? item.id.slice(fake.serviceId.length) : undefined;
        if (!rel || rel.split('/').length % 2 === 0) continue;
        if (LINK_PATH.test(rel)) links.push([rel, item.properties ?? {}]);
        else ensure(rel, item.properties ?? {});
      }
    }
  }
  for (const [l, props] of links) await link(l, props);
});

afterAll(async () => {
  await fake?.close();
});

const order = (m: string) => (m === 'PUT' ? 1 : m === 'PATCH' ? 2 : m === 'DELETE' ? 3 : 0);
const depth = (c: (typeof cases)[number]) => requestOf(c.entry, c.example).path.split('/').length;
// reads first (they see the examples' own data), then creates, updates, deletes — children before their parents
const sorted = [...cases].sort((a, b) => order(a.entry.method) - order(b.entry.method) || (a.entry.method === 'DELETE' ? depth(b) - depth(a) : 0));

describe('fake ARM conformance with the 2024-05-01 REST examples', () => {
  it('covers the operations apimops uses', () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  for (const { entry, example } of sorted) {
    it(`${entry.method} ${entry.operationId} (${entry.file})`, async () => {
      const { path, query } = requestOf(entry, example);
      const body = rewrite(example.parameters.parameters);
      const ifMatch = example.parameters['If-Match'] !== undefined ? '*' : undefined;
      const res = await call(entry.method, path, query, body, ifMatch);
      const statuses = Object.keys(example.responses).map(Number);
      expect(statuses, `${entry.method} ${path} → ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
      const expected = example.responses[String(res.status)]!;
      if ((expected.headers && Object.keys(expected.headers).some((h) => h.toLowerCase() === 'etag')) || (entry.method === 'HEAD' && res.status === 200)) {
        expect(res.headers.get('etag'), 'ETag header').toMatch(/^".+"$/);
      }
      if (expected.headers && Object.keys(expected.headers).some((h) => h.toLowerCase() === 'azure-asyncoperation')) {
        expect(res.headers.get('azure-asyncoperation')).toMatch(/^https:\/\/management\.azure\.com\/subscriptions\/.+\/tenant\/operationResults\/.+api-version=2024-05-01$/);
      }
      if (expected.body === undefined || entry.method === 'HEAD') return;
      const want = rewrite(expected.body) as Record<string, unknown>;
      if (entry.method === 'PUT' || entry.method === 'PATCH') {
        const got = res.body as Record<string, unknown>;
        expect(Object.keys(got).sort()).toEqual(expect.arrayContaining(['id', 'name', 'type'].filter((k) => k in want)));
        const sent = ((body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, unknown>;
        const sentKeys = Object.keys(sent).filter((k) => !['format', 'value', 'wsdlSelector', 'apiType', 'translateRequiredQueryParameters', 'sourceApiId', 'credentials'].includes(k));
        const wantProps = (want.properties ?? {}) as Record<string, unknown>;
        // top level of the properties the request sent: present, same JSON type (deeper, the example's server rewrites)
        const shallow = (v: unknown) => (Array.isArray(v) ? [] : v && typeof v === 'object' ? {} : v);
        const subset = Object.fromEntries(sentKeys.filter((k) => k in wantProps).map((k) => [k, shallow(wantProps[k])]));
        expect(shapeDiff({ properties: subset }, got), JSON.stringify(got)).toEqual([]);
        return;
      }
      expect(shapeDiff(want, res.body), JSON.stringify(res.body)).toEqual([]);
    });
  }
});
