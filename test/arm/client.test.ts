// The real @azure/arm-apimanagement client against the fake ARM server: paging, long-running operations,
// rawxml policies, secrets, retries on injected faults, and error mapping.
import { afterEach, describe, expect, it } from 'vitest';
import { createArmClient, resolveEndpoint, type ArmClient } from '../../src/arm/client.js';
import { isTransientArmError, mapArmError } from '../../src/arm/errors.js';
import { UserError } from '../../src/shared/errors.js';
import { startFakeArm, type FakeArm, type FakeArmOptions } from '../support/fake-arm/server.js';

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(options: FakeArmOptions = {}): Promise<{ fake: FakeArm; arm: ArmClient }> {
  fake = await startFakeArm(options);
  const arm = createArmClient(
    { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, retry: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
    {},
  );
  return { fake, arm };
}

const POLICY = '<policies><inbound><base /><set-header name="x" exists-action="override"><value>@(context.Request.Headers.FirstOrDefault(h => h.Key == "a").Value)</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

describe('createArmClient against the fake ARM', () => {
  it('pages through lists with the SDK pager (nextLink verbatim)', async () => {
    const { arm } = await setup({ pageSize: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await arm.sdk.tag.createOrUpdate(arm.resourceGroup, arm.serviceName, name, { displayName: `Tag ${name}` });
    }
    const names: string[] = [];
    for await (const tag of arm.sdk.tag.listByService(arm.resourceGroup, arm.serviceName)) names.push(tag.name!);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    const raw = await arm.list<{ name: string }>('/tags');
    expect(raw.map((t) => t.name)).toEqual(names);
    expect(fake!.requests.filter((r) => r.path === '/tags').length).toBe(6); // 3 pages each way
  });

  it('runs long-running operations to completion (API import, named value, fragment)', async () => {
    const { arm } = await setup();
    await arm.sdk.namedValue.beginCreateOrUpdateAndWait(arm.resourceGroup, arm.serviceName, 'nv1', { displayName: 'Secret1', value: 's3cr3t', secret: true }, { updateIntervalInMs: 1 });
    const api = await arm.sdk.api.beginCreateOrUpdateAndWait(
      arm.resourceGroup,
      arm.serviceName,
      'echo',
      { path: 'echo', displayName: 'Echo', format: 'openapi', value: 'openapi: 3.0.1\ninfo: { title: Echo, version: "1" }\npaths:\n  /x:\n    get:\n      operationId: get-x\n      responses: { "200": { description: ok } }\n' },
      { updateIntervalInMs: 1 },
    );
    expect(api.name).toBe('echo');
    const ops: string[] = [];
    for await (const op of arm.sdk.apiOperation.listByApi(arm.resourceGroup, arm.serviceName, 'echo')) ops.push(op.name!);
    expect(ops).toEqual(['get-x']);
    expect(fake!.requests.some((r) => r.path.includes('/tenant/operationResults/'))).toBe(true);
    // secrets: not in GET, only via listValue
    const nv = await arm.sdk.namedValue.get(arm.resourceGroup, arm.serviceName, 'nv1');
    expect(nv.value).toBeUndefined();
    expect((await arm.sdk.namedValue.listValue(arm.resourceGroup, arm.serviceName, 'nv1')).value).toBe('s3cr3t');
    await arm.sdk.api.beginDeleteAndWait(arm.resourceGroup, arm.serviceName, 'echo', '*', { updateIntervalInMs: 1 });
    const gone = await arm.request('GET', '/apis/echo', { accept: [404] });
    expect(gone.status).toBe(404);
  });

  it('stores policies raw and returns rawxml only when asked (the SDK defaults to xml)', async () => {
    const { arm } = await setup();
    await arm.sdk.policy.createOrUpdate(arm.resourceGroup, arm.serviceName, 'policy', { value: POLICY, format: 'rawxml' });
    const xml = await arm.sdk.policy.get(arm.resourceGroup, arm.serviceName, 'policy');
    expect(xml.value).toContain('h =&gt; h.Key');
    const raw = await arm.sdk.policy.get(arm.resourceGroup, arm.serviceName, 'policy', { format: 'rawxml' });
    expect(raw.value).toBe(POLICY);
    expect(raw.eTag).toMatch(/^"/);
  });

  it('retries 429 (Retry-After), 503 and dropped connections through the SDK retry policy', async () => {
    const { arm, fake: f } = await setup({ faults: [{ path: '/tags', status: 429, retryAfter: 0, times: 2 }, { path: '/groups', drop: true, times: 1 }, { path: '/loggers', status: 503, times: 2 }] });
    expect(await arm.list('/tags')).toEqual([]);
    expect(await arm.list('/groups')).toEqual([]);
    expect(await arm.list('/loggers')).toEqual([]);
    expect(f.faults.hits).toBe(5);
  });

  it('makes a 429 without Retry-After retryable (the SDK alone would give up)', async () => {
    const events: number[] = [];
    fake = await startFakeArm({ faults: [{ path: '/tags', status: 429, times: 1, retryAfter: -1 }] });
    const arm = createArmClient(
      { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, missingRetryAfterSeconds: 0, onResponse: (e) => events.push(e.status) },
      {},
    );
    expect(await arm.list('/tags')).toEqual([]);
    expect(events).toEqual([429, 200]);
  });

  it('caps a huge Retry-After (the SDK alone would sleep an hour)', async () => {
    fake = await startFakeArm({ faults: [{ path: '/tags', status: 429, times: 1, retryAfter: 3600 }] });
    const seen: (number | undefined)[] = [];
    const arm = createArmClient(
      { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, maxRetryAfterSeconds: 0, onResponse: (e) => seen.push(e.retryAfterSeconds) },
      {},
    );
    const started = performance.now();
    expect(await arm.list('/tags')).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(seen).toEqual([0, undefined]);
  });

  it('maps a persistent 403 to an actionable E_AUTH error', async () => {
    const { arm } = await setup({ faults: [{ path: '/apis', status: 403 }] });
    const err = await arm.list('/apis').catch((e: unknown) => e);
    const mapped = mapArmError(err, { op: 'list', kind: 'api', scope: arm.serviceId });
    expect(mapped).toBeInstanceOf(UserError);
    expect(mapped.code).toBe('E_AUTH');
    expect(mapped.message).toMatch(/^Forbidden: list api: the identity apimops runs as needs the API Management Service Reader role on \/subscriptions\//);
    expect(isTransientArmError(err)).toBe(false);
  });

  it('maps 404 and 400 with the ARM message and details', async () => {
    const { arm } = await setup();
    const notFound = await arm.request('GET', '/apis/nope').catch((e: unknown) => e);
    expect(mapArmError(notFound, { op: 'get', kind: 'api', name: 'nope' }).message).toBe("Not found: get api 'nope' (ResourceNotFound): Api not found.");
    const invalid = await arm.request('PUT', '/diagnostics/d', { body: { properties: { loggerId: '/loggers/none' } } }).catch((e: unknown) => e);
    const mapped = mapArmError(invalid, { op: 'put', kind: 'diagnostic', name: 'd' });
    expect(mapped.message).toContain('Rejected: put diagnostic');
    expect(mapped.message).toContain('loggerId: Logger not found.');
  });

  it('answers 412 on an If-Match that no longer matches, mapped to "changed by someone else"', async () => {
    const { arm } = await setup();
    const created = await arm.request('PUT', '/groups/g1', { body: { properties: { displayName: 'G1' } } });
    expect(created.status).toBe(201);
    await arm.request('PATCH', '/groups/g1', { body: { properties: { description: 'newer' } }, ifMatch: created.etag });
    const stale = await arm.request('PATCH', '/groups/g1', { body: { properties: { description: 'older' } }, ifMatch: created.etag }).catch((e: unknown) => e);
    expect(mapArmError(stale, { op: 'patch', kind: 'group', name: 'g1' }).message).toBe("Precondition failed: patch group 'g1' was changed by someone else meanwhile (PreconditionFailed)");
    const star = await arm.request('PATCH', '/groups/g1', { body: { properties: { description: 'forced' } }, ifMatch: '*' });
    expect(star.status).toBe(200);
  });

  it('polls a Location-only long-running operation (202 + Location) to completion', async () => {
    const { arm, fake: f } = await setup({ lro: 'location', lroPolls: 2 });
    await arm.sdk.policyFragment.beginCreateOrUpdateAndWait(arm.resourceGroup, arm.serviceName, 'frag', { value: '<fragment><base /></fragment>', format: 'rawxml' }, { updateIntervalInMs: 1 });
    expect(f.requests.filter((r) => r.path === '/policyFragments/frag' && r.query.includes('asyncId')).map((r) => r.status)).toEqual([202, 202, 200]);
  });

  it('waits for slow responses and serves them', async () => {
    const { arm } = await setup({ faults: [{ path: '/loggers', delayMs: 150 }] });
    const started = performance.now();
    expect(await arm.list('/loggers')).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('sends AZURE_BEARER_TOKEN as the bearer token; a rejected token is "Unauthorized"', async () => {
    fake = await startFakeArm({ requireToken: 'token-from-env' });
    const target = { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url };
    const ok = createArmClient(target, { AZURE_BEARER_TOKEN: 'token-from-env' });
    expect(await ok.list('/apis')).toEqual([]);
    const wrong = createArmClient(target, {});
    const err = await wrong.list('/apis').catch((e: unknown) => e);
    const mapped = mapArmError(err, { op: 'list', kind: 'api' });
    expect(mapped.code).toBe('E_AUTH');
    expect(mapped.message).toMatch(/^Unauthorized: list api: the token was rejected \(AuthenticationFailed\)/);
  });

  it('a credential that cannot get a token is an E_AUTH error with the ways to sign in', async () => {
    fake = await startFakeArm();
    const credential = {
      async getToken(): Promise<never> {
        const err = new Error('DefaultAzureCredential failed to retrieve a token from the included credentials.');
        err.name = 'AggregateAuthenticationError';
        throw err;
      },
    };
    const arm = createArmClient({ subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, credential }, {});
    const mapped = mapArmError(await arm.request('GET', '').catch((e: unknown) => e), { op: 'get', kind: 'service' });
    expect(mapped.code).toBe('E_AUTH');
    expect(mapped.message).toContain('no usable Azure credential for get service');
    expect(mapped.hint).toContain('az login');
  });

  it('refuses plain http for anything but loopback', () => {
    expect(resolveEndpoint('http://127.0.0.1:8080')).toEqual({ base: 'http://127.0.0.1:8080', loopbackHttp: true });
    expect(resolveEndpoint('AzureChinaCloud').base).toBe('https://management.chinacloudapi.cn');
    expect(() => resolveEndpoint('http://example.com')).toThrow(/must use https/);
  });
});
