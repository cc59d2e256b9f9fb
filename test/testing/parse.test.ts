import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/shared/errors.js';
import { parseDuration, parseTestFile, DEFAULT_CLOCK_START } from '../../src/testing/index.js';

const problems = (yaml: string) => parseTestFile('t.test.yaml', yaml).diagnostics.map(formatDiagnostic);

describe('test case files', () => {
  it('parses a case with defaults: GET, trace on, one repetition, the fixed clock, local environment', () => {
    const { file, diagnostics } = parseTestFile(
      't.test.yaml',
      `cases:
  - name: one
    backends:
      payments-backend: { sequence: [ { status: 503, delay: 250ms }, { fail: connection } ] }
    steps:
      - advance: 61s
        repeat: 3
        request:
          path: /payments/payments
          subscription: starter-demo
          token: { roles: [Payments.Read], claims: { scp: [a, b] }, expiresIn: 2h }
        expect:
          status: 200
          headers: { Retry-After: { absent: true }, X-Id: { regex: "^x" } }
`,
    );
    expect(diagnostics).toEqual([]);
    const c = file!.cases[0]!;
    expect(c).toMatchObject({ name: 'one', environment: 'local', clockStart: DEFAULT_CLOCK_START });
    expect(c.backends[0]!.responses).toMatchObject([{ status: 503, delayMs: 250 }, { status: 200, fail: 'connection' }]);
    const s = c.steps[0]!;
    expect(s).toMatchObject({ advanceMs: 61_000, repeat: 3, request: { method: 'GET', trace: true, subscription: 'starter-demo' } });
    expect(s.request.token).toMatchObject({ kind: 'mint', roles: ['Payments.Read'], claims: [['scp', 'a'], ['scp', 'b']], expiresIn: 7200, scheme: 'Bearer', header: 'Authorization' });
    expect(s.expect.headers.map(([n, m]) => [n, m.kind, m.at.line])).toEqual([['Retry-After', 'absent', 14], ['X-Id', 'regex', 14]]);
  });

  it('durations: numbers are seconds; ms, s, m, h, d units', () => {
    expect([parseDuration(1.5), parseDuration('500ms'), parseDuration('61s'), parseDuration('2m'), parseDuration('1h'), parseDuration('1d')]).toEqual([1500, 500, 61_000, 120_000, 3_600_000, 86_400_000]);
    expect(parseDuration('soon')).toBeNaN();
  });

  it('schema problems come with file:line:column and a suggestion', () => {
    expect(problems('cases:\n  - name: a\n    request: { path: /x }\n    expcet: { status: 200 }\n')).toEqual([
      "t.test.yaml:4:5: unknown property 'cases[0].expcet' (did you mean 'expect'?)",
    ]);
    expect(problems('cases:\n  - name: a\n    request: { path: /x }\n    expect: { status: two hundred }\n')).toEqual(["t.test.yaml:4:23: 'cases[0].expect.status' must be an integer"]);
    expect(problems('cases:\n  - name: a\n    request: { method: GET }\n')).toEqual(["t.test.yaml:3:14: missing required property 'cases[0].request.path'"]);
    expect(problems('cases:\n  - name: a\n    steps:\n      - request: { path: /x }\n        advance: soon\n')).toEqual(["t.test.yaml:5:18: 'cases[0].steps[0].advance' has an unexpected shape"]);
  });

  it('YAML syntax errors point at the problem', () => {
    const p = problems('cases:\n  - name: a\n    request: { path: /x\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^t\.test\.yaml:\d+:\d+: /);
  });

  it('checks the schema cannot express: request or steps, unique names, valid regular expressions', () => {
    expect(problems('cases:\n  - name: a\n')).toEqual(["t.test.yaml:2:5: case 'a' has neither 'request' nor 'steps'"]);
    expect(problems('cases:\n  - name: a\n    request: { path: /x }\n    steps: [ { request: { path: /y } } ]\n')).toEqual([
      "t.test.yaml:2:5: case 'a' has both 'steps' and 'request'/'expect': put the request in a step",
    ]);
    expect(problems('cases:\n  - name: a\n    request: { path: /x }\n  - name: a\n    request: { path: /y }\n')).toEqual([
      "t.test.yaml:4:11: case name 'a' is used twice in this file (first at line 2)",
    ]);
    const bad = problems('cases:\n  - name: a\n    request: { path: /x }\n    expect: { headers: { X: { regex: "(" } } }\n');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^t\.test\.yaml:4:38: not a valid regular expression: /);
  });
});
