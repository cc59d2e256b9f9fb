// arm/apply.ts against the fake ARM server through the real SDK pipeline: the sample instance published to an
// empty service, level by level, then checked resource by resource in the fake's store.
import { afterEach, describe, expect, it } from 'vitest';
import { createArmClient } from '../../src/arm/client.js';
import { createArmApplier, readDeployment, recordDeployment } from '../../src/arm/apply.js';
import { applyOverrides, readOverrides } from '../../src/artifacts/overrides.js';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { loadArtifacts } from '../../src/artifacts/reader.js';
import { emptyState } from '../../src/artifacts/model.js';
import { applyPublish, preparePublish } from '../../src/publish/publish.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function sampleFor(env: string) {
  const src = folderSource('artifacts-sample');
  const { state } = await loadArtifacts(src);
  const { overrides } = await readOverrides(src, `configuration.${env}.yaml`);
  return applyOverrides(state, overrides!);
}

describe('publishing artifacts-sample to an empty fake service', () => {
  it('writes every resource in dependency order with rawxml policies, imports and links', async () => {
    fake = await startFakeArm({ lroPolls: 1 });
    const arm = createArmClient({ subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url }, {});
    const applier = createArmApplier(arm, { pollIntervalMs: 1 });
    const target = await sampleFor('dev');
    const prepared = preparePublish(emptyState(), target, { mode: 'range' });
    const result = await applyPublish(prepared, applier, {
      parallelism: 4,
      env: { PAYMENTS_BACKEND_API_KEY: 'k-123', APPINSIGHTS_INSTRUMENTATION_KEY: 'ik-456' },
    });
    expect(result.failed.map((f) => `${f.step.change.key}: ${(f.error as Error).message}`)).toEqual([]);
    expect(result.complete).toBe(true);
    const get = (p: string) => fake!.store.get(p)?.properties;
    expect(get('/namedValues/backend-api-key')?.value).toBe('k-123');
    expect(get('/loggers/appinsights')).toMatchObject({ loggerType: 'applicationInsights' });
    expect(get('/backends/payments-backend')?.url).toBe('https://payments.dev.internal.contoso.com/api');
    const policy = get('/apis/payments-api/policies/policy');
    expect(policy?.value).toBe(target.apiPolicy.get('/apis/payments-api/policies/policy')!.policy!.text);
    expect(get('/apis/payments-api')).toMatchObject({ path: 'payments', displayName: 'Payments API' });
    expect(fake.store.list('/apis/payments-api/operations').length).toBeGreaterThan(0);
    // every write happened before the policy that uses it
    const order = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path.toLowerCase());
    expect(order.indexOf('/policyfragments/std-edge')).toBeLessThan(order.indexOf('/policies/policy'));
    expect(order.indexOf('/namedvalues/backend-api-key')).toBeLessThan(order.indexOf('/backends/payments-backend'));
    expect(order.indexOf('/apis/payments-api')).toBeLessThan(order.indexOf('/products/premium/apis/payments-api'));

    await recordDeployment(arm, { commit: 'abc123' }, { pollIntervalMs: 1 });
    expect(await readDeployment(arm)).toEqual({ commit: 'abc123' });
  });

  it('retries 409 "operation in progress", 412 and 429 from the service and completes', async () => {
    fake = await startFakeArm({
      lroPolls: 1,
      faults: [
        { method: 'PUT', path: '/apis/payments-api', status: 409, code: 'Conflict', message: 'Operation on the API is in progress', times: 2 },
        { method: 'PUT', path: '/products/premium', status: 412, times: 1 },
        { method: 'PUT', path: '/namedValues/*', status: 429, retryAfter: 0, times: 3 },
      ],
    });
    const arm = createArmClient(
      { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url, retry: { maxRetries: 0 } },
      {},
    );
    const target = await sampleFor('dev');
    const retries: string[] = [];
    const slept: number[] = [];
    const result = await applyPublish(preparePublish(emptyState(), target, { mode: 'range' }), createArmApplier(arm, { pollIntervalMs: 1 }), {
      parallelism: 4,
      env: { PAYMENTS_BACKEND_API_KEY: 'k', APPINSIGHTS_INSTRUMENTATION_KEY: 'i' },
      baseDelayMs: 50,
      sleep: async (ms) => void slept.push(ms),
      onEvent: (e) => {
        if (e.type === 'retry') retries.push(`${e.step.change.key}: ${e.reason}`);
      },
    });
    expect(result.complete).toBe(true);
    expect(retries.filter((r) => r.startsWith('/apis/payments-api:'))).toEqual([
      '/apis/payments-api: 409 operation in progress',
      '/apis/payments-api: 409 operation in progress',
    ]);
    expect(retries).toContain('/products/premium: 412 precondition failed');
    expect(retries.filter((r) => r.includes('429'))).toHaveLength(3);
    expect(fake.store.get('/apis/payments-api')).toBeDefined();
  });
});

describe('workspace links', () => {
  it('writes link resources and deletes an existing link to the same API under another name first', async () => {
    fake = await startFakeArm({ lroPolls: 1 });
    const arm = createArmClient({ subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url }, {});
    await arm.request('PUT', '/workspaces/team-a', { body: { properties: { displayName: 'Team A' } } });
    await arm.request('PUT', '/workspaces/team-a/apis/orders', { body: { properties: { displayName: 'Orders', path: 'team-a/orders', protocols: ['https'] } } });
    await arm.request('PUT', '/workspaces/team-a/products/gold', { body: { properties: { displayName: 'Gold' } } });
    // a link created in the portal under a generated name
    await arm.request('PUT', '/workspaces/team-a/products/gold/apiLinks/link-7f3a', {
      body: { properties: { apiId: `${fake.serviceId}/workspaces/team-a/apis/orders` } },
    });
    const applier = createArmApplier(arm, { pollIntervalMs: 1 });
    const before = { kind: 'product' as const, key: '/workspaces/team-a/products/gold', name: 'gold', workspace: 'team-a', properties: { displayName: 'Gold' } };
    await applier.apply({
      op: 'update',
      kind: 'product',
      key: before.key,
      before,
      after: { ...before, properties: { displayName: 'Gold', apis: ['orders'] } },
      fields: [{ path: 'properties.apis', after: ['orders'] }],
    });
    const links = await arm.list<{ name: string }>('/workspaces/team-a/products/gold/apiLinks');
    expect(links.map((l) => l.name)).toEqual(['orders']);
    const w = fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(w.slice(-3)).toEqual([
      'PUT /workspaces/team-a/products/gold',
      'DELETE /workspaces/team-a/products/gold/apiLinks/link-7f3a',
      'PUT /workspaces/team-a/products/gold/apiLinks/orders',
    ]);
  });
});
