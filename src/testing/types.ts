/**
 * The test-case model (`tests/**\/*.test.yaml`, schema `schemas/test-case.schema.json`): what a case sends,
 * which backends it mocks, how it moves the clock, and what it expects. Parsed by `parse.ts`, run by
 * `runner.ts`. Every node keeps its position so a failure can point at the expectation that failed.
 */

/** A position in a test file (1-based). */
export interface At {
  file: string;
  line: number;
  column: number;
}

/** Matches one scalar or JSON value: equal, a regular expression, present/absent, or contains. */
export type ValueMatcher =
  | { kind: 'equals'; value: unknown; at: At }
  | { kind: 'regex'; regex: RegExp; source: string; at: At }
  | { kind: 'contains'; text: string; at: At }
  | { kind: 'absent'; at: At }
  | { kind: 'present'; at: At };

/** Matches a message body. Several checks may be combined; all must hold. */
export interface BodyMatcher {
  /** Exact text (a string), or deep JSON equality (anything else). */
  equals?: { value: unknown; at: At };
  /** The body parses as JSON and contains this value (objects: a subset of the keys, recursively). */
  json?: { value: unknown; at: At };
  /** JSONPath (`$.a.b[0]`, `$.items[*].id`) → matcher; a path that selects several values matches if all do. */
  jsonPath?: { path: string; matcher: ValueMatcher; at: At }[];
  regex?: { regex: RegExp; source: string; at: At };
  contains?: { text: string; at: At };
  empty?: { at: At };
}

/** A mocked backend response. */
export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  /** Sent as is (strings) or as JSON (anything else, with `Content-Type: application/json` unless set). */
  body: unknown;
  /** Wait this long (real time, ms) before answering, e.g. to trip `forward-request@timeout`. */
  delayMs: number;
  /** `connection`: the server drops the connection without answering (a real connection failure). */
  fail?: 'connection';
  at: At;
}

/** A mock for one backend entity (by name) or one URL prefix: one response, or a sequence (last repeats). */
export interface BackendMock {
  /** The key as written: a backend entity name or an absolute URL. */
  key: string;
  responses: MockResponse[];
  at: At;
}

/** A token minted by the local identity provider, or a raw one. */
export type TokenSpec =
  | { kind: 'raw'; value: string; scheme: string; header: string; at: At }
  | {
      kind: 'mint';
      sub?: string;
      aud?: string;
      iss?: string;
      roles: string[];
      claims: [string, string][];
      expiresIn: number;
      /** Seconds before the case's now the token was issued (an expired token: `age` > `expiresIn`). */
      age: number;
      scheme: string;
      header: string;
      at: At;
    };

/** The request a step sends. */
export interface RequestSpec {
  method: string;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  /** undefined: no body. Strings are sent as is; anything else as JSON. */
  body: unknown;
  /** A subscription by name: its key (after the environment's overrides) goes in the API's key header. */
  subscription?: string;
  token?: TokenSpec;
  /** Ask the gateway for a trace (default true: trace expectations and failure reports need it). */
  trace: boolean;
  at: At;
}

/** An expected backend call. */
export interface CallMatcher {
  backend?: string;
  method?: string;
  path?: string;
  query?: [string, ValueMatcher][];
  headers?: [string, ValueMatcher][];
  body?: BodyMatcher;
  at: At;
}

/** An expected (or, with `absent`, forbidden) trace entry. */
export interface TraceMatcher {
  policy?: string;
  scope?: string;
  section?: string;
  message?: RegExp;
  absent: boolean;
  at: At;
}

/** What a step expects. */
export interface Expectations {
  status?: { value: number; at: At };
  headers: [string, ValueMatcher][];
  body?: BodyMatcher;
  /** When given, the step's backend calls must match this list exactly (length and order). */
  backendCalls?: { calls: CallMatcher[]; at: At };
  variables: [string, ValueMatcher][];
  trace: TraceMatcher[];
}

/** One request (possibly repeated) and its expectations. */
export interface Step {
  name?: string;
  /** Move the clock this many ms before each repetition. */
  advanceMs: number;
  repeat: number;
  request: RequestSpec;
  expect: Expectations;
  at: At;
}

/** A test case: its steps share one gateway (counters, cache, circuit breakers) and one clock. */
export interface TestCase {
  name: string;
  environment: string;
  /** Epoch ms the clock starts at. */
  clockStart: number;
  backends: BackendMock[];
  steps: Step[];
  at: At;
}

/** One parsed `*.test.yaml`. */
export interface TestFile {
  /** As given to the parser (relative to the cwd for messages). */
  file: string;
  cases: TestCase[];
}

/** One way an expectation was not met. */
export interface Failure {
  /** The step (1-based) and repetition (1-based) it happened in; undefined for case-level problems. */
  step?: number;
  repetition?: number;
  /** What was checked: `status`, `header X-Foo`, `body $.id`, `backend call 1 path`, `trace`, … */
  what: string;
  expected: string;
  actual: string;
  /** Where the expectation is written. */
  at?: At;
  /** A multi-line diff (body text or JSON) when one helps more than expected/actual. */
  diff?: string;
}

/** What happened in one step repetition (kept for reports). */
export interface StepRecord {
  step: number;
  repetition: number;
  method: string;
  path: string;
  status: number;
  backendCalls: RecordedCall[];
}

/** A call a mock backend received. */
export interface RecordedCall {
  backend: string;
  method: string;
  /** Path and query as the gateway sent them. */
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: string;
  /** The mock response number it got (0-based), or -1 when no mock answered. */
  response: number;
}

export type CaseStatus = 'passed' | 'failed';

/** The result of one case. */
export interface CaseResult {
  file: string;
  name: string;
  status: CaseStatus;
  durationMs: number;
  failures: Failure[];
  steps: StepRecord[];
  at: At;
}

/** The result of a run. */
export interface RunResult {
  files: { file: string; cases: CaseResult[] }[];
  passed: number;
  failed: number;
  durationMs: number;
}
