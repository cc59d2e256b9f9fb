import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFor, startBackend, SIMPLE_GLOBAL } from './helpers.js';

let backend: Awaited<ReturnType<typeof startBackend>>;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend.close();
});

const ops = [
  { name: 'get-item', method: 'GET', urlTemplate: '/items/{id}' },
  { name: 'list-items', method: 'GET', urlTemplate: '/items' },
  { name: 'create-item', method: 'POST', urlTemplate: '/items' },
];

describe('pipeline through dispatch', () => {
  it('forwards to the backend with the remaining path and query, and composes scopes with <base/>', async () => {
    const gw = await gatewayFor({
      global: `<policies><inbound><set-header name="X-Global" exists-action="override"><value>g</value></set-header></inbound><backend><forward-request /></backend><outbound><set-header name="X-Out" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header></outbound><on-error /></policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: `${backend.url}/api`, operations: ops, policy: `<policies><inbound><set-header name="X-Api" exists-action="override"><value>@(context.Request.MatchedParameters.GetValueOrDefault("id", "none"))</value></set-header><base /></inbound><backend><base /></backend><outbound><base /><set-header name="X-Powered-By" exists-action="delete" /></outbound><on-error><base /></on-error></policies>` }],
    });
    const res = await gw.dispatch(new Request('http://gw.local/shop/items/42?x=1'));
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(echo.url).toBe('/api/items/42?x=1');
    expect(echo.headers['x-api']).toBe('42');
    expect(echo.headers['x-global']).toBe('g');
    expect(res.headers.get('x-out')).toBe('200');
    expect(res.headers.get('x-powered-by')).toBeNull();
    await gw.close();
  });

  it('answers 404 with APIM body for an unknown API and an unknown operation', async () => {
    const gw = await gatewayFor({ global: SIMPLE_GLOBAL, apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }] });
    const a = await gw.dispatch(new Request('http://gw.local/nope/items'));
    expect(a.status).toBe(404);
    expect(await a.json()).toEqual({ statusCode: 404, message: 'Resource not found' });
    const b = await gw.dispatch(new Request('http://gw.local/shop/items', { method: 'DELETE' }));
    expect(b.status).toBe(404);
    expect(await b.json()).toEqual({ statusCode: 404, message: 'Resource not found' });
    await gw.close();
  });

  it('runs choose on the method and return-response ends the pipeline without outbound', async () => {
    const gw = await gatewayFor({
      global: `<policies><inbound><choose><when condition="@(context.Request.Method == "POST")"><return-response><set-status code="403" reason="Forbidden" /><set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header><set-body>{"no": true}</set-body></return-response></when><otherwise><set-variable name="v" value="seen" /></otherwise></choose></inbound><backend><forward-request /></backend><outbound><set-header name="X-V" exists-action="override"><value>@((string)context.Variables["v"])</value></set-header></outbound></policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    const post = await gw.dispatch(new Request('http://gw.local/shop/items', { method: 'POST', body: '{}' }));
    expect(post.status).toBe(403);
    expect(post.headers.get('x-v')).toBeNull();
    expect(await post.json()).toEqual({ no: true });
    const get = await gw.dispatch(new Request('http://gw.local/shop/items'));
    expect(get.status).toBe(200);
    expect(get.headers.get('x-v')).toBe('seen');
    await gw.close();
  });

  it('sends a throwing expression to on-error with LastError', async () => {
    const gw = await gatewayFor({
      global: `<policies><inbound><set-variable name="x" value="@(((string)null).Length.ToString())" id="boom" /></inbound><backend><forward-request /></backend><outbound /><on-error><set-header name="X-Err" exists-action="override"><value>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Section + "|" + context.LastError.Scope + "|" + context.LastError.PolicyId)</value></set-header></on-error></policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    const res = await gw.dispatch(new Request('http://gw.local/shop/items'));
    expect(res.status).toBe(500);
    expect(res.headers.get('x-err')).toBe('set-variable|ExpressionValueEvaluationFailure|inbound|global|boom');
    const body = (await res.json()) as { statusCode: number; message: string; activityId: string };
    expect(body.statusCode).toBe(500);
    expect(body.message).toBe('Internal server error');
    expect(body.activityId).toMatch(/^00000000-/);
    await gw.close();
  });
});

describe('LastError path, header serialisation, expression values in the trace', () => {
  it('reports the nested path of a failing policy and its id', async () => {
    const backend = await startBackend();
    const gw = await gatewayFor({
      global: `<policies><inbound><choose><when condition="@(false)" /><when condition="@(true)"><set-variable name="a" value="1" /><set-variable id="deep" name="b" value="@(int.Parse("x"))" /></when></choose></inbound><backend><forward-request /></backend><on-error><return-response><set-status code="599" /><set-body>@(context.LastError.Path + "|" + context.LastError.PolicyId + "|" + context.LastError.Source)</set-body></return-response></on-error></policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    const res = await gw.dispatch(new Request('http://gw.local/shop/items'));
    expect(res.status).toBe(599);
    expect(await res.text()).toBe('choose\\when[2]\\set-variable[2]|deep|set-variable');
    await gw.close();
    await backend.close();
  });

  it('paths of policies nested in retry and wait name the child once, indexed among its siblings', async () => {
    const backend = await startBackend();
    const onError = `<on-error><return-response><set-status code="599" /><set-body>@(context.LastError.Path)</set-body></return-response></on-error>`;
    const retry = await gatewayFor({
      global: `<policies><inbound /><backend><retry condition="@(false)" count="1" interval="0"><set-variable name="x" value="@(int.Parse("x"))" /></retry></backend>${onError}</policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    expect(await (await retry.dispatch(new Request('http://gw.local/shop/items'))).text()).toBe('retry\\set-variable');
    await retry.close();
    const wait = await gatewayFor({
      global: `<policies><inbound><wait for="all"><choose><when condition="@(true)" /></choose><choose><when condition="@(int.Parse("x") == 1)" /></choose></wait></inbound><backend><forward-request /></backend>${onError}</policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    expect(await (await wait.dispatch(new Request('http://gw.local/shop/items'))).text()).toBe('wait\\choose[2]');
    await wait.close();
    await backend.close();
  });

  it('sends several values comma-joined, except headers like Set-Cookie; traces expression values', async () => {
    const backend = await startBackend();
    const gw = await gatewayFor({
      global: `<policies><inbound><set-header name="X-Multi" exists-action="override"><value>a</value><value>b</value></set-header></inbound><backend><forward-request /></backend><outbound><set-header name="Set-Cookie" exists-action="override"><value>a=1</value><value>b=2</value></set-header><set-header name="X-Len" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("X-Multi", ""))</value></set-header></outbound></policies>`,
      apis: [{ name: 'shop', path: 'shop', serviceUrl: backend.url, operations: ops }],
    });
    const res = await gw.dispatch(new Request('http://gw.local/shop/items', { headers: { 'Ocp-Apim-Trace': 'true' } }));
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-multi']).toBe('a,b');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const trace = (await (await gw.dispatch(new Request(res.headers.get('ocp-apim-trace-location')!))).json()) as { entries: { source: string; message: string }[] };
    expect(trace.entries.find((e) => e.source === 'expression')?.message).toBe('<value>: @(context.Request.Headers.GetValueOrDefault("X-Multi", "")) → "a,b"');
    await gw.close();
    await backend.close();
  });
});
