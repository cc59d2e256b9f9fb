/**
 * `wait` (children run concurrently; `all` / `any`) and `send-one-way-request` (fire-and-forget, failures
 * logged), through `dispatch` against real backends on 127.0.0.1. No sleeps: the backend holds answers
 * until the test (or the other request) releases them, and one-way calls are awaited through
 * `pendingOneWayRequests` or the backend's receipt.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayLoadError } from '../../src/gateway/index.js';
import { pendingOneWayRequests } from '../../src/gateway/policies/send-one-way-request.js';
import type { GatewayLogger } from '../../src/gateway/state.js';
import { gatewayFor, startBackend } from './helpers.js';

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

/** Answers held by path until released; `/pair/*` answers only once two pair requests are in. */
const held = new Map<string, ServerResponse>();
const arrived = new Map<string, () => void>();
const arrival = (path: string) => new Promise<void>((r) => arrived.set(path, r));
let pair: { res: ServerResponse; body: string }[] = [];

let backend: Awaited<ReturnType<typeof startBackend>>;
beforeAll(async () => {
  backend = await startBackend((req, res, body) => {
    const path = req.url ?? '';
    const echo = () => JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body });
    if (path.startsWith('/pair/')) {
      pair.push({ res, body: `${path}:${String(req.headers['x-branch'])}` });
      if (pair.length === 2) {
        for (const p of pair) p.res.end(p.body);
        pair = [];
      }
      return;
    }
    if (path.startsWith('/hold/')) {
      held.set(path, res);
      res.setHeader('Content-Type', 'application/json');
      arrived.get(path)?.();
      (res as ServerResponse & { echo?: string }).echo = echo();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(echo());
  });
});
afterAll(async () => {
  for (const r of held.values()) r.end();
  await backend.close();
});

function release(path: string): void {
  const r = held.get(path)!;
  held.delete(path);
  r.end((r as ServerResponse & { echo?: string }).echo);
}

const GLOBAL = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error><set-header name="X-Source" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></on-error></policies>';

async function withInbound(inbound: string, options: Parameters<typeof gatewayFor>[1] = {}) {
  return gatewayFor(
    {
      global: GLOBAL,
      apis: [{ name: 't', path: 't', serviceUrl: `${backend.url}/svc`, policy: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`, operations: [{ name: 'any', method: 'POST', urlTemplate: '/{*rest}' }, { name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
    },
    options,
  );
}

const sendTo = (path: string, variable: string, branch: string, extra = '') =>
  `<send-request mode="new" response-variable-name="${variable}" timeout="5"${extra}><set-url>${backend.url}${path}</set-url><set-header name="X-Branch" exists-action="override"><value>${branch}</value></set-header></send-request>`;

describe('wait', () => {
  it('for="all" runs the children at once (each send-request builds its own message) and waits for all of them', async () => {
    const gw = await withInbound(
      '<cache-store-value key="k" value="cached-v" duration="60" />' +
        '<wait for="all">' +
        sendTo('/pair/a', 'a', 'A') +
        sendTo('/pair/b', 'b', 'B') +
        '<cache-lookup-value key="k" variable-name="cached" />' +
        '<choose><when condition="@(true)"><set-variable name="chosen" value="yes" /></when></choose>' +
        '</wait>' +
        '<set-header name="X-Results" exists-action="override"><value>@(((IResponse)context.Variables["a"]).Body.As&lt;string&gt;() + "|" + ((IResponse)context.Variables["b"]).Body.As&lt;string&gt;() + "|" + (string)context.Variables["cached"] + "|" + (string)context.Variables["chosen"])</value></set-header>',
    );
    // Each /pair request is answered only when both are in: run one after the other, the first would time out.
    const res = await gw.dispatch(new Request('http://gw.local/t/x'));
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.url).toBe('/svc/x');
    expect(echo.headers['x-results']).toBe('/pair/a:A|/pair/b:B|cached-v|yes');
    // The set-header of the send-requests went to their own messages, not to the forwarded request.
    expect(echo.headers['x-branch']).toBeUndefined();
    await gw.close();
  });

  it('for="any" goes on when the first child finishes; the other keeps running', async () => {
    const gw = await withInbound(
      '<wait for="any">' + sendTo('/hold/slow', 'slow', 'S') + sendTo('/fast', 'fast', 'F') + '</wait>' +
        '<return-response><set-body>@(context.Variables.ContainsKey("fast") + "/" + context.Variables.ContainsKey("slow"))</set-body></return-response>',
    );
    const slowIn = arrival('/hold/slow');
    const res = await gw.dispatch(new Request('http://gw.local/t/x'));
    expect(await res.text()).toBe('True/False');
    await slowIn;
    release('/hold/slow');
    await gw.close();
  });

  it('for="all": a failing child sends the request to on-error with its LastError, after the others finished', async () => {
    const gw = await withInbound('<wait>' + sendTo('/fast', 'ok', 'O') + '<send-request mode="new" response-variable-name="down" timeout="5"><set-url>http://127.0.0.1:9/x</set-url></send-request></wait>');
    const res = await gw.dispatch(new Request('http://gw.local/t/x'));
    expect(res.status).toBe(500);
    expect(res.headers.get('x-source')).toBe('send-request/BackendConnectionFailure');
    await gw.close();
  });

  it('bad wait elements fail the load with their positions', async () => {
    const errors = async (inbound: string, section = 'inbound') => {
      try {
        const gw = await gatewayFor({ apis: [{ name: 'a', path: 'a', serviceUrl: 'http://127.0.0.1:9', policy: `<policies>\n<${section}>\n${inbound}\n</${section}>\n</policies>`, operations: [{ name: 'op', method: 'GET', urlTemplate: '/x' }] }] });
        await gw.close();
        return [];
      } catch (e) {
        if (!(e instanceof GatewayLoadError)) throw e;
        return e.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
      }
    };
    expect(await errors('<wait>\n  <set-header name="a"><value>b</value></set-header>\n</wait>')).toEqual(['4:3: <wait> can hold send-request, cache-lookup-value and choose, not <set-header>']);
    expect(await errors('<wait for="some">' + sendTo('/fast', 'x', 'X') + '</wait>')).toEqual(['3:1: wait@for must be "all" or "any", not "some"']);
    expect(await errors('<wait>' + sendTo('/fast', 'x', 'X') + '</wait>', 'on-error')).toEqual(['3:1: policy <wait> is not allowed in the on-error section (allowed: inbound, backend, outbound)']);
  });
});

describe('send-one-way-request', () => {
  it('sends the message (mode copy, children applied) without holding the pipeline', async () => {
    const extensions = new Map<string, unknown>();
    const gw = await withInbound(
      '<send-one-way-request mode="copy"><set-url>' + backend.url + '/hold/hook</set-url><set-method>PUT</set-method><set-header name="X-Hook" exists-action="override"><value>@(context.Request.Method)</value></set-header></send-one-way-request>',
      { extensions },
    );
    const hookIn = arrival('/hold/hook');
    // The backend holds the one-way call's answer: the client's response comes back anyway.
    const res = await gw.dispatch(new Request('http://gw.local/t/orders', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-caller': 'c1' }, body: 'order-1' }));
    expect(res.status).toBe(200);
    const forwarded = (await res.json()) as Echo;
    expect(forwarded.body).toBe('order-1');
    expect(forwarded.headers['x-hook']).toBeUndefined();
    await hookIn;
    const hook = JSON.parse((held.get('/hold/hook') as ServerResponse & { echo: string }).echo) as Echo;
    expect(hook.method).toBe('PUT');
    expect(hook.body).toBe('order-1');
    expect(hook.headers['x-caller']).toBe('c1');
    expect(hook.headers['x-hook']).toBe('POST');
    release('/hold/hook');
    await pendingOneWayRequests(extensions);
    await gw.close();
  });

  it('a failing call is logged (warn event), never raised', async () => {
    const extensions = new Map<string, unknown>();
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const logger: GatewayLogger = { access() {}, event: (kind, data) => void events.push({ kind, data }) };
    const gw = await withInbound('<send-one-way-request mode="new"><set-url>http://127.0.0.1:9/audit</set-url><set-method>POST</set-method><set-body>audit</set-body></send-one-way-request>', { extensions, logger });
    const res = await gw.dispatch(new Request('http://gw.local/t/x'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-source')).toBeNull();
    await pendingOneWayRequests(extensions);
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('warn');
    expect(events[0]!.data).toMatchObject({ source: 'send-one-way-request', method: 'POST', url: 'http://127.0.0.1:9/audit' });
    expect(String(events[0]!.data.message)).toMatch(/could not be reached/);
    await gw.close();
  });

  it('needs a set-url unless mode="copy"', async () => {
    await expect(withInbound('<send-one-way-request mode="new"><set-method>GET</set-method></send-one-way-request>')).rejects.toThrow(GatewayLoadError);
  });
});
