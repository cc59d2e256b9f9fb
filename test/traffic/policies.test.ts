/**
 * The traffic policies through the real gateway (`dispatch`), real backends on 127.0.0.1, real stores,
 * and an injected clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFor, startBackend } from '../gateway/helpers.js';
import { LocalIdentityProvider, IDENTITY_PROVIDER_EXTENSION } from '../../src/gateway/identity-provider.js';
import { SELF_HOSTED_APIS_EXTENSION, STORE_FAILURE_EXTENSION } from '../../src/gateway/limits.js';
import { BackendResilience } from '../../src/gateway/backends-resilience.js';
import { MemoryStore } from '../../src/gateway/stores/memory.js';
import { RedisStore } from '../../src/gateway/stores/redis.js';
import type { BackendConfig } from '../../src/gateway/policies/types.js';
import { redisServerAvailable, startRedis } from '../support/redis.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
let backend: Awaited<ReturnType<typeof startBackend>>;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend.close();
});

const policy = (inbound: string, outbound = '', backendSection = '<forward-request />', onError = '') =>
  `<policies><inbound>${inbound}</inbound><backend>${backendSection}</backend><outbound>${outbound}</outbound><on-error>${onError}</on-error></policies>`;
const api = (global: string, extra: Record<string, unknown> = {}) => ({
  global,
  apis: [{ name: 'shop', path: 'shop', serviceUrl: `${backend.url}/api`, operations: [{ name: 'get-items', method: 'GET', urlTemplate: '/items' }, { name: 'post-items', method: 'POST', urlTemplate: '/items' }] }],
  ...extra,
});
const get = (path: string, headers: Record<string, string> = {}) => new Request(`http://gw.local${path}`, { headers });

describe('rate-limit-by-key', () => {
  it('admits `calls` per key in the window, then answers APIM\'s 429 with Retry-After, and slides', async () => {
    let now = T0;
    const gw = await gatewayFor(
      api(
        policy(
          `<rate-limit-by-key calls="3" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Key", "anon"))" remaining-calls-variable-name="left" />`,
          `<set-header name="X-Left" exists-action="override"><value>@(context.Variables["left"].ToString())</value></set-header>`,
        ),
      ),
      { clock: () => now },
    );
    const statuses: number[] = [];
    const left: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await gw.dispatch(get('/shop/items', { 'X-Key': 'alice' }));
      statuses.push(r.status);
      left.push(r.headers.get('x-left'));
      now += 1000;
    }
    expect(statuses).toEqual([200, 200, 200]);
    expect(left).toEqual(['2', '1', '0']);
    const refused = await gw.dispatch(get('/shop/items', { 'X-Key': 'alice' }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('57');
    expect(await refused.json()).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 57 seconds.' });
    expect((await gw.dispatch(get('/shop/items', { 'X-Key': 'bob' }))).status).toBe(200);
    now = T0 + 60_000;
    expect((await gw.dispatch(get('/shop/items', { 'X-Key': 'alice' }))).status).toBe(200);
    await gw.close();
  });

  it('is an error: on-error sees LastError, and increment-condition decides what counts', async () => {
    const gw = await gatewayFor(
      api(
        policy(
          `<rate-limit-by-key calls="1" renewal-period="10" counter-key="k" increment-condition="@(context.Request.Headers.GetValueOrDefault("X-Count", "yes") == "yes")" retry-after-header-name="X-Wait" />`,
          '',
          '<forward-request />',
          `<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header>`,
        ),
      ),
      { clock: () => T0 },
    );
    expect((await gw.dispatch(get('/shop/items', { 'X-Count': 'no' }))).status).toBe(200);
    expect((await gw.dispatch(get('/shop/items'))).status).toBe(200);
    const refused = await gw.dispatch(get('/shop/items'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-reason')).toBe('rate-limit-by-key/RateLimitExceeded');
    expect(refused.headers.get('x-wait')).toBe('10');
    await gw.close();
  });

  it('rejects a renewal-period over 300 s at load, with the position', async () => {
    await expect(gatewayFor(api(policy('<rate-limit-by-key calls="1" renewal-period="301" counter-key="k" />')))).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ file: 'policy.xml', line: 1, message: expect.stringContaining('at most 300') })],
    });
  });
});

describe('rate-limit and quota per subscription', () => {
  const subs = {
    products: [{ name: 'starter', apis: ['shop'], policy: policy('<base /><rate-limit calls="2" renewal-period="60" /><quota calls="3" renewal-period="3600" />') }],
    subscriptions: [{ name: 's1', scope: '/products/starter', primaryKey: 'key-1' }, { name: 's2', scope: '/products/starter', primaryKey: 'key-2' }],
  };
  it('counts per subscription key, with APIM\'s 429 and 403 bodies', async () => {
    let now = T0;
    const gw = await gatewayFor(api(policy('<base />'), subs), { clock: () => now });
    const call = (key: string) => gw.dispatch(get('/shop/items', { 'Ocp-Apim-Subscription-Key': key }));
    expect((await call('key-1')).status).toBe(200);
    expect((await call('key-1')).status).toBe(200);
    const limited = await call('key-1');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { message: string }).message).toBe('Rate limit is exceeded. Try again in 60 seconds.');
    expect((await call('key-2')).status).toBe(200);
    now += 61_000;
    expect((await call('key-1')).status).toBe(200);
    const out = await call('key-1').then(async () => {
      now += 61_000;
      return call('key-1');
    });
    expect(out.status).toBe(403);
    expect(out.headers.get('retry-after')).toBe(String(3600 - 122));
    expect(await out.json()).toEqual({ statusCode: 403, message: 'Out of call volume quota. Quota will be replenished in 00:57:58.' });
    await gw.close();
  });

  it('nested <api>/<operation> limits count only the calls they name', async () => {
    const nested = {
      ...subs,
      products: [
        {
          name: 'starter',
          apis: ['shop'],
          policy: policy(
            '<base /><rate-limit calls="100" renewal-period="60"><api name="shop"><operation name="post-items" calls="1" renewal-period="60" /></api></rate-limit>' +
              '<quota calls="100" renewal-period="3600"><api name="shop" calls="3" renewal-period="3600" /></quota>',
          ),
        },
      ],
    };
    const gw = await gatewayFor(api(policy('<base />'), nested), { clock: () => T0 });
    const call = (method: string) => gw.dispatch(new Request('http://gw.local/shop/items', { method, headers: { 'Ocp-Apim-Subscription-Key': 'key-1' } }));
    expect((await call('POST')).status).toBe(200);
    expect((await call('POST')).status).toBe(429); // the operation's own limit of 1
    expect((await call('GET')).status).toBe(200); // GET is not limited by the POST operation's limit
    expect((await call('GET')).status).toBe(200); // the API's quota of 3: POST, GET, GET (the refused POST never reached it)
    expect((await call('GET')).status).toBe(403);
    await gw.close();
  });
});

describe('quota-by-key', () => {
  it('fixed windows from first-period-start, one increment per request per key, 403 when out', async () => {
    let now = T0;
    const gw = await gatewayFor(
      api(
        policy(
          `<quota-by-key calls="2" renewal-period="86400" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Key", "anon"))" first-period-start="2026-01-01T06:00:00Z" /><quota-by-key calls="2" renewal-period="86400" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Key", "anon"))" first-period-start="2026-01-01T06:00:00Z" />`,
        ),
      ),
      { clock: () => now },
    );
    expect((await gw.dispatch(get('/shop/items', { 'X-Key': 'a' }))).status).toBe(200);
    expect((await gw.dispatch(get('/shop/items', { 'X-Key': 'a' }))).status).toBe(200);
    const out = await gw.dispatch(get('/shop/items', { 'X-Key': 'a' }));
    expect(out.status).toBe(403);
    // Windows start at 06:00; at 12:00 the next one is 18 hours away.
    expect(await out.json()).toEqual({ statusCode: 403, message: 'Out of call volume quota. Quota will be replenished in 18:00:00.' });
    now = T0 + 18 * 3_600_000;
    expect((await gw.dispatch(get('/shop/items', { 'X-Key': 'a' }))).status).toBe(200);
    await gw.close();
  });
});

describe.skipIf(!redisServerAvailable())('store failure (a real redis-server, killed mid-test)', () => {
  it('closed (default): APIM\'s 500; open: the request goes through', async () => {
    const redis = await startRedis();
    const logs: string[] = [];
    const store = await RedisStore.connect({ url: redis.url, namespace: `fail-${Date.now()}`, log: (l) => logs.push(l) });
    const spec = api(policy('<rate-limit-by-key calls="100" renewal-period="60" counter-key="k" />'));
    const closed = await gatewayFor(spec, { store });
    const extensions = new Map<string, unknown>([[STORE_FAILURE_EXTENSION, 'open']]);
    const open = await gatewayFor(spec, { store, extensions });
    expect((await closed.dispatch(get('/shop/items'))).status).toBe(200);
    await redis.kill();
    const failed = await closed.dispatch(get('/shop/items'));
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 500, message: 'Internal server error' });
    expect(typeof body.activityId).toBe('string');
    expect((await open.dispatch(get('/shop/items'))).status).toBe(200);
    expect(logs.join('\n')).toMatch(/unreachable|lost the connection/);
    await closed.close();
    await open.close();
    await store.close();
    await redis.stop();
  });
});

describe('validate-jwt with the local identity provider', () => {
  const root = mkdtempSync(join(tmpdir(), 'apimops-jwt-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const iss = `https://login.microsoftonline.com/${tenant}/v2.0`;
  const jwtPolicy = policy(
    `<validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid." require-scheme="Bearer" output-token-variable-name="jwt" clock-skew="60">
      <openid-config url="https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration" />
      <audiences><audience>api://payments</audience></audiences>
      <issuers><issuer>${iss}</issuer></issuers>
      <required-claims><claim name="roles" match="any"><value>Payments.Read</value><value>Payments.Write</value></claim></required-claims>
    </validate-jwt>`,
    `<set-header name="X-Sub" exists-action="override"><value>@(((Jwt)context.Variables["jwt"]).Subject)</value></set-header>`,
    '<forward-request />',
    `<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>`,
  );
  it('accepts a token from `apimops token`\'s provider and rejects missing, expired, wrong-audience and role-less ones', async () => {
    const idp = await LocalIdentityProvider.load(root);
    let now = Date.now();
    const gw = await gatewayFor(api(jwtPolicy), { clock: () => now, extensions: new Map([[IDENTITY_PROVIDER_EXTENSION, idp]]) });
    const good = await idp.mint({ iss, aud: 'api://payments', sub: 'carol', roles: ['Payments.Write'] });
    const ok = await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${good}` }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-sub')).toBe('carol');

    const missing = await gw.dispatch(get('/shop/items'));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });
    expect(missing.headers.get('x-reason')).toBe('TokenNotPresent');

    const wrongScheme = await gw.dispatch(get('/shop/items', { Authorization: `Basic ${good}` }));
    expect(wrongScheme.headers.get('x-reason')).toBe('TokenNotPresent');
    const otherAud = await idp.mint({ iss, aud: 'api://other', roles: ['Payments.Write'] });
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${otherAud}` }))).headers.get('x-reason')).toBe('TokenAudienceNotAllowed');
    const noRole = await idp.mint({ iss, aud: 'api://payments' });
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${noRole}` }))).headers.get('x-reason')).toBe('TokenClaimNotFound');

    now += 3600_000 + 61_000; // past exp + clock-skew
    const expired = await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${good}` }));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('x-reason')).toBe('TokenExpired');
    await gw.close();
  });
});

describe('cache-lookup / cache-store', () => {
  it('serves a stored GET without calling the backend, varies by header, expires by duration', async () => {
    let now = T0;
    let calls = 0;
    const be = await startBackend((req, res) => {
      calls++;
      res.setHeader('Content-Type', 'text/plain');
      if (req.url?.includes('nostore')) res.setHeader('Cache-Control', 'no-store');
      res.end(`answer ${calls} for ${req.headers.accept ?? '-'}`);
    });
    const gw = await gatewayFor(
      {
        global: policy(
          '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="public"><vary-by-header>Accept</vary-by-header></cache-lookup>',
          '<cache-store duration="30" />',
        ),
        apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/{p}' }] }],
      },
      { clock: () => now },
    );
    const first = await gw.dispatch(get('/shop/a', { Accept: 'text/plain' }));
    expect(await first.text()).toBe('answer 1 for text/plain');
    expect(first.headers.get('cache-control')).toBe('public, max-age=30, must-revalidate');
    expect(await (await gw.dispatch(get('/shop/a', { Accept: 'text/plain' }))).text()).toBe('answer 1 for text/plain');
    expect(await (await gw.dispatch(get('/shop/a', { Accept: 'application/json' }))).text()).toBe('answer 2 for application/json');
    expect(await (await gw.dispatch(get('/shop/a', { Accept: 'text/plain', Authorization: 'Bearer x' }))).text()).toBe('answer 3 for text/plain');
    await gw.dispatch(get('/shop/nostore'));
    expect(await (await gw.dispatch(get('/shop/nostore'))).text()).toBe('answer 5 for -');
    now += 30_000;
    expect(await (await gw.dispatch(get('/shop/a', { Accept: 'text/plain' }))).text()).toBe('answer 6 for text/plain');
    expect(calls).toBe(6);
    await gw.close();
    await be.close();
  });

  it('caching-type internal is a no-op on an API of a self-hosted gateway', async () => {
    let calls = 0;
    const be = await startBackend((_req, res) => res.end(`n${++calls}`));
    const spec = {
      global: policy('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" />', '<cache-store duration="60" />'),
      apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
    };
    const managed = await gatewayFor(spec);
    await managed.dispatch(get('/shop/x'));
    expect(await (await managed.dispatch(get('/shop/x'))).text()).toBe('n1');
    const selfHosted = await gatewayFor(spec, { extensions: new Map([[SELF_HOSTED_APIS_EXTENSION, new Set(['shop'])]]) });
    await selfHosted.dispatch(get('/shop/x'));
    expect(await (await selfHosted.dispatch(get('/shop/x'))).text()).toBe('n3');
    await managed.close();
    await selfHosted.close();
    await be.close();
  });

  it('cache-store-value / cache-lookup-value / cache-remove-value share values across requests', async () => {
    const store = new MemoryStore();
    const gw = await gatewayFor(
      api(
        policy(
          `<choose>
             <when condition="@(context.Request.Headers.GetValueOrDefault("X-Op", "") == "put")"><cache-store-value key="greeting" value="@("hello " + context.Request.Headers.GetValueOrDefault("X-Name", ""))" duration="60" /></when>
             <when condition="@(context.Request.Headers.GetValueOrDefault("X-Op", "") == "del")"><cache-remove-value key="greeting" /></when>
           </choose>
           <cache-lookup-value key="greeting" variable-name="g" />`,
          `<set-header name="X-G" exists-action="override"><value>@(context.Variables.ContainsKey("g") ? (string)context.Variables["g"] : "(none)")</value></set-header>`,
        ),
      ),
      { store },
    );
    expect((await gw.dispatch(get('/shop/items'))).headers.get('x-g')).toBe('(none)');
    await gw.dispatch(get('/shop/items', { 'X-Op': 'put', 'X-Name': 'dave' }));
    expect((await gw.dispatch(get('/shop/items'))).headers.get('x-g')).toBe('hello dave');
    await gw.dispatch(get('/shop/items', { 'X-Op': 'del' }));
    expect((await gw.dispatch(get('/shop/items'))).headers.get('x-g')).toBe('(none)');
    await gw.close();
  });
});

describe('retry and limit-concurrency', () => {
  it('retries while the condition holds, re-sending the buffered body, waiting by the injected sleep', async () => {
    const bodies: string[] = [];
    const be = await startBackend((_req, res, body) => {
      bodies.push(body);
      res.statusCode = bodies.length < 3 ? 503 : 201;
      res.end(`attempt ${bodies.length}`);
    });
    const sleeps: number[] = [];
    const gw = await gatewayFor(
      {
        global: policy('', '', '<retry condition="@(context.Response.StatusCode == 503)" count="4" interval="2" delta="1"><forward-request /></retry>'),
        apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'post', method: 'POST', urlTemplate: '/orders' }] }],
      },
      { sleep: async (ms) => void sleeps.push(ms) },
    );
    const res = await gw.dispatch(new Request('http://gw.local/shop/orders', { method: 'POST', body: '{"amount":5}' }));
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('attempt 3');
    expect(bodies).toEqual(['{"amount":5}', '{"amount":5}', '{"amount":5}']);
    expect(sleeps).toEqual([2000, 3000]);
    await gw.close();
    await be.close();
  });

  it('limit-concurrency answers 429 to the request over max-count', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const first = new Promise<void>((r) => (arrived = r));
    const be = await startBackend((_req, res) => {
      arrived();
      void gate.then(() => res.end('done'));
    });
    const gw = await gatewayFor({
      global: policy('', '', '<limit-concurrency key="one" max-count="1"><forward-request /></limit-concurrency>'),
      apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
    });
    const slow = gw.dispatch(get('/shop/x'));
    await first;
    const refused = await gw.dispatch(get('/shop/x'));
    expect(refused.status).toBe(429);
    release();
    expect((await slow).status).toBe(200);
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(200);
    await gw.close();
    await be.close();
  });
});

describe('circuit breaker through forward-request', () => {
  it('opens after the failure count and answers 503 without calling the backend, then closes after tripDuration', async () => {
    let calls = 0;
    const be = await startBackend((_req, res) => {
      calls++;
      res.statusCode = 500;
      res.end('boom');
    });
    let now = T0;
    const backends: Record<string, Record<string, unknown>> = {
      pay: {
        url: be.url,
        protocol: 'http',
        circuitBreaker: { rules: [{ name: 'r', failureCondition: { count: 2, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }] }, tripDuration: 'PT30S' }] },
      },
    };
    let current: ReadonlyMap<string, BackendConfig> = new Map();
    const guard = new BackendResilience(() => current);
    const gw = await gatewayFor(
      {
        global: policy('<set-backend-service backend-id="pay" />'),
        apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
        backends,
      },
      { clock: () => now, backendGuard: guard },
    );
    current = new Map([['pay', { name: 'pay', url: be.url, protocol: 'http', properties: backends.pay! }]]);
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(500);
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(500);
    const open = await gw.dispatch(get('/shop/x'));
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('30');
    expect(calls).toBe(2);
    now += 30_000;
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(500);
    expect(calls).toBe(3);
    await gw.close();
    await be.close();
  });
});

describe('validate-azure-ad-token', () => {
  const root = mkdtempSync(join(tmpdir(), 'apimops-aad-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  it('accepts tokens of the tenant for a listed client application only', async () => {
    const idp = await LocalIdentityProvider.load(root);
    const tenant = 'contoso-tenant';
    const gw = await gatewayFor(
      api(
        policy(
          `<validate-azure-ad-token tenant-id="${tenant}"><client-application-ids><application-id>client-a</application-id></client-application-ids><audiences><audience>api://payments</audience></audiences></validate-azure-ad-token>`,
          '',
          '<forward-request />',
          `<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>`,
        ),
      ),
      { extensions: new Map([[IDENTITY_PROVIDER_EXTENSION, idp]]) },
    );
    const iss = `https://login.microsoftonline.com/${tenant}/v2.0`;
    const ok = await idp.mint({ iss, aud: 'api://payments', claims: [['azp', 'client-a']] });
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${ok}` }))).status).toBe(200);
    const stranger = await idp.mint({ iss, aud: 'api://payments', claims: [['azp', 'client-b']] });
    const refused = await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${stranger}` }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-reason')).toBe('TokenClientApplicationNotAllowed');
    const otherTenant = await idp.mint({ iss: 'https://login.microsoftonline.com/other/v2.0', aud: 'api://payments', claims: [['azp', 'client-a']] });
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${otherTenant}` }))).headers.get('x-reason')).toBe('TokenIssuerNotAllowed');
    await gw.close();
  });
});

describe('response headers and bandwidth (after the response)', () => {
  it('rate-limit-by-key reports remaining and total calls in response headers', async () => {
    const gw = await gatewayFor(
      api(policy('<rate-limit-by-key calls="5" renewal-period="60" counter-key="h" remaining-calls-header-name="X-RateLimit-Remaining" total-calls-header-name="X-RateLimit-Limit" />')),
      { clock: () => T0 },
    );
    const r1 = await gw.dispatch(get('/shop/items'));
    const r2 = await gw.dispatch(get('/shop/items'));
    expect([r1.headers.get('x-ratelimit-remaining'), r2.headers.get('x-ratelimit-remaining')]).toEqual(['4', '3']);
    expect(r2.headers.get('x-ratelimit-limit')).toBe('5');
    await gw.close();
  });

  it('quota-by-key bandwidth counts request and response bytes once the response is known', async () => {
    const be = await startBackend((_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('x'.repeat(600));
    });
    const gw = await gatewayFor(
      {
        global: policy('<quota-by-key bandwidth="1" renewal-period="3600" counter-key="bw" />'),
        apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
      },
      { clock: () => T0 },
    );
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(200);
    expect((await gw.dispatch(get('/shop/x'))).status).toBe(200);
    const out = await gw.dispatch(get('/shop/x'));
    expect(out.status).toBe(403);
    expect(await out.json()).toEqual({ statusCode: 403, message: 'Out of bandwidth quota. Quota will be replenished in 01:00:00.' });
    await gw.close();
    await be.close();
  });
});

describe('validate-jwt load errors', () => {
  it('a bad literal attribute or a missing token source fails the load with the position', async () => {
    await expect(gatewayFor(api(policy('<validate-jwt header-name="Authorization" require-expiration-time="maybe" />')))).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ file: 'policy.xml', line: 1 })],
    });
    await expect(gatewayFor(api(policy('<validate-jwt />')))).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ message: expect.stringContaining('exactly one of header-name, query-parameter-name and token-value') })],
    });
  });
});

describe('validate-jwt with certificates in issuer-signing-keys', () => {
  it('verifies RS256 and ES256 tokens against PEM certificates in the policy', async () => {
    const { readFileSync } = await import('node:fs');
    const { SignJWT } = await import('jose');
    const { createPrivateKey } = await import('node:crypto');
    const fx = (f: string) => readFileSync(join(import.meta.dirname, 'fixtures', f), 'utf8');
    const gw = await gatewayFor(
      api(
        policy(
          `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>${fx('signing-cert.pem')}</key><key>${fx('ec-cert.pem')}</key></issuer-signing-keys><audiences><audience>api://certs</audience></audiences></validate-jwt>`,
        ),
      ),
      { clock: () => T0 },
    );
    const sign = (key: string, alg: string) =>
      new SignJWT({ aud: 'api://certs', exp: T0 / 1000 + 60 }).setProtectedHeader({ alg }).sign(createPrivateKey(key));
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${await sign(fx('signing-key.pem'), 'RS256')}` }))).status).toBe(200);
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${await sign(fx('ec-key.pem'), 'ES256')}` }))).status).toBe(200);
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await gw.dispatch(get('/shop/items', { Authorization: `Bearer ${await sign(stranger, 'RS256')}` }))).status).toBe(401);
    await gw.close();
  });
});

describe('cache-lookup keys', () => {
  it('vary-by-query-parameter keeps only the listed parameters; vary-by-developer separates subscriptions', async () => {
    let calls = 0;
    const be = await startBackend((_req, res) => res.end(`n${++calls}`));
    const gw = await gatewayFor({
      global: policy(
        '<cache-lookup vary-by-developer="true" vary-by-developer-groups="false"><vary-by-query-parameter>page;size</vary-by-query-parameter></cache-lookup>',
        '<cache-store duration="60" />',
      ),
      apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
      products: [{ name: 'p', apis: ['shop'] }],
      subscriptions: [{ name: 'a', scope: '/products/p', primaryKey: 'ka' }, { name: 'b', scope: '/products/p', primaryKey: 'kb' }],
    });
    const call = async (q: string, key: string) => (await gw.dispatch(get(`/shop/x${q}`, { 'Ocp-Apim-Subscription-Key': key }))).text();
    expect(await call('?page=1&size=2&trace=a', 'ka')).toBe('n1');
    expect(await call('?size=2&page=1&trace=b', 'ka')).toBe('n1'); // order and unlisted parameters do not matter
    expect(await call('?page=2&size=2', 'ka')).toBe('n2');
    expect(await call('?page=1&size=2', 'kb')).toBe('n3'); // another developer
    await gw.close();
    await be.close();
  });
});

describe('increment-condition on the response', () => {
  it('counts only the calls whose response matches, decided once the response is known', async () => {
    let fail = 3;
    const be = await startBackend((_req, res) => {
      res.statusCode = fail-- > 0 ? 500 : 200;
      res.end('x');
    });
    const gw = await gatewayFor(
      {
        global: policy('<rate-limit-by-key calls="2" renewal-period="60" counter-key="ok-only" increment-condition="@(context.Response.StatusCode == 200)" />'),
        apis: [{ name: 'shop', path: 'shop', serviceUrl: be.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/x' }] }],
      },
      { clock: () => T0 },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await gw.dispatch(get('/shop/x'))).status);
    expect(statuses).toEqual([500, 500, 500, 200, 200, 429]);
    await gw.close();
    await be.close();
  });
});
