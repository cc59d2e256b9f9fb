#!/usr/bin/env node
// A tiny payments service for trying `apimops serve artifacts-sample` on a laptop: it listens where
// artifacts-sample/configuration.local.yaml points the `payments-backend` (http://127.0.0.1:9091/api) and
// keeps payments in memory. Loopback only.
import { createServer } from 'node:http';

/** Starts the demo backend; resolves with the server once it listens. */
export function startDemoBackend(port = 9091, host = '127.0.0.1') {
  const payments = new Map([
    ['pay-1001', { id: 'pay-1001', amount: 125.5, currency: 'EUR', status: 'settled' }],
  ]);
  let next = 1002;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const send = (status, body) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const m = /^\/api\/payments(?:\/([^/]+))?$/.exec(url.pathname);
      if (!m) return send(404, { error: 'not found' });
      const id = m[1] ? decodeURIComponent(m[1]) : undefined;
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return send(400, { error: 'body is not JSON' });
      }
      if (!id && req.method === 'GET') return send(200, [...payments.values()]);
      if (!id && req.method === 'POST') {
        const p = { id: `pay-${next++}`, amount: body?.amount, currency: body?.currency, status: 'pending' };
        payments.set(p.id, p);
        return send(201, p);
      }
      if (id && req.method === 'GET') return payments.has(id) ? send(200, payments.get(id)) : send(404, { error: 'no such payment' });
      if (id && req.method === 'PUT') {
        if (!payments.has(id)) return send(404, { error: 'no such payment' });
        const p = { ...payments.get(id), ...body, id };
        payments.set(id, p);
        return send(200, p);
      }
      return send(405, { error: 'method not allowed' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startDemoBackend(Number(process.env.PORT ?? 9091));
  const { port } = server.address();
  process.stderr.write(`demo payments backend on http://127.0.0.1:${port}/api\n`);
}
