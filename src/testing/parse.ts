/**
 * Test-case files → `TestFile`: YAML with positions, checked against `schemas/test-case.schema.json`, then
 * a few checks the schema cannot express (a case has `request` or `steps`, valid regular expressions,
 * unique case names). Every problem is a diagnostic with file:line:column; a bad file never runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from '../shared/errors.js';
import { parseYamlFile, positionOf, schemaDiagnostics, type YamlFile, type YamlPath } from '../artifacts/yaml-doc.js';
import type {
  At,
  BackendMock,
  BodyMatcher,
  CallMatcher,
  Expectations,
  MockResponse,
  RequestSpec,
  Step,
  TestCase,
  TestFile,
  TokenSpec,
  TraceMatcher,
  ValueMatcher,
} from './types.js';

/** Where the clock of a case starts unless `clock.start` says otherwise: fixed, so runs are repeatable. */
export const DEFAULT_CLOCK_START = Date.parse('2026-01-01T00:00:00Z');

const SCHEMA_FILE = fileURLToPath(new URL('../../schemas/test-case.schema.json', import.meta.url));
let compiled: { validate: ValidateFunction; schema: Record<string, unknown> } | undefined;

function schema(): { validate: ValidateFunction; schema: Record<string, unknown> } {
  if (compiled) return compiled;
  const addFormats = (addFormatsModule as unknown as { default?: (a: Ajv) => void }).default ?? (addFormatsModule as unknown as (a: Ajv) => void);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const json = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  compiled = { validate: ajv.compile(json), schema: json };
  return compiled;
}

/** Parses a duration (`500ms`, `61s`, `2m`, `1h`, `1d`, or a number of seconds) into milliseconds. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(String(value));
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(n * unit);
}

/** Parses one test file's text. Returns the file, or the diagnostics that stop it from running. */
export function parseTestFile(file: string, text: string): { file?: TestFile; diagnostics: Diagnostic[] } {
  const { yaml, diagnostics } = parseYamlFile(file, text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text);
  if (diagnostics.length > 0) return { diagnostics };
  const value = yaml.value;
  const s = schema();
  if (!s.validate(value)) {
    // ajv reports schema paths relative to the `$ref` it followed, so suggestions walk the instance path instead.
    const errors = (s.validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? { ...e, schemaPath: `${e.instancePath}/additionalProperties` } : e));
    return { diagnostics: schemaDiagnostics(yaml, errors, (p) => propertiesAtInstance(s.schema, p)) };
  }
  const b = new Builder(yaml);
  const doc = value as Record<string, unknown>;
  const fileEnv = typeof doc.environment === 'string' ? doc.environment : 'local';
  const cases: TestCase[] = [];
  const names = new Map<string, At>();
  (doc.cases as Record<string, unknown>[]).forEach((c, i) => {
    const tc = b.testCase(c, ['cases', i], fileEnv);
    if (!tc) return;
    const prev = names.get(tc.name);
    if (prev) b.error(['cases', i, 'name'], `case name '${tc.name}' is used twice in this file (first at line ${prev.line})`);
    else names.set(tc.name, tc.at);
    cases.push(tc);
  });
  if (b.diagnostics.length > 0) return { diagnostics: b.diagnostics };
  return { file: { file, cases }, diagnostics: [] };
}

/** Reads and parses a test file from disk; `display` is the path used in messages. */
export function readTestFile(path: string, display = path): { file?: TestFile; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { diagnostics: [{ file: display, message: `cannot read test file: ${(e as Error).message}`, severity: 'error' }] };
  }
  return parseTestFile(display, text);
}

/** The property names the schema allows for the object at a JSON-pointer instance path (`/cases/0`). */
function propertiesAtInstance(root: Record<string, unknown>, pointer: string): string[] {
  const deref = (n: unknown): Record<string, unknown> | undefined => {
    let node = n as Record<string, unknown> | undefined;
    for (let i = 0; i < 10 && node && typeof node.$ref === 'string'; i++) {
      node = (root.definitions as Record<string, Record<string, unknown>>)[(node.$ref as string).replace('#/definitions/', '')];
    }
    return node;
  };
  const branches = (n: Record<string, unknown> | undefined): Record<string, unknown>[] =>
    !n ? [] : Array.isArray(n.anyOf) ? (n.anyOf as unknown[]).flatMap((b) => branches(deref(b))) : [n];
  let nodes = branches(deref(root));
  for (const seg of pointer.split('/').filter(Boolean)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    nodes = nodes.flatMap((n) => {
      const props = n.properties as Record<string, unknown> | undefined;
      if (/^\d+$/.test(key) && n.items) return branches(deref(n.items));
      if (props && key in props) return branches(deref(props[key]));
      if (n.additionalProperties && typeof n.additionalProperties === 'object') return branches(deref(n.additionalProperties));
      return [];
    });
  }
  return [...new Set(nodes.flatMap((n) => Object.keys((n.properties as Record<string, unknown> | undefined) ?? {})))];
}

type Obj = Record<string, unknown>;

/** Turns schema-valid plain values into the model, recording positions and the remaining problems. */
class Builder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly y: YamlFile) {}

  at(path: YamlPath, key = false): At {
    const p = positionOf(this.y, path, key);
    return { file: this.y.file, line: p.line, column: p.column };
  }
  error(path: YamlPath, message: string, key = false): void {
    const at = this.at(path, key);
    this.diagnostics.push({ file: at.file, line: at.line, column: at.column, message, severity: 'error', code: 'test-case' });
  }

  testCase(c: Obj, path: YamlPath, fileEnv: string): TestCase | undefined {
    const name = String(c.name);
    const at = this.at(path);
    let clockStart = DEFAULT_CLOCK_START;
    const clock = c.clock as Obj | undefined;
    if (clock?.start !== undefined) {
      clockStart = Date.parse(String(clock.start));
      if (Number.isNaN(clockStart)) this.error([...path, 'clock', 'start'], `'clock.start' is not a date-time: ${String(clock.start)}`);
    }
    const backends: BackendMock[] = [];
    for (const [key, m] of Object.entries((c.backends as Obj | undefined) ?? {})) {
      const mp = [...path, 'backends', key];
      if (/^[a-z][a-z0-9+.-]*:/i.test(key)) {
        try {
          new URL(key);
        } catch {
          this.error(mp, `backend mock '${key}' is neither a backend name nor an absolute URL`, true);
        }
      }
      const seq = (m as Obj).sequence as Obj[] | undefined;
      const responses = seq ? seq.map((r, i) => this.mockResponse(r, [...mp, 'sequence', i])) : [this.mockResponse(m as Obj, mp)];
      backends.push({ key, responses, at: this.at(mp, true) });
    }
    const steps: Step[] = [];
    if (c.steps !== undefined) {
      if (c.request !== undefined || c.expect !== undefined) {
        this.error(path, `case '${name}' has both 'steps' and 'request'/'expect': put the request in a step`);
      }
      (c.steps as Obj[]).forEach((s, i) => steps.push(this.step(s, [...path, 'steps', i])));
    } else if (c.request !== undefined) {
      steps.push(this.step({ request: c.request, expect: c.expect }, path));
    } else {
      this.error(path, `case '${name}' has neither 'request' nor 'steps'`);
      return undefined;
    }
    return { name, environment: typeof c.environment === 'string' ? c.environment : fileEnv, clockStart, backends, steps, at };
  }

  mockResponse(r: Obj, path: YamlPath): MockResponse {
    return {
      status: typeof r.status === 'number' ? r.status : 200,
      headers: Object.fromEntries(Object.entries((r.headers as Obj | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      body: r.body,
      delayMs: r.delay === undefined ? 0 : parseDuration(r.delay),
      ...(r.fail === 'connection' ? { fail: 'connection' as const } : {}),
      at: this.at(path),
    };
  }

  step(s: Obj, path: YamlPath): Step {
    const advanceMs = s.advance === undefined ? 0 : parseDuration(s.advance);
    return {
      ...(typeof s.name === 'string' ? { name: s.name } : {}),
      advanceMs,
      repeat: typeof s.repeat === 'number' ? s.repeat : 1,
      request: this.request(s.request as Obj, [...path, 'request']),
      expect: this.expect((s.expect as Obj | undefined) ?? {}, [...path, 'expect']),
      at: this.at(path),
    };
  }

  request(r: Obj, path: YamlPath): RequestSpec {
    const pairs = (o: unknown): [string, string][] => Object.entries((o as Obj | undefined) ?? {}).map(([k, v]) => [k, String(v)]);
    return {
      method: typeof r.method === 'string' ? r.method.toUpperCase() : 'GET',
      path: String(r.path),
      query: pairs(r.query),
      headers: pairs(r.headers),
      body: r.body,
      ...(typeof r.subscription === 'string' ? { subscription: r.subscription } : {}),
      ...(r.token !== undefined ? { token: this.token(r.token, [...path, 'token']) } : {}),
      trace: r.trace !== false,
      at: this.at(path),
    };
  }

  token(t: unknown, path: YamlPath): TokenSpec {
    const at = this.at(path);
    if (typeof t === 'string') return { kind: 'raw', value: t, scheme: 'Bearer', header: 'Authorization', at };
    const o = t as Obj;
    const scheme = typeof o.scheme === 'string' ? o.scheme : 'Bearer';
    const header = typeof o.header === 'string' ? o.header : 'Authorization';
    if (typeof o.raw === 'string') return { kind: 'raw', value: o.raw, scheme, header, at };
    const claims: [string, string][] = [];
    for (const [k, v] of Object.entries((o.claims as Obj | undefined) ?? {})) {
      if (Array.isArray(v)) for (const x of v) claims.push([k, String(x)]);
      else claims.push([k, String(v)]);
    }
    return {
      kind: 'mint',
      ...(typeof o.sub === 'string' ? { sub: o.sub } : {}),
      ...(typeof o.aud === 'string' ? { aud: o.aud } : {}),
      ...(typeof o.iss === 'string' ? { iss: o.iss } : {}),
      roles: Array.isArray(o.roles) ? o.roles.map(String) : [],
      claims,
      expiresIn: o.expiresIn === undefined ? 3600 : Math.round(parseDuration(o.expiresIn) / 1000),
      age: o.age === undefined ? 0 : Math.round(parseDuration(o.age) / 1000),
      scheme,
      header,
      at,
    };
  }

  matcher(v: unknown, path: YamlPath): ValueMatcher {
    const at = this.at(path);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Obj;
      if ('regex' in o) return { kind: 'regex', regex: this.regex(String(o.regex), [...path, 'regex']), source: String(o.regex), at };
      if ('contains' in o) return { kind: 'contains', text: String(o.contains), at };
      if ('absent' in o) return { kind: 'absent', at };
      if ('present' in o) return { kind: 'present', at };
      return { kind: 'equals', value: o.equals, at };
    }
    return { kind: 'equals', value: v, at };
  }

  matchers(o: unknown, path: YamlPath): [string, ValueMatcher][] {
    return Object.entries((o as Obj | undefined) ?? {}).map(([k, v]) => [k, this.matcher(v, [...path, k])]);
  }

  regex(source: string, path: YamlPath): RegExp {
    try {
      return new RegExp(source);
    } catch (e) {
      this.error(path, `not a valid regular expression: ${(e as Error).message}`);
      return /$^/;
    }
  }

  body(b: unknown, path: YamlPath): BodyMatcher {
    if (typeof b === 'string') return { equals: { value: b, at: this.at(path) } };
    const o = b as Obj;
    const out: BodyMatcher = {};
    if ('equals' in o) out.equals = { value: o.equals, at: this.at([...path, 'equals']) };
    if ('json' in o) out.json = { value: o.json, at: this.at([...path, 'json']) };
    if (o.jsonPath !== undefined) {
      out.jsonPath = Object.entries(o.jsonPath as Obj).map(([p, v]) => {
        const mp = [...path, 'jsonPath', p];
        if (!/^\$/.test(p)) this.error(mp, `JSONPath '${p}' must start with $`, true);
        return { path: p, matcher: this.matcher(v, mp), at: this.at(mp, true) };
      });
    }
    if (typeof o.regex === 'string') out.regex = { regex: this.regex(o.regex, [...path, 'regex']), source: o.regex, at: this.at([...path, 'regex']) };
    if (typeof o.contains === 'string') out.contains = { text: o.contains, at: this.at([...path, 'contains']) };
    if (o.empty === true) out.empty = { at: this.at([...path, 'empty']) };
    return out;
  }

  call(c: Obj, path: YamlPath): CallMatcher {
    return {
      ...(typeof c.backend === 'string' ? { backend: c.backend } : {}),
      ...(typeof c.method === 'string' ? { method: c.method.toUpperCase() } : {}),
      ...(typeof c.path === 'string' ? { path: c.path } : {}),
      ...(c.query !== undefined ? { query: this.matchers(c.query, [...path, 'query']) } : {}),
      ...(c.headers !== undefined ? { headers: this.matchers(c.headers, [...path, 'headers']) } : {}),
      ...(c.body !== undefined ? { body: this.body(c.body, [...path, 'body']) } : {}),
      at: this.at(path),
    };
  }

  trace(t: Obj, path: YamlPath): TraceMatcher {
    return {
      ...(typeof t.policy === 'string' ? { policy: t.policy } : {}),
      ...(typeof t.scope === 'string' ? { scope: t.scope } : {}),
      ...(typeof t.section === 'string' ? { section: t.section } : {}),
      ...(typeof t.message === 'string' ? { message: this.regex(t.message, [...path, 'message']) } : {}),
      absent: t.absent === true,
      at: this.at(path),
    };
  }

  expect(e: Obj, path: YamlPath): Expectations {
    return {
      ...(typeof e.status === 'number' ? { status: { value: e.status, at: this.at([...path, 'status']) } } : {}),
      headers: this.matchers(e.headers, [...path, 'headers']),
      ...(e.body !== undefined ? { body: this.body(e.body, [...path, 'body']) } : {}),
      ...(Array.isArray(e.backendCalls)
        ? { backendCalls: { calls: (e.backendCalls as Obj[]).map((c, i) => this.call(c, [...path, 'backendCalls', i])), at: this.at([...path, 'backendCalls']) } }
        : {}),
      variables: this.matchers(e.variables, [...path, 'variables']),
      trace: Array.isArray(e.trace) ? (e.trace as Obj[]).map((t, i) => this.trace(t, [...path, 'trace', i])) : [],
    };
  }
}
