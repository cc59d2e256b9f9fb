import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFor, startBackend, SIMPLE_GLOBAL } from './helpers.js';
import type { LocalGateway } from '../../src/gateway/index.js';

const MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

let backend: Awaited<ReturnType<typeof startBackend>>;
let gw: LocalGateway;
beforeAll(async () => {
  backend = await startBackend();
  const ops = [{ name: 'get', method: 'GET', urlTemplate: '/x' }];
  const productPolicy = (tag: string) => `<policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>${tag}</value></set-header></inbound><backend><base /></backend><outbound><base /><set-header name="X-Ctx" exists-action="override"><value>@(context.Product == null ? "none" : context.Product.Id + "/" + (context.Subscription == null ? "" : context.Subscription.Id))</value></set-header></outbound><on-error><base /></on-error></policies>`;
  gw = await gatewayFor({
    global: SIMPLE_GLOBAL,
    apis: [
      { name: 'closed', path: 'closed', serviceUrl: backend.url, subscriptionRequired: true, operations: ops, props: { subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' } } },
      { name: 'public', path: 'public', serviceUrl: backend.url, subscriptionRequired: false, operations: ops },
      { name: 'other', path: 'other', serviceUrl: backend.url, subscriptionRequired: true, operations: ops },
      { name: 'opened', path: 'opened', serviceUrl: backend.url, subscriptionRequired: true, operations: ops },
    ],
    products: [
      { name: 'gold', apis: ['closed'], policy: productPolicy('gold') },
      { name: 'free', apis: ['opened'], subscriptionRequired: false, policy: productPolicy('free') },
    ],
    subscriptions: [
      { name: 'gold-sub', scope: '/products/gold', primaryKey: 'gold-1', secondaryKey: 'gold-2' },
      { name: 'api-sub', scope: '/apis/closed', primaryKey: 'api-1' },
      { name: 'all-sub', scope: '/apis', primaryKey: 'all-1' },
      { name: 'off-sub', scope: '/products/gold', primaryKey: 'off-1', state: 'suspended' },
    ],
  });
});
afterAll(async () => {
  await gw.close();
  await backend.close();
});

const get = (path: string, headers: Record<string, string> = {}) => gw.dispatch(new Request(`http://gw.local${path}`, { headers }));

describe('subscriptions and products (§4.3)', () => {
  it('401s a missing key with APIM\'s body and a WWW-Authenticate header', async () => {
    const res = await get('/closed/x');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ statusCode: 401, message: MISSING });
    expect(res.headers.get('www-authenticate')).toContain('AzureApiManagementKey');
  });
  it('401s an unknown, suspended or out-of-scope key as invalid', async () => {
    for (const [path, key] of [['/closed/x', 'nope'], ['/closed/x', 'off-1'], ['/other/x', 'gold-1']] as const) {
      const res = await get(path, { 'X-Key': key, 'Ocp-Apim-Subscription-Key': key });
      expect(res.status, `${path} ${key}`).toBe(401);
      expect(await res.json()).toEqual({ statusCode: 401, message: INVALID });
    }
  });
  it('uses the API\'s header name, and the query parameter when the header is absent', async () => {
    expect((await get('/closed/x', { 'X-Key': 'gold-2' })).status).toBe(200);
    expect((await get('/closed/x?key=gold-1')).status).toBe(200);
    expect((await get('/closed/x', { 'Ocp-Apim-Subscription-Key': 'gold-1' })).status).toBe(401);
  });
  it('runs product policies only in product context', async () => {
    const product = await get('/closed/x', { 'X-Key': 'gold-1' });
    expect(product.headers.get('x-ctx')).toBe('gold/gold-sub');
    expect(((await product.json()) as { headers: Record<string, string> }).headers['x-product']).toBe('gold');
    const apiScoped = await get('/closed/x', { 'X-Key': 'api-1' });
    expect(apiScoped.status).toBe(200);
    expect(apiScoped.headers.get('x-ctx')).toBeNull();
    expect((await get('/closed/x', { 'X-Key': 'all-1' })).status).toBe(200);
  });
  it('lets anonymous calls through an open product (in its context) and an API without subscription', async () => {
    const open = await get('/opened/x');
    expect(open.status).toBe(200);
    expect(open.headers.get('x-ctx')).toBe('free/');
    expect((await get('/public/x')).status).toBe(200);
  });
});
