import { afterEach, describe, expect, it } from 'vitest';
import { loadEffectiveState } from '../../src/artifacts/effective.js';
import { parseTestFile, runCase, runTests, type CaseResult, type TestCase } from '../../src/testing/index.js';
import { shopFolder, tempDir, writeTree } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const BASE_ONLY = '<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n';

/** Writes the shop folder with `apiPolicy`, parses `yaml` as a test file, runs every case. */
async function run(apiPolicy: string, yaml: string): Promise<CaseResult[]> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeTree(dir, shopFolder(apiPolicy));
  const parsed = parseTestFile('cases.test.yaml', yaml);
  expect(parsed.diagnostics).toEqual([]);
  const eff = await loadEffectiveState({ cwd: dir, env: {}, folder: dir, environment: 'local' });
  const out: CaseResult[] = [];
  for (const c of parsed.file!.cases as TestCase[]) out.push(await runCase('cases.test.yaml', c, eff, {}));
  return out;
}

describe('runCase: mock backends', () => {
  it('sends backend calls to a real mock server, path and query kept, and records what it received', async () => {
    const [r] = await run(
      BASE_ONLY,
      `cases:
  - name: get
    backends:
      https://shop.example.com/v1: { status: 200, headers: { X-From: mock }, body: { id: "7", name: chair } }
    request: { path: /shop/items/7, query: { lang: en }, headers: { X-Test: yes } }
    expect:
      status: 200
      headers: { X-From: mock, Content-Type: { regex: "^application/json" } }
      body: { json: { name: chair } }
      backendCalls:
        - { backend: "https://shop.example.com/v1", method: GET, path: /v1/items/7, query: { lang: en }, headers: { X-Test: "yes" } }
`,
    );
    expect(r!.failures).toEqual([]);
    expect(r!.steps[0]!.backendCalls[0]).toMatchObject({ method: 'GET', path: '/v1/items/7', query: [['lang', 'en']] });
  });

  it('plays a sequence (the last response repeats) and a delay that trips forward-request@timeout', async () => {
    const [seq, slow] = await run(
      BASE_ONLY,
      `cases:
  - name: sequence
    backends:
      https://shop.example.com/v1: { sequence: [ { status: 201, body: one }, { status: 202, body: two } ] }
    steps:
      - { request: { path: /shop/items/1 }, expect: { status: 201, body: one } }
      - { request: { path: /shop/items/1 }, expect: { status: 202, body: two } }
      - { request: { path: /shop/items/1 }, expect: { status: 202, body: two } }
  - name: slow
    backends:
      https://shop.example.com/v1: { delay: 1500ms, body: late }
    request: { path: /shop/items/1 }
    expect: { status: 504 }
`,
    );
    expect(seq!.failures).toEqual([]);
    expect(seq!.steps.map((s) => s.status)).toEqual([201, 202, 202]);
    expect(slow!.failures).toEqual([]);
  });

  it('a call nothing mocks fails the case and never leaves the machine', async () => {
    const [r] = await run(BASE_ONLY, `cases:\n  - name: unmocked\n    request: { path: /shop/items/1 }\n`);
    expect(r!.status).toBe('failed');
    expect(r!.failures).toHaveLength(1);
    expect(r!.failures[0]!.actual).toBe('GET https://shop.example.com/v1/items/1 has no mock (add it under backends:)');
  });

  it('a mock naming no backend entity is a failure of the case', async () => {
    const [r] = await run(BASE_ONLY, `cases:\n  - name: bad mock\n    backends:\n      nope: { status: 200 }\n    request: { path: /shop/items/1 }\n`);
    expect(r!.status).toBe('failed');
    expect(r!.failures[0]!.actual).toContain("backend mock 'nope': no backend entity of that name");
  });
});

describe('runCase: clock, variables, send-request', () => {
  it('the clock starts where the case says and moves only with advance', async () => {
    const [r] = await run(
      BASE_ONLY,
      `cases:
  - name: clock
    clock: { start: "2030-05-01T10:00:00Z" }
    backends:
      https://shop.example.com/v1: { body: ok }
    steps:
      - request: { path: /shop/items/1 }
        expect: { variables: { startedAt: "2030-05-01T10:00:00Z" } }
      - advance: 90m
        request: { path: /shop/items/1 }
        expect: { variables: { startedAt: "2030-05-01T11:30:00Z" } }
`,
    );
    expect(r!.failures).toEqual([]);
  });

  it('mocks a URL a send-request calls; variables and headers see its answer', async () => {
    const policy = `<policies>
  <inbound>
    <base />
    <send-request mode="new" response-variable-name="lookup" timeout="5" ignore-error="false">
      <set-url>https://stock.example.net/levels/7</set-url>
      <set-method>GET</set-method>
    </send-request>
    <set-variable name="level" value="@(((IResponse)context.Variables[&quot;lookup&quot;]).StatusCode)" />
    <return-response>
      <set-status code="200" reason="OK" />
      <set-header name="X-Level" exists-action="override"><value>@(((int)context.Variables[&quot;level&quot;]).ToString())</value></set-header>
    </return-response>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`;
    const [r] = await run(
      policy,
      `cases:
  - name: send-request
    backends:
      https://stock.example.net: { status: 207 }
    request: { path: /shop/items/7 }
    expect:
      status: 200
      headers: { X-Level: "207" }
      variables: { level: 207 }
      backendCalls: [ { backend: "https://stock.example.net", path: /levels/7 } ]
      trace:
        - { policy: send-request, scope: api, section: inbound }
        - { policy: forward-request, absent: true }
`,
    );
    expect(r!.failures).toEqual([]);
  });
});

describe('runCase: failures say what was expected and what happened', () => {
  it('status, headers, JSON subset, JSONPath, backend calls and trace each report their own failure', async () => {
    const [r] = await run(
      BASE_ONLY,
      `cases:
  - name: wrong
    backends:
      https://shop.example.com/v1: { status: 200, body: { id: "7", tags: [a, b], price: { amount: 10 } } }
    request: { path: /shop/items/7 }
    expect:
      status: 404
      headers: { X-Missing: { present: true }, Content-Type: { absent: true } }
      body:
        json: { id: "8", price: { amount: 12 } }
        jsonPath: { "$.tags[1]": c, "$.nothing": 1 }
      backendCalls: []
      trace: [ { policy: rate-limit } ]
`,
    );
    expect(r!.status).toBe('failed');
    const lines = r!.failures.map((f) => `${f.at!.line}:${f.at!.column} ${f.what}: expected ${f.expected}, got ${f.actual}`);
    expect(lines).toEqual([
      `7:15 status: expected 404, got 200 {"id":"7","tags":["a","b"],"price":{"amount":10}}`,
      '8:29 header X-Missing: expected (present), got (absent)',
      '8:62 header Content-Type: expected (absent), got "application/json"',
      '10:15 body $.id: expected "8", got "7"',
      '10:15 body $.price.amount: expected 12, got 10',
      '11:21 body $.tags[1]: expected "c", got "b"',
      '11:37 body $.nothing: expected 1, got (no value at this path)',
      '12:21 backend calls: expected 0 calls, got 1 call',
      '13:16 trace: expected 1 entry in this order, got 1 missing (- below; ✓ = found)',
    ]);
    expect(r!.failures[7]!.diff).toBe('  1. https://shop.example.com/v1: GET /v1/items/7');
    expect(r!.failures[8]!.diff).toContain('- policy rate-limit');
    expect(r!.failures[8]!.diff).toContain('backend  global    forward-request  GET https://shop.example.com/v1/items/7');
  });

  it('a repeated step stops at the first failing repetition and names it; the case stops there', async () => {
    const [r] = await run(
      BASE_ONLY,
      `cases:
  - name: repeat
    backends:
      https://shop.example.com/v1: { sequence: [ { status: 200 }, { status: 200 }, { status: 500 } ] }
    steps:
      - repeat: 5
        request: { path: /shop/items/1 }
        expect: { status: 200 }
      - request: { path: /shop/items/2 }
        expect: { status: 200 }
`,
    );
    expect(r!.failures).toHaveLength(1);
    expect(r!.failures[0]).toMatchObject({ step: 1, repetition: 3, what: 'status', expected: '200' });
    expect(r!.steps).toHaveLength(3);
  });
});

describe('runTests', () => {
  it('runs independent cases at the same time, and reports them in file order', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeTree(dir, shopFolder(BASE_ONLY));
    const parsed = parseTestFile(
      'p.test.yaml',
      `cases:
  - name: slow
    backends: { "https://shop.example.com/v1": { delay: 700ms, body: slow } }
    request: { path: /shop/items/1 }
    expect: { status: 200 }
  - name: fast
    backends: { "https://shop.example.com/v1": { body: fast } }
    request: { path: /shop/items/2 }
    expect: { status: 200 }
`,
    );
    const order = async (concurrency: number) => {
      const finished: string[] = [];
      const result = await runTests([parsed.file!], { cwd: dir, env: {}, folder: dir, concurrency, onCase: (r) => finished.push(r.name) });
      expect(result.files[0]!.cases.map((c) => [c.name, c.status])).toEqual([['slow', 'passed'], ['fast', 'passed']]);
      return finished;
    };
    expect(await order(2)).toEqual(['fast', 'slow']); // fast did not wait for slow
    expect(await order(1)).toEqual(['slow', 'fast']);
  });
});
