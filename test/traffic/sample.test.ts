/**
 * The sample instance's traffic policies end to end, in process: `artifacts-sample/` with its local
 * overrides, the std-edge validate-jwt fragment answered by the local identity provider (tokens as
 * `apimops token` mints them), the Starter product's rate-limit-by-key, the Payments.Write role check,
 * retry around forward-request and the backend's circuit breaker — against a real backend on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEffectiveState } from '../../src/artifacts/effective.js';
import { createGateway } from '../../src/gateway/index.js';
import { BackendResilience } from '../../src/gateway/backends-resilience.js';
import { IDENTITY_PROVIDER_EXTENSION, jwtExpectations, LocalIdentityProvider } from '../../src/gateway/identity-provider.js';
import { startBackend } from '../gateway/helpers.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('artifacts-sample traffic policies', () => {
  const root = mkdtempSync(join(tmpdir(), 'apimops-sample-idp-'));
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let failNext = 0;
  beforeAll(async () => {
    backend = await startBackend((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (failNext > 0) {
        failNext--;
        res.statusCode = 503;
        return res.end('{"error":"busy"}');
      }
      res.end(JSON.stringify({ id: 'pay-1001', path: req.url }));
    });
  });
  afterAll(async () => {
    await backend.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('JWT from the local identity provider, Starter rate limit with its header, role check, retry and circuit breaker', async () => {
    const { state } = await loadEffectiveState({ cwd: REPO, env: {}, folder: join(REPO, 'artifacts-sample'), environment: 'local' });
    const idp = await LocalIdentityProvider.load(root);
    let now = T0;
    const sleeps: number[] = [];
    let gw!: Awaited<ReturnType<typeof createGateway>>;
    gw = await createGateway({
      state,
      backendUrls: new Map([['payments-backend', `${backend.url}/api`]]),
      extensions: new Map([[IDENTITY_PROVIDER_EXTENSION, idp]]),
      backendGuard: new BackendResilience(() => gw.currentConfig.backends),
      clock: () => now,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const { issuers, audiences } = jwtExpectations(join(REPO, 'artifacts-sample'));
    expect(audiences).toEqual(['api://payments']);
    const reader = await idp.mint({ iss: issuers[0], aud: audiences[0], now });
    const writer = await idp.mint({ iss: issuers[0], aud: audiences[0], roles: ['Payments.Write'], now });
    const call = (token: string | undefined, method = 'GET', path = '/payments/payments/pay-1001') =>
      gw.dispatch(
        new Request(`http://gw.local${path}`, {
          method,
          headers: { 'Ocp-Apim-Subscription-Key': 'starter-demo-key', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
          body: method === 'POST' ? '{"amount": 10}' : undefined,
        }),
      );

    const missing = await call(undefined);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });

    const ok = await call(reader);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('4');

    const forbidden = await call(reader, 'POST', '/payments/payments');
    expect(forbidden.status).toBe(403);

    // retry: the backend answers 503 twice; first-fast-retry, then interval 1 s.
    failNext = 2;
    const retried = await call(writer, 'POST', '/payments/payments');
    expect(retried.status).toBe(200);
    expect(sleeps).toEqual([1000]);

    // Starter: 5 calls per minute (the 401 was refused before the limit; ok, forbidden, retried = 3 so far).
    expect((await call(reader)).status).toBe(200);
    expect((await call(reader)).status).toBe(200);
    const limited = await call(reader);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as { message: string }).message).toBe('Rate limit is exceeded. Try again in 60 seconds.');

    // Circuit breaker (3 failures of 5xx within PT1M → open for PT30S): the retries above count two.
    now += 61_000;
    failNext = 3;
    const down = await call(writer, 'POST', '/payments/payments');
    expect(down.status).toBe(503);
    const open = await call(reader);
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('30');
    now += 30_000;
    expect((await call(reader)).status).toBe(200);
    await gw.close();
  });
});
