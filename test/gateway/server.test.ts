/**
 * Bad input over real sockets: malformed HTTP, huge headers and bodies, a backend that is down, slow or
 * resets — each gets APIM's status and body, and the server keeps serving.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/gateway/server.js';
import type { LocalGateway } from '../../src/gateway/index.js';
import { gatewayFor, startBackend } from './helpers.js';

let backend: Awaited<ReturnType<typeof startBackend>>;
let gw: LocalGateway;
let server: RunningServer;
const accessLines: string[] = [];
const held: { closed: Promise<boolean> }[] = [];
let heldArrived: (() => void) | undefined;
const endless: { closed: Promise<boolean> }[] = [];

beforeAll(async () => {
  backend = await startBackend((req, res, body) => {
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.end('late'), 2_000).unref();
      return;
    }
    if (req.url?.startsWith('/hold')) {
      // Never answers on its own: the test watches whether the gateway gives up the call.
      held.push({ closed: new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableEnded))) });
      heldArrived?.();
      return;
    }
    if (req.url?.startsWith('/big')) {
      // 3 MiB with a Content-Length: over the read-whole limit, so the gateway streams it.
      const chunk = Buffer.alloc(64 * 1024, 'b');
      res.setHeader('Content-Length', String(48 * chunk.length));
      for (let i = 0; i < 48; i++) res.write(chunk);
      res.end();
      return;
    }
    if (req.url?.startsWith('/endless')) {
      // Streams until its response is closed from the other side.
      endless.push({ closed: new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableEnded))) });
      const chunk = Buffer.alloc(16 * 1024, 'e');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    if (req.url?.startsWith('/chunked')) {
      // No Content-Length: chunked transfer, written over several turns.
      let i = 0;
      const next = (): void => {
        if (i === 5) return void res.end();
        res.write(`part-${i++};`);
        setImmediate(next);
      };
      next();
      return;
    }
    if (req.url?.startsWith('/reset')) {
      req.socket.destroy();
      return;
    }
    res.setHeader('Content-Type', 'text/plain');
    res.end(`ok ${body.length}`);
  });
  gw = await gatewayFor({
    global: `<policies><inbound /><backend><forward-request timeout-ms="@(context.Request.Url.Path.Contains(&quot;/hold&quot;) ? 60000 : 300)" /></backend><outbound /><on-error><set-header name="X-Last" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></on-error></policies>`,
    apis: [
      { name: 'up', path: 'up', serviceUrl: backend.url, operations: [{ name: 'any', method: 'POST', urlTemplate: '/{*rest}' }, { name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] },
      { name: 'down', path: 'down', serviceUrl: 'http://127.0.0.1:9', operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] },
    ],
  });
  server = await startServer(gw, { port: 0, maxBodyBytes: 1024, maxHeaderBytes: 4096, onAccess: (l) => accessLines.push(`${l.method} ${l.path} ${l.status}`) });
});
afterAll(async () => {
  await server.close();
  await gw.close();
  await backend.close();
});

function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

describe('serve over real sockets', () => {
  it('answers the status probe and proxies a body', async () => {
    expect((await fetch(`${server.url}/status-0123456789abcdef`)).status).toBe(200);
    const res = await fetch(`${server.url}/up/echo`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok 5');
  });

  it('streams a large response and a chunked one through unchanged', async () => {
    const big = await fetch(`${server.url}/up/big`);
    expect(big.status).toBe(200);
    expect(big.headers.get('content-length')).toBe(String(3 * 1024 * 1024));
    const bytes = Buffer.from(await big.arrayBuffer());
    expect(bytes.length).toBe(3 * 1024 * 1024);
    expect(bytes.every((b) => b === 98)).toBe(true);
    const chunked = await fetch(`${server.url}/up/chunked`);
    expect(chunked.status).toBe(200);
    expect(await chunked.text()).toBe('part-0;part-1;part-2;part-3;part-4;');
  });

  it('answers malformed HTTP with 400 and keeps serving', async () => {
    const out = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toContain('"statusCode": 400');
    expect((await fetch(`${server.url}/status-0123456789abcdef`)).status).toBe(200);
  });

  it('routes by the request path, never by URL delimiters smuggled in the Host header', async () => {
    const out = await raw('GET /echo HTTP/1.1\r\nHost: a/up\r\nConnection: close\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('answers headers over the limit with 431', async () => {
    const out = await raw(`GET /up/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers a body over the limit with 413', async () => {
    const res = await fetch(`${server.url}/up/echo`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { statusCode: number }).statusCode).toBe(413);
  });

  it('answers a chunked body (no Content-Length) over the limit with 413 while it streams to the backend', async () => {
    const chunked = (size: number) =>
      fetch(`${server.url}/up/echo`, {
        method: 'POST',
        body: new ReadableStream({
          start(c) {
            for (let sent = 0; sent < size; sent += 500) c.enqueue(new TextEncoder().encode('y'.repeat(Math.min(500, size - sent))));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const small = await chunked(900);
    expect(small.status).toBe(200);
    expect(await small.text()).toBe('ok 900');
    const big = await chunked(5000);
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ statusCode: 413, message: 'Request entity too large' });
    expect((await fetch(`${server.url}/status-0123456789abcdef`)).status).toBe(200);
  });

  it('aborts the backend call when the client goes away while it is pending (ClientConnectionFailure)', async () => {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const client = connect(server.port, '127.0.0.1', () => client.write('GET /up/hold HTTP/1.1\r\nHost: a\r\n\r\n'));
    await arrived;
    client.destroy();
    // true = the backend's response was closed before it was written: the gateway dropped the call.
    expect(await held[0]!.closed).toBe(true);
    expect((await fetch(`${server.url}/status-0123456789abcdef`)).status).toBe(200);
    expect((await fetch(`${server.url}/up/echo`, { method: 'POST', body: 'still here' })).status).toBe(200);
  });

  it('a client that goes away in the middle of a streamed body releases the backend call', async () => {
    const client = connect(server.port, '127.0.0.1', () => client.write('GET /up/endless HTTP/1.1\r\nHost: a\r\n\r\n'));
    await new Promise<void>((resolve) => client.once('data', () => resolve()));
    client.destroy();
    // true = the backend's response was closed before it ended: the gateway dropped the upstream call.
    expect(await endless[0]!.closed).toBe(true);
    expect((await fetch(`${server.url}/status-0123456789abcdef`)).status).toBe(200);
  });

  it('runs on-error with LastError ClientConnectionFailure when the caller aborts (dispatch with an AbortSignal)', async () => {
    const before = held.length;
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const caller = new AbortController();
    const pending = gw.dispatch(new Request('http://gateway.local/up/hold', { signal: caller.signal }));
    await arrived;
    caller.abort();
    const res = await pending;
    expect(res.headers.get('x-last')).toBe('forward-request/ClientConnectionFailure');
    expect(await held[before]!.closed).toBe(true);
  });

  it('maps a backend that is down to 500 BackendConnectionFailure (on-error sees LastError)', async () => {
    const res = await fetch(`${server.url}/down/x`);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-last')).toBe('forward-request/BackendConnectionFailure');
    const body = (await res.json()) as { statusCode: number; message: string; activityId: string };
    expect(body).toMatchObject({ statusCode: 500, message: 'Internal server error' });
    expect(body.activityId).toBeTruthy();
  });

  it('maps a backend timeout to 504 Timeout', async () => {
    const res = await fetch(`${server.url}/up/slow`);
    expect(res.status).toBe(504);
    expect(res.headers.get('x-last')).toBe('forward-request/Timeout');
    expect(await res.json()).toEqual({ statusCode: 504, message: 'Backend service timeout' });
  });

  it('maps a connection reset to 500 BackendConnectionFailure', async () => {
    const res = await fetch(`${server.url}/up/reset`);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-last')).toBe('forward-request/BackendConnectionFailure');
  });

  it('writes one access line per request', () => {
    expect(accessLines).toContain('POST /up/echo 200');
    expect(accessLines).toContain('GET /down/x 500');
  });

  it('finishes an in-flight request on close', async () => {
    const g2 = await gatewayFor({
      global: `<policies><inbound /><backend><forward-request timeout="5" /></backend><outbound /><on-error /></policies>`,
      apis: [{ name: 'up', path: 'up', serviceUrl: backend.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
    });
    const s2 = await startServer(g2, { port: 0 });
    const seen = backend.requests.length;
    const pending = fetch(`${s2.url}/up/slow`);
    // Close only once the request is in flight (the backend has it), not after a guessed delay.
    while (!backend.requests.slice(seen).some((r) => r.url === '/slow')) await new Promise((r) => setImmediate(r));
    const closed = s2.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('late');
    await closed;
    await g2.close();
  });
});
