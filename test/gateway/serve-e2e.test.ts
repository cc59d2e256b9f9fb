/**
 * End to end, as a user runs it: the built CLI (`node bin/apimops.js serve <folder> --port 0 --backend …`)
 * over a copy of `artifacts-sample/`, a real backend on 127.0.0.1, real HTTP. Covers routing, product keys,
 * the validate-jwt fragment with a token from the local identity provider, the `choose` on the method, named
 * values from `configuration.local.yaml`, the trace, 404/401 bodies, and a graceful SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalIdentityProvider } from '../../src/gateway/identity-provider.js';
import { startBackend } from './helpers.js';

const REPO = join(import.meta.dirname, '..', '..');
const ISSUER = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';

function newestMtime(dir: string): number {
  let max = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    max = Math.max(max, f.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds dist/ when it is missing or older than src/ (npm test builds first anyway). */
function ensureBuilt(): void {
  const main = join(REPO, 'dist', 'cli', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(REPO, 'src', 'gateway'))) return;
  spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json')], { stdio: 'ignore' });
}

let dir: string;
let backend: Awaited<ReturnType<typeof startBackend>>;
let child: ChildProcess;
let base: string;
let stderr = '';
let idp: LocalIdentityProvider;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'apimops-serve-'));
  cpSync(join(REPO, 'artifacts-sample'), join(dir, 'sample'), { recursive: true });
  writeFileSync(join(dir, 'apimops.yaml'), 'artifacts: sample\n');
  backend = await startBackend();
  idp = await LocalIdentityProvider.load(dir);
  child = spawn(process.execPath, [join(REPO, 'bin', 'apimops.js'), 'serve', 'sample', '--port', '0', '--backend', `payments-backend=${backend.url}/api`], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const token = (roles: string[] = []) => idp.mint({ aud: 'api://payments', iss: ISSUER, roles });

describe('apimops serve artifacts-sample (built CLI, real HTTP)', () => {
  it('answers the status probe', async () => {
    const res = await fetch(`${base}/status-0123456789abcdef`);
    expect(res.status).toBe(200);
  });

  it('404s an unknown path with APIM\'s body', async () => {
    const res = await fetch(`${base}/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, message: 'Resource not found' });
  });

  it('401s a missing and an invalid subscription key with APIM\'s exact bodies', async () => {
    const missing = await fetch(`${base}/payments/payments`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      statusCode: 401,
      message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    });
    const invalid = await fetch(`${base}/payments/payments`, { headers: { 'Ocp-Apim-Subscription-Key': 'nope' } });
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toEqual({
      statusCode: 401,
      message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
    });
  });

  it('runs the std-edge fragment: no token → 401 with the policy\'s message', async () => {
    const res = await fetch(`${base}/payments/payments`, { headers: { 'Ocp-Apim-Subscription-Key': 'premium-demo-key' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe('Unauthorized. Access token is missing or invalid.');
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('forwards a GET with a product key and a token to the backend entity, with named values from configuration.local.yaml', async () => {
    const res = await fetch(`${base}/payments/payments?status=settled`, {
      headers: { 'Ocp-Apim-Subscription-Key': 'premium-demo-key', Authorization: `Bearer ${await token()}` },
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(echo.url).toBe('/api/payments?status=settled');
    expect(echo.headers['x-api-key']).toBe('local-dev-backend-key');
    expect(echo.headers['x-correlation-id']).toBeTruthy();
    expect(res.headers.get('x-correlation-id')).toBe(echo.headers['x-correlation-id']);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('applies the choose on the method: a POST without Payments.Write is 403, with it reaches the backend', async () => {
    const denied = await fetch(`${base}/payments/payments`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': 'premium-demo-key', Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' },
      body: '{"amount": 10}',
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ statusCode: 403, message: 'The Payments.Write role is required to change payments.' });
    const allowed = await fetch(`${base}/payments/payments`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': 'premium-demo-key', Authorization: `Bearer ${await token(['Payments.Write'])}`, 'Content-Type': 'application/json' },
      body: '{"amount": 10}',
    });
    expect(allowed.status, `${await allowed.clone().text()}\n${stderr}`).toBe(200);
    const echo = (await allowed.json()) as { method: string; body: string; headers: Record<string, string> };
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('{"amount": 10}');
    expect(echo.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns a trace location with the policies that ran', async () => {
    const res = await fetch(`${base}/payments/payments`, {
      headers: { 'Ocp-Apim-Subscription-Key': 'premium-demo-key', Authorization: `Bearer ${await token()}`, 'Ocp-Apim-Trace': 'true' },
    });
    expect(res.status).toBe(200);
    const location = res.headers.get('ocp-apim-trace-location');
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_apimops\/traces\//);
    const trace = (await (await fetch(location!)).json()) as { entries: { source: string; scope: string; section: string }[] };
    const sources = trace.entries.map((e) => `${e.section}:${e.scope}:${e.source}`);
    expect(sources).toContain('inbound:global:validate-jwt');
    expect(sources).toContain('inbound:api:set-backend-service');
    expect(sources).toContain('backend:api:forward-request');
  });

  it('logs one access line per request and stops gracefully on SIGTERM', async () => {
    // Access lines are written in batches (every 50 ms): wait for the batch, not for a fixed time.
    await expect.poll(() => stderr, { timeout: 5000, interval: 20 }).toMatch(/GET \/payments\/payments payments-api list-payments 200 /);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('apimops serve: stopped');
  });
});
