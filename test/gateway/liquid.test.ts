/**
 * `set-body template="liquid"` with Liquid tags, through `dispatch` against a real backend on 127.0.0.1:
 * the examples of Microsoft's set-body page (JSON → SOAP, XML → JSON), APIM's SOAP-to-REST shape
 * (`{% if %}` around optional elements, `JSONArrayFor`), the corpus snippets that use tags, and templates
 * that do not parse (a load error at the tag's file:line:column).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayLoadError } from '../../src/gateway/index.js';
import fc from 'fast-check';
import { compileLiquid, LiquidSyntaxError } from '../../src/gateway/policies/liquid.js';
import { gatewayFor, startBackend } from './helpers.js';
import { CORPUS_DIR } from '../support/shared.js';

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

let backend: Awaited<ReturnType<typeof startBackend>>;
beforeAll(async () => {
  backend = await startBackend((req, res, body) => {
    if (req.url?.startsWith('/soap')) {
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      res.end(SOAP_RESPONSE);
    } else if (req.url?.startsWith('/xml')) {
      res.setHeader('Content-Type', 'text/xml');
      res.end('<message1><conditionValue>true</conditionValue><value1>MESSAGE1_TEST1</value1><value2>MESSAGE1_TEST2</value2><value3>MESSAGE1_TEST3</value3></message1>');
    } else {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    }
  });
});
afterAll(async () => {
  await backend.close();
});

const SOAP_RESPONSE = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetCityForecastByZIPResponse xmlns="http://ws.cdyne.com/WeatherWS/">
      <GetCityForecastByZIPResult>
        <Success>true</Success>
        <City>Seattle</City>
        <ForecastResult>
          <Forecast><Date>2024-05-01</Date><Desciption>Sunny</Desciption></Forecast>
          <Forecast><Date>2024-05-02</Date><Desciption>Rain</Desciption></Forecast>
        </ForecastResult>
      </GetCityForecastByZIPResult>
    </GetCityForecastByZIPResponse>
  </soap:Body>
</soap:Envelope>`;

/** A gateway whose API `t` runs `inbound` / `outbound` (wrapped in sections with `<base />`). */
async function withPolicy(inbound: string, outbound = '', extra: Parameters<typeof gatewayFor>[0] = {}) {
  return gatewayFor({
    global: '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>',
    apis: [{ name: 't', path: 't', serviceUrl: backend.url, policy: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base />${outbound}</outbound><on-error><base /></on-error></policies>`, operations: [{ name: 'any', method: 'POST', urlTemplate: '/{*rest}' }, { name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
    ...extra,
  });
}
const post = (gw: Awaited<ReturnType<typeof withPolicy>>, path: string, body: string, contentType = 'application/json') =>
  gw.dispatch(new Request(`http://gw.local/t${path}`, { method: 'POST', headers: { 'content-type': contentType }, body }));

describe('Liquid tags in set-body', () => {
  it('JSON → SOAP (the set-body page example), with {% if %} around optional elements as APIM generates them', async () => {
    const gw = await withPolicy(`<set-body template="liquid">
<soap:Envelope xmlns="http://tempuri.org/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
    <soap:Body>
        <GetOpenOrders>
            <cust>{{body.getOpenOrders.cust}}</cust>
            {% if body.getOpenOrders.region %}<region>{{body.getOpenOrders.region | Upcase}}</region>{% endif %}
            {% if body.getOpenOrders.since != nil %}<since>{{ body.getOpenOrders.since }}</since>{% else %}<since>all</since>{% endif %}
        </GetOpenOrders>
    </soap:Body>
</soap:Envelope>
</set-body>
<set-header name="Content-Type" exists-action="override"><value>text/xml</value></set-header>`);
    const echo = (await (await post(gw, '/orders', '{"getOpenOrders":{"cust":"1234","region":"emea"}}')).json()) as Echo;
    expect(echo.headers['content-type']).toBe('text/xml');
    expect(echo.body.replace(/\s+/g, ' ').trim()).toBe(
      '<soap:Envelope xmlns="http://tempuri.org/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"> <soap:Body> <GetOpenOrders> <cust>1234</cust> <region>EMEA</region> <since>all</since> </GetOpenOrders> </soap:Body> </soap:Envelope>',
    );
    await gw.close();
  });

  it('XML → JSON (the set-body page example): the XML body is walkable by element names', async () => {
    const gw = await withPolicy(`<set-body template="liquid">
{
"order": {
    "id": "{{body.customer.purchase.identifier}}",
    "summary": "{{body.customer.purchase.orderShortDesc}}"
    }
}
</set-body>`);
    const echo = (await (await post(gw, '/x', '<customer><purchase><identifier>order-1</identifier><orderShortDesc>two shirts</orderShortDesc></purchase></customer>', 'application/xml')).json()) as Echo;
    expect(JSON.parse(echo.body)).toEqual({ order: { id: 'order-1', summary: 'two shirts' } });
    await gw.close();
  });

  it('a SOAP response → JSON in outbound with JSONArrayFor and a for loop (SOAP-to-REST shape)', async () => {
    const gw = await withPolicy(
      '<rewrite-uri template="/soap" />',
      `<set-body template="liquid">{
  "success": {{body.envelope.body.GetCityForecastByZIPResponse.GetCityForecastByZIPResult.Success}},
  "city": "{{body.envelope.body.GetCityForecastByZIPResponse.GetCityForecastByZIPResult.City}}",
  "forecast": [
  {% JSONArrayFor item in body.envelope.body.GetCityForecastByZIPResponse.GetCityForecastByZIPResult.ForecastResult.Forecast %}
    { "date": "{{item.Date}}", "text": "{{item.Desciption}}" }
  {% endJSONArrayFor %}
  ],
  "days": "{%- for f in body.envelope.body.GetCityForecastByZIPResponse.GetCityForecastByZIPResult.ForecastResult.Forecast -%}{{ forloop.index }}/{{ forloop.length }}{% unless forloop.last %} {% endunless %}{%- endfor -%}"
}</set-body>
<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`,
    );
    const res = await post(gw, '/w', '{}');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      success: true,
      city: 'Seattle',
      forecast: [
        { date: '2024-05-01', text: 'Sunny' },
        { date: '2024-05-02', text: 'Rain' },
      ],
      days: '1/2 2/2',
    });
    await gw.close();
  });

  it('for with limit/offset/reversed, ranges, else, break/continue; case/when; assign/capture; comment/raw; whitespace control', async () => {
    const template = [
      '{%- assign total = 0 -%}',
      '{%- for n in body.numbers offset: 1 limit: 4 reversed -%}{{ n }}{% unless forloop.last %},{% endunless %}{%- endfor %}|',
      '{%- for i in (1..body.max) -%}{% if i == 2 %}{% continue %}{% endif %}{% if i > 4 %}{% break %}{% endif %}{{ forloop.index0 }}{{ i }} {% endfor %}|',
      '{%- for x in body.none %}never{% else %}empty{% endfor %}|',
      '{%- case body.kind %}{% when "a", "b" %}AB{% when "c" or "d" %}CD{% else %}other{% endcase %}|',
      '{%- capture greeting %}Hello {{ body.name | Capitalize }}{% endcapture %}{{ greeting | Append: "!" }}|',
      '{%- comment %}{% if broken %}{% endcomment %}{% raw %}{{ kept }} {% if %}{% endraw %}|',
      '{%- if body.name contains "nn" and body.numbers.size >= 5 or false %}yes{% endif %}|',
      '{%- if body.tags contains "blue" %}blue{% elsif body.tags.size > 0 %}tags{% endif -%}',
    ].join('');
    const gw = await withPolicy(`<set-body template="liquid"><![CDATA[${template}]]></set-body>`);
    const echo = (await (await post(gw, '/x', JSON.stringify({ numbers: [1, 2, 3, 4, 5, 6], max: 9, none: [], kind: 'd', name: 'anna', tags: ['red', 'blue'] }))).json()) as Echo;
    expect(echo.body).toBe('5,4,3,2|01 23 34 |empty|CD|Hello Anna!|{{ kept }} {% if %}|yes|blue');
    await gw.close();
  });

  it('the corpus "List all inbound headers" snippet iterates context.Request.Headers', async () => {
    const text = readFileSync(join(CORPUS_DIR, 'examples/List all inbound headers.policy.xml'), 'utf8');
    const gw = await gatewayFor({ global: text, apis: [{ name: 't', path: 't', serviceUrl: backend.url, operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }] });
    const res = await gw.dispatch(new Request('http://gw.local/t/x', { headers: { 'X-One': 'first', 'X-Two': 'second' } }));
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
    // (fetch's Request spells header names in lower case)
    expect(lines).toContain('x-one: first');
    expect(lines).toContain('x-two: second');
    await gw.close();
  });

  it('the corpus "Extracting multiple values from xml documents" snippet reads a JObject variable', async () => {
    const text = readFileSync(join(CORPUS_DIR, 'examples/Extracting multiple values from xml documents.policy.xml'), 'utf8');
    const gw = await gatewayFor({
      global: '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>',
      namedValues: { 'my-send-request': `${backend.url}/xml` },
      apis: [{ name: 't', path: 't', serviceUrl: backend.url, policy: text, operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
    });
    const res = await gw.dispatch(new Request('http://gw.local/t/x'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect((await res.text()).trim().replace(/\s+/g, ' ')).toBe('<message3> <data val1="MESSAGE1_TEST1" val3="MESSAGE1_TEST3" /> </message3>');
    await gw.close();
  });

  it('filters in C# mode: Date with a .NET format over the gateway clock, DividedBy, Split/Join, Default, Size', async () => {
    const fixed = Date.UTC(2024, 4, 1, 12, 30, 5);
    const gw2 = await gatewayFor(
      {
        global: '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>',
        apis: [{ name: 't', path: 't', serviceUrl: backend.url, policy: '<policies><inbound><base /><set-body template="liquid">{{ "now" | Date: "yyyyMMddTHH:mm:ssZ" }} {{ 10 | DividedBy: 4 }} {{ 10.0 | DividedBy: 4 }} {{ body.csv | Split: "," | Join: "-" }} {{ body.missing | Default: "none" }} {{ body.csv | Size }}</set-body></inbound></policies>', operations: [{ name: 'any', method: 'POST', urlTemplate: '/{*rest}' }] }],
      },
      { clock: () => fixed },
    );
    const echo = (await (await gw2.dispatch(new Request('http://gw.local/t/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"csv":"a,b,c"}' }))).json()) as Echo;
    expect(echo.body).toBe('20240501T12:30:05Z 2 2.5 a-b-c none 5');
    await gw2.close();
  });

  it('a body cannot make a template spin: a huge range fails the request (500), the gateway keeps serving', async () => {
    const gw = await withPolicy('<set-body template="liquid">{% for i in (1..body.n) %}x{% endfor %}{{ body.flag }} {{ body.pi }}</set-body>');
    const huge = await post(gw, '/x', '{"n": 1000000000}');
    expect(huge.status).toBe(500);
    const echo = (await (await post(gw, '/x', '{"n": 3, "flag": true, "pi": 3.5}')).json()) as Echo;
    expect(echo.body).toBe('xxxtrue 3.5');
    await gw.close();
  });

  it('DotLiquid quirks: Plus on a string concatenates, Times repeats a string, Round goes to even, UrlEncode as WebUtility', () => {
    const t = compileLiquid('{{ body.qty | Plus: 1 }} {{ 5 | Plus: 1 }} {{ "ab" | Times: 3 }} {{ 2.5 | Round }} {{ 3.5 | Round }} {{ "a b~\'" | UrlEncode }}');
    expect(t.render({ body: { qty: '5' } })).toBe("51 6 ababab 2 4 a+b%7E%27");
  });

  it('rendering reuses the compiled template (no parsing per request)', () => {
    const t = compileLiquid('{% for i in (1..3) %}{{ i | Times: k }}{% endfor %}');
    expect(t.render({ k: 2 })).toBe('246');
    expect(t.render({ k: 3 })).toBe('369');
  });
});

describe('a Liquid template that does not parse fails the load at the tag', () => {
  async function loadErrors(setBody: string): Promise<string[]> {
    try {
      const gw = await gatewayFor({ apis: [{ name: 'a', path: 'a', serviceUrl: 'http://127.0.0.1:9', policy: `<policies>\n  <inbound>\n    <base />\n${setBody}\n  </inbound>\n</policies>`, operations: [{ name: 'op', method: 'GET', urlTemplate: '/x' }] }] });
      await gw.close();
      return [];
    } catch (e) {
      if (!(e instanceof GatewayLoadError)) throw e;
      return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
    }
  }

  it('an unclosed tag points at the opening tag', async () => {
    expect(await loadErrors('    <set-body template="liquid">\n      {\n        {% if body.x %}\n        "x": 1\n      }\n    </set-body>')).toEqual([
      'apis/a/policy.xml:6:9: Liquid tag "if" is not closed with "{% endif %}"',
    ]);
  });
  it('an unknown tag, an unknown filter and a stray end tag', async () => {
    expect(await loadErrors('    <set-body template="liquid">{% include "x" %}</set-body>')).toEqual([
      'apis/a/policy.xml:4:33: Liquid tag "include" is not supported (supported: if, unless, case, for, JSONArrayFor, assign, capture, comment, raw, break, continue)',
    ]);
    expect(await loadErrors('    <set-body template="liquid">\n{{ body.x | Frobnicate }}</set-body>')).toEqual(['apis/a/policy.xml:5:1: Liquid: unknown filter "Frobnicate" in "body.x | Frobnicate"']);
    expect(await loadErrors('    <set-body template="liquid">a {% endfor %}</set-body>')).toEqual(['apis/a/policy.xml:4:35: Liquid: "{% endfor %}" without an opening tag']);
  });
  it('a bad for and an unclosed output tag', async () => {
    expect(await loadErrors('    <set-body template="liquid">{% for x of y %}{% endfor %}</set-body>')).toEqual(['apis/a/policy.xml:4:33: Liquid: expected "in" in "x of y"']);
    expect(await loadErrors('    <set-body template="liquid">ok {{ body.x </set-body>')).toEqual(['apis/a/policy.xml:4:36: Liquid output "{{" is not closed with "}}"']);
  });
});

describe('Liquid on arbitrary input', () => {
  it('compiling either succeeds or throws a LiquidSyntaxError with an offset inside the text; rendering never throws', () => {
    const piece = fc.constantFrom('{%', '%}', '{{', '}}', '{%-', '-%}', ' if ', ' for ', ' in ', ' endif ', ' endfor ', ' else ', ' case ', ' when ', ' endcase ', ' assign ', '=', ' x ', 'body.a', '[0]', '"s"', '1', '..', '(', ')', ' | ', 'Upcase', ':', ',', ' raw ', ' endraw ', ' comment ', ' endcomment ', ' == ', ' contains ', ' and ', 'text\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        let t;
        try {
          t = compileLiquid(text);
        } catch (e) {
          expect(e).toBeInstanceOf(LiquidSyntaxError);
          expect((e as LiquidSyntaxError).offset).toBeGreaterThanOrEqual(0);
          expect((e as LiquidSyntaxError).offset).toBeLessThan(Math.max(1, text.length));
          return;
        }
        expect(typeof t.render({ body: { a: [1, 'two', { x: null }] } })).toBe('string');
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
