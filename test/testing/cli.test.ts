import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, shopFolder, tempDir, writeTree } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const POLICY = '<policies>\n  <inbound>\n    <base />\n    <return-response>\n      <set-status code="200" reason="OK" />\n      <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>\n      <set-body>@("{\\"id\\": \\"" + context.Request.MatchedParameters["id"] + "\\", \\"ok\\": true}")</set-body>\n    </return-response>\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n';

function folder(cases: Record<string, string>): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeTree(dir, { ...shopFolder(POLICY), ...cases });
  return dir;
}

const PASSING = `cases:
  - name: returns the item
    request: { path: /shop/items/7 }
    expect: { status: 200, body: { json: { id: "7", ok: true } } }
`;
const FAILING = `cases:
  - name: wrong id <&>
    request: { path: /shop/items/7 }
    expect:
      body: { json: { id: "8" } }
`;

describe('apimops test (CLI)', () => {
  it('text: ✓ per case and a summary; exit 0', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING });
    const r = await cli(dir, ['test', '.']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^tests\/items\.test\.yaml\n {2}✓ returns the item \(\d+ ms\)\n\n1 passed, 0 failed \(1 case, \d+ ms\)\n$/);
  });

  it('a failing case: ✗ with position, expected and actual; exit 1', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING, 'tests/more/bad.test.yaml': FAILING });
    const r = await cli(dir, ['test', '.']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  ✗ wrong id <&>');
    expect(r.out).toContain('      tests/more/bad.test.yaml:5:21: step 1 GET /shop/items/7: body $.id\n        expected: "8"\n        actual:   "7"\n');
    expect(r.out).toMatch(/\nfailed:\n {2}✗ tests\/more\/bad\.test\.yaml:2:5 {2}wrong id <&>\n\n1 passed, 1 failed \(2 cases, \d+ ms\)\n$/);
  });

  it('an environment that does not exist points at the case that asked for it', async () => {
    const dir = folder({ 'tests/items.test.yaml': 'environment: staging\n' + PASSING });
    const r = await cli(dir, ['test', '.']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("tests/items.test.yaml:3:5: case 'returns the item' runs in environment 'staging': unknown environment 'staging'");
  });

  it('there is no --update: expectations are written by people', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING });
    const r = await cli(dir, ['test', '.', '--update']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--update'");
  });

  it('json and junit reports; --output-file writes the report and prints the summary', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING, 'tests/bad.test.yaml': FAILING });
    const j = await cli(dir, ['test', '.', '--format', 'json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.out) as { summary: { passed: number; failed: number }; files: { file: string; cases: { name: string; status: string; failures: { what: string; at: string }[]; requests: { status: number }[] }[] }[] };
    expect(doc.summary).toMatchObject({ passed: 1, failed: 1 });
    expect(doc.files.map((f) => f.file)).toEqual(['tests/bad.test.yaml', 'tests/items.test.yaml']);
    expect(doc.files[0]!.cases[0]).toMatchObject({ name: 'wrong id <&>', status: 'failed', failures: [{ what: 'body $.id', at: 'tests/bad.test.yaml:5:21' }], requests: [{ status: 200 }] });

    const x = await cli(dir, ['test', '.', '--format', 'junit', '--output-file', 'results.xml']);
    expect(x.code).toBe(1);
    expect(x.out).toMatch(/^1 passed, 1 failed \(2 cases, \d+ ms\) → results\.xml\n$/);
    const xml = readFileSync(join(dir, 'results.xml'), 'utf8');
    expect(xml).toContain('<testsuites name="apimops test" tests="2" failures="1"');
    expect(xml).toContain('<testcase classname="tests/bad.test.yaml" name="wrong id &lt;&amp;&gt;" file="tests/bad.test.yaml" line="2"');
    expect(xml).toContain('<failure message="body $.id: expected &quot;8&quot;, got &quot;7&quot;" type="AssertionError">tests/bad.test.yaml:5:21: step 1: body $.id');
  });

  it('--cases picks files; a bad case file is exit 2 with file:line:column and nothing runs', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING, 'tests/broken.test.yaml': 'cases:\n  - name: x\n    request: { path: /shop/items/1, methd: GET }\n' });
    const one = await cli(dir, ['test', '.', '--cases', 'tests/items.test.yaml']);
    expect(one.code).toBe(0);
    const all = await cli(dir, ['test', '.']);
    expect(all.code).toBe(2);
    expect(all.out).toBe('');
    expect(all.err).toBe("tests/broken.test.yaml:3:37: unknown property 'cases[0].request.methd' (did you mean 'method'?)\napimops: 1 problem in test case files; no case was run\n");
  });

  it('no case files: says so, exit 0; an unknown --format is a usage error', async () => {
    const dir = folder({});
    const r = await cli(dir, ['test', '.']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('apimops test: no test case files found (tests/**/*.test.yaml under ');
    expect((await cli(dir, ['test', '.', '--format', 'tap'])).code).toBe(2);
  });

  it('a policy that does not load is exit 2 with its position (not a failed case)', async () => {
    const dir = folder({ 'tests/items.test.yaml': PASSING });
    writeTree(dir, { 'apis/shop/policy.xml': '<policies>\n  <inbound>\n    <no-such-policy />\n  </inbound>\n</policies>\n' });
    const r = await cli(dir, ['test', '.']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/apis\/shop\/policy\.xml:3:5: /);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
