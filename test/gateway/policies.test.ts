/** The core policies, each through `dispatch` against a real backend on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFor, startBackend, type StateSpec } from './helpers.js';

let backend: Awaited<ReturnType<typeof startBackend>>;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend.close();
});

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

const SPEC = JSON.stringify({
  openapi: '3.0.1',
  info: { title: 't', version: '1' },
  paths: {
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {
        operationId: 'get-item',
        parameters: [{ name: 'verbose', in: 'query', schema: { type: 'boolean' } }],
        responses: {
          '200': { description: 'ok', content: { 'application/json': { example: { id: 7, name: 'seven' } } } },
          '404': { description: 'missing' },
        },
      },
      put: {
        operationId: 'put-item',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } },
      },
    },
    '/get': { get: { operationId: 'get-get', responses: { '200': { description: 'ok' } } } },
  },
  components: { schemas: { Item: { type: 'object', required: ['name'], properties: { id: { type: 'integer' }, name: { type: 'string' } } } } },
});

/** A gateway whose API `t` (path `t`, spec above) has `inbound`/`outbound` as its policy. */
async function withPolicy(inbound: string, outbound = '', extra: Partial<StateSpec> = {}) {
  return gatewayFor({
    global: '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>',
    apis: [{ name: 't', path: 't', serviceUrl: `${backend.url}/svc`, spec: SPEC, policy: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base />${outbound}</outbound><on-error><base /></on-error></policies>` }],
    ...extra,
  });
}
const call = async (gw: Awaited<ReturnType<typeof withPolicy>>, path: string, init: RequestInit = {}) => gw.dispatch(new Request(`http://gw.local${path}`, init));

describe('core policies', () => {
  it('set-query-parameter and rewrite-uri (copy-unmatched-params) change the backend URL', async () => {
    const gw = await withPolicy('<set-query-parameter name="api-version" exists-action="override"><value>2024</value></set-query-parameter><rewrite-uri template="/v2/things/{id}" />');
    const echo = (await (await call(gw, '/t/items/5?verbose=true')).json()) as Echo;
    expect(echo.url).toBe('/svc/v2/things/5?verbose=true&api-version=2024');
    await gw.close();
    const gw2 = await withPolicy('<rewrite-uri template="/put" copy-unmatched-params="false" />');
    expect(((await (await call(gw2, '/t/get?a=b&c=d')).json()) as Echo).url).toBe('/svc/put');
    await gw2.close();
  });

  it('set-backend-service base-url and backend-id (with the entity\'s credentials)', async () => {
    const gw = await withPolicy('<set-backend-service base-url="@(&quot;' + backend.url + '/other&quot;)" />');
    expect(((await (await call(gw, '/t/items/5')).json()) as Echo).url).toBe('/other/items/5');
    await gw.close();
    const gw2 = await withPolicy('<set-backend-service backend-id="b1" />', '', {
      backends: { b1: { url: `${backend.url}/entity`, protocol: 'http', credentials: { header: { 'x-key': ['{{Secret}}'] }, query: { code: ['c1'] } } } },
      namedValues: { Secret: 's3cret' },
    });
    const echo = (await (await call(gw2, '/t/items/5')).json()) as Echo;
    expect(echo.url).toBe('/entity/items/5?code=c1');
    expect(echo.headers['x-key']).toBe('s3cret');
    await gw2.close();
  });

  it('set-method, set-body and authentication-basic on the request', async () => {
    const gw = await withPolicy('<set-method>POST</set-method><set-body>@("hello " + context.Request.MatchedParameters["id"])</set-body><authentication-basic username="u" password="p" />');
    const echo = (await (await call(gw, '/t/items/9')).json()) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('hello 9');
    expect(echo.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    await gw.close();
  });

  it('set-body with a Liquid template over the JSON body', async () => {
    const gw = await withPolicy('<set-body template="liquid">{"who": "{{body.name | Upcase}}", "m": "{{context.Request.Method}}"}</set-body>');
    const echo = (await (await call(gw, '/t/items/9', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":"ann"}' })).json()) as Echo;
    expect(JSON.parse(echo.body)).toEqual({ who: 'ANN', m: 'PUT' });
    await gw.close();
  });

  it('mock-response answers from the specification example and skips the backend; outbound still runs', async () => {
    const before = backend.requests.length;
    const gw = await withPolicy('<mock-response status-code="200" content-type="application/json" />', '<set-header name="X-Out" exists-action="override"><value>ran</value></set-header>');
    const res = await call(gw, '/t/items/1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-out')).toBe('ran');
    expect(await res.json()).toEqual({ id: 7, name: 'seven' });
    expect(backend.requests.length).toBe(before);
    await gw.close();
  });

  it('send-request stores an IResponse; return-response can return it', async () => {
    const gw = await withPolicy(
      `<send-request mode="new" response-variable-name="r" timeout="5"><set-url>${backend.url}/side?x=1</set-url><set-method>GET</set-method><set-header name="X-Side" exists-action="override"><value>yes</value></set-header></send-request>` +
        '<set-header name="X-Side-Status" exists-action="override"><value>@(((IResponse)context.Variables["r"]).StatusCode.ToString())</value></set-header>' +
        '<set-header name="X-Side-Url" exists-action="override"><value>@(((IResponse)context.Variables["r"]).Body.As&lt;JObject&gt;()["url"].ToString())</value></set-header>',
    );
    const echo = (await (await call(gw, '/t/items/1')).json()) as Echo;
    expect(echo.headers['x-side-status']).toBe('200');
    expect(echo.headers['x-side-url']).toBe('/side?x=1');
    await gw.close();
  });

  it('send-request with ignore-error sets the variable to null when the target is down', async () => {
    const gw = await withPolicy('<send-request mode="new" response-variable-name="r" timeout="2" ignore-error="true"><set-url>http://127.0.0.1:9/x</set-url></send-request><return-response><set-status code="200" /><set-body>@(context.Variables["r"] == null ? "null" : "value")</set-body></return-response>');
    expect(await (await call(gw, '/t/items/1')).text()).toBe('null');
    await gw.close();
  });

  it('check-header and ip-filter raise errors with their LastError reasons', async () => {
    const onError = '<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>';
    const gw = await gatewayFor({
      global: `<policies><inbound /><backend><forward-request /></backend><outbound /><on-error>${onError}</on-error></policies>`,
      apis: [{ name: 't', path: 't', serviceUrl: backend.url, spec: SPEC, policy: '<policies><inbound><base /><check-header name="X-Token" failed-check-httpcode="401" failed-check-error-message="Bad token" ignore-case="false"><value>good</value></check-header><ip-filter action="forbid"><address>10.0.0.1</address></ip-filter></inbound></policies>' }],
    });
    const missing = await call(gw, '/t/items/1');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-reason')).toBe('HeaderNotFound');
    expect(await missing.json()).toEqual({ statusCode: 401, message: 'Bad token' });
    const wrong = await call(gw, '/t/items/1', { headers: { 'X-Token': 'bad' } });
    expect(wrong.headers.get('x-reason')).toBe('HeaderValueNotAllowed');
    const blocked = await gw.dispatch(new Request('http://gw.local/t/items/1', { headers: { 'X-Token': 'good' } }), { ipAddress: '10.0.0.1' });
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-reason')).toBe('CallerIpBlocked');
    const ok = await gw.dispatch(new Request('http://gw.local/t/items/1', { headers: { 'X-Token': 'good' } }), { ipAddress: '::ffff:127.0.0.1' });
    expect(ok.status).toBe(200);
    await gw.close();
  });

  it('cors answers a preflight without a key and decorates the actual response', async () => {
    const gw = await withPolicy('<cors allow-credentials="false"><allowed-origins><origin>https://app.example</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods><allowed-headers><header>content-type</header></allowed-headers><expose-headers><header>x-out</header></expose-headers></cors>');
    const pre = await call(gw, '/t/items/1', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,PUT');
    expect(pre.headers.get('access-control-max-age')).toBe('300');
    const actual = await call(gw, '/t/items/1', { headers: { Origin: 'https://app.example' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(actual.headers.get('access-control-expose-headers')).toBe('x-out');
    const other = await call(gw, '/t/items/1', { headers: { Origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(await other.text()).toBe('');
    await gw.close();
  });

  it('find-and-replace, xml-to-json and json-to-xml rewrite the response body', async () => {
    const gw = await withPolicy('', '<find-and-replace from="/svc/" to="/SVC/" />');
    expect(((await (await call(gw, '/t/items/1?verbose=true')).json()) as Echo).url).toBe('/SVC/items/1?verbose=true');
    await gw.close();
    const gw2 = await withPolicy('', '<set-body>&lt;order id="1"&gt;&lt;line&gt;a&lt;/line&gt;&lt;line&gt;b&lt;/line&gt;&lt;/order&gt;</set-body><xml-to-json kind="direct" apply="always" consider-accept-header="false" />');
    const json = await call(gw2, '/t/items/1');
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ order: { '@id': '1', line: ['a', 'b'] } });
    await gw2.close();
    const gw3 = await gatewayFor({
      apis: [{ name: 't', path: 't', serviceUrl: backend.url, spec: SPEC, policy: '<policies><inbound><mock-response status-code="200" content-type="application/json" /></inbound><outbound><json-to-xml apply="always" consider-accept-header="false" /></outbound></policies>' }],
    });
    const xml = await call(gw3, '/t/items/1');
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(await xml.text()).toBe('<Document><id>7</id><name>seven</name></Document>');
    await gw3.close();
  });

  it('validate-parameters, validate-content and validate-status-code against the specification', async () => {
    const gw = await withPolicy(
      '<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" errors-variable-name="errs" /><validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent"><content type="application/json" validate-as="json" action="prevent" /></validate-content>',
      '<validate-status-code unspecified-status-code-action="prevent" />',
    );
    const badPath = await call(gw, '/t/items/abc');
    expect(badPath.status).toBe(400);
    expect(((await badPath.json()) as { message: string }).message).toMatch(/^Value of the path parameter id does not conform to the definition\./);
    const unknownQuery = await call(gw, '/t/items/1?nope=1');
    expect(unknownQuery.status).toBe(400);
    expect(await unknownQuery.json()).toEqual({ statusCode: 400, message: 'Unspecified query parameter nope is not allowed.' });
    const badBody = await call(gw, '/t/items/1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"id": 1}' });
    expect(badBody.status).toBe(400);
    expect(((await badBody.json()) as { message: string }).message).toMatch(/does not conform to the definition/);
    const big = await call(gw, '/t/items/1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200) }) });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { message: string }).message).toMatch(/exceeds the limit of 100 bytes/);
    const good = await call(gw, '/t/items/1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name": "ok"}' });
    expect(good.status).toBe(200);
    await gw.close();
  });

  it('trace writes into the request trace; log-to-eventhub and emit-metric go to the logger', async () => {
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const gw = await withPolicy(
      '<trace source="mine" severity="information"><message>@("hello " + context.Request.Method)</message><metadata name="k" value="v" /></trace><log-to-eventhub logger-id="hub">@("evt " + context.Operation.Name)</log-to-eventhub><emit-metric name="calls" value="2"><dimension name="API ID" /><dimension name="Client" value="web" /></emit-metric>',
      '',
      {},
    );
    (gw.services.logger as { event: unknown }).event = (kind: string, data: Record<string, unknown>) => events.push({ kind, data });
    const res = await call(gw, '/t/items/1', { headers: { 'Ocp-Apim-Trace': 'true' } });
    const location = res.headers.get('ocp-apim-trace-location')!;
    expect(location).toMatch(/\/_apimops\/traces\//);
    const trace = (await (await gw.dispatch(new Request(location))).json()) as { entries: { source: string; message: string }[] };
    expect(trace.entries.find((e) => e.source === 'mine')?.message).toBe('hello GET');
    expect(events.find((e) => e.kind === 'eventhub')?.data).toMatchObject({ loggerId: 'hub', message: 'evt get-item' });
    expect(events.find((e) => e.kind === 'metric')?.data).toMatchObject({ name: 'calls', value: 2, dimensions: { 'API ID': 't', Client: 'web' } });
    await gw.close();
  });
});
