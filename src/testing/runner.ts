/**
 * Runs test cases through the local gateway, in-process (`Gateway.handle`, no port for the gateway): per case
 * a fresh gateway over the environment's effective state, a fresh store, circuit breakers and cache, a clock
 * that only moves when the case says so (and when `retry` waits), real mock backends on 127.0.0.1, and
 * tokens minted by the project's local identity provider. Cases are independent, so they run in parallel;
 * the steps of one case run in order and share everything.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApimState } from '../artifacts/model.js';
import { DiagnosticsError, UserError, type UserErrorCode } from '../shared/errors.js';
import { loadEffectiveState, type EffectiveState } from '../artifacts/effective.js';
import { toDisplayString } from '../expressions/display.js';
import { JToken } from '../expressions/json.js';
import { CsDictionary } from '../expressions/values.js';
import { BodyHolder } from '../gateway/body.js';
import { createUndiciClient } from '../gateway/backend-client.js';
import { HeaderBag } from '../gateway/headers.js';
import { findProjectRoot, IDENTITY_PROVIDER_EXTENSION, jwtExpectations, LocalIdentityProvider } from '../gateway/identity-provider.js';
import { createGateway, TRACE_PATH_PREFIX, type LocalGateway } from '../gateway/index.js';
import { SELF_HOSTED_APIS_EXTENSION, selfHostedApis, STORE_FAILURE_EXTENSION } from '../gateway/limits.js';
import { POLICIES } from '../gateway/policies/index.js';
import type { PolicyModule } from '../gateway/policies/types.js';
import { createStore } from '../gateway/stores/factory.js';
import { MemoryStore } from '../gateway/stores/memory.js';
import type { Store } from '../gateway/stores/store.js';
import type { TraceEntry } from '../gateway/trace.js';
import { describeMatcher, matchBody, matchNamed, matchValue, show } from './matchers.js';
import { startMocks, type MockSet } from './mock-backends.js';
import type { CaseResult, Expectations, Failure, RecordedCall, RequestSpec, RunResult, StepRecord, TestCase, TestFile, TokenSpec } from './types.js';

/** How to run. */
export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--config`. */
  configPath?: string;
  /** The artifact folder argument. */
  folder?: string;
  /** `--store`: memory (default: one per case) or `redis://…` (one namespace per case). */
  store?: string;
  /** Cases running at once (default: the cores, at most 4). */
  concurrency?: number;
  /** Called as each case finishes (progress). */
  onCase?: (result: CaseResult) => void;
}

/** Loads effective states once per environment for a run. */
export class StateCache {
  private readonly states = new Map<string, Promise<EffectiveState>>();
  constructor(private readonly options: Pick<RunOptions, 'cwd' | 'env' | 'configPath' | 'folder'>) {}
  get(environment: string): Promise<EffectiveState> {
    let p = this.states.get(environment);
    if (!p) {
      p = loadEffectiveState({ cwd: this.options.cwd, env: this.options.env, configPath: this.options.configPath, folder: this.options.folder, environment });
      this.states.set(environment, p);
    }
    return p;
  }
}

/**
 * Runs every case of `files`. Configuration problems (the folder or an environment does not load, a policy
 * does not compile) throw the loader's `UserError`; failed expectations are results.
 */
export async function runTests(files: readonly TestFile[], options: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const states = new StateCache(options);
  // Load every environment first: a broken folder is one error, not one per case.
  for (const env of new Set(files.flatMap((f) => f.cases.map((c) => c.environment)))) {
    try {
      await states.get(env);
    } catch (e) {
      // Point at the first case that asked for the environment, so the test file can be fixed too.
      const c = files.flatMap((f) => f.cases).find((x) => x.environment === env)!;
      if (e instanceof UserError && e.diagnostics.length === 0) {
        throw new DiagnosticsError(e.code as UserErrorCode, e.message, [{ file: c.at.file, line: c.at.line, column: c.at.column, message: `case '${c.name}' runs in environment '${env}': ${e.message}`, severity: 'error' }]);
      }
      throw e;
    }
  }
  const jobs = files.flatMap((f) => f.cases.map((c) => ({ file: f.file, c })));
  const results: CaseResult[] = new Array(jobs.length);
  const limit = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
  let next = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < jobs.length && fatal === undefined) {
      const i = next++;
      const job = jobs[i]!;
      try {
        results[i] = await runCase(job.file, job.c, await states.get(job.c.environment), options);
        options.onCase?.(results[i]!);
      } catch (e) {
        fatal ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (fatal !== undefined) throw fatal;
  const byFile = files.map((f) => ({ file: f.file, cases: results.filter((r) => r.file === f.file) }));
  const passed = results.filter((r) => r.status === 'passed').length;
  return { files: byFile, passed, failed: results.length - passed, durationMs: Math.round(performance.now() - t0) };
}

/** The virtual clock of a case. */
interface CaseClock {
  now: number;
}

/** Runs one case. Throws only for configuration errors (the gateway does not load). */
export async function runCase(file: string, c: TestCase, eff: EffectiveState, options: Pick<RunOptions, 'store'>): Promise<CaseResult> {
  const t0 = performance.now();
  const failures: Failure[] = [];
  const steps: StepRecord[] = [];
  const done = (): CaseResult => ({ file, name: c.name, status: failures.length ? 'failed' : 'passed', durationMs: Math.round(performance.now() - t0), failures, steps, at: c.at });

  let mocks: MockSet;
  try {
    mocks = await startMocks(c.backends, (key) => mockTarget(eff.state, key));
  } catch (e) {
    failures.push({ what: 'backends', expected: 'mocks that start', actual: (e as Error).message, at: c.backends[0]?.at ?? c.at });
    return done();
  }
  const clock: CaseClock = { now: c.clockStart };
  const now = () => clock.now;
  let store: Store | undefined;
  let gw: LocalGateway | undefined;
  try {
    store = await openStore(options.store, now, `${eff.folder}#${file}#${c.name}#${process.pid}#${Date.now()}`);
    const idp = await LocalIdentityProvider.load(findProjectRoot(eff.folder), {
      identityHosts: eff.config.config.serve?.identityHosts,
      // OIDC documents on other hosts come from the case's URL mocks, never from the network.
      fallbackFetch: async (url) => {
        const routed = mocks.route(url);
        if (!routed) throw new Error(`no mock backend for ${url} (test cases never call real services)`);
        const res = await fetch(routed);
        return (await res.json()) as unknown;
      },
    });
    const variables = new Map<string, CsDictionary<unknown>>();
    let n = 0;
    gw = await createGateway({
      state: eff.state,
      store,
      clock: now,
      // `retry` intervals and other waits move the case's clock instead of taking time.
      sleep: async (ms) => {
        clock.now += ms;
      },
      uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`,
      backendClient: mocks.client(createUndiciClient({ keepAliveTimeoutMs: 1000 })),
      extensions: new Map<string, unknown>([
        [IDENTITY_PROVIDER_EXTENSION, idp],
        [STORE_FAILURE_EXTENSION, 'closed'],
        [SELF_HOSTED_APIS_EXTENSION, selfHostedApis(eff.state)],
      ]),
      policies: capturingPolicies(variables),
    });
    const expected = jwtExpectations(eff.folder);
    // A case stops at its first failing step (and a repeated step at its first failing repetition): later
    // steps build on the state the failed one should have left, so their failures would only repeat it.
    for (let si = 0; si < c.steps.length && failures.length === 0; si++) {
      const step = c.steps[si]!;
      // A step's token is minted once, when the step starts: repetitions reuse it, as a real client would.
      let token: string | undefined;
      for (let rep = 1; rep <= step.repeat; rep++) {
        clock.now += step.advanceMs;
        const where = { step: si + 1, ...(step.repeat > 1 ? { repetition: rep } : {}) };
        if (step.request.token && token === undefined) token = await tokenFor(step.request.token, idp, now(), expected);
        const built = buildRequest(step.request, eff.state, token);
        if ('failure' in built) {
          failures.push({ ...where, ...built.failure });
          break;
        }
        const before = mocks.calls.length;
        const result = await gw.handle({ method: step.request.method, url: built.url, headers: built.headers, body: built.body, ipAddress: '127.0.0.1' });
        const text = (await result.body.read()).toString('utf8');
        const calls = mocks.calls.slice(before);
        const trace = step.request.trace ? await readTrace(gw, result.headers.get('Ocp-Apim-Trace-Location')) : undefined;
        const vars = variables.get(result.requestId);
        steps.push({ step: si + 1, repetition: rep, method: step.request.method, path: step.request.path, status: result.statusCode, backendCalls: calls });
        const found = checkStep(step.expect, { status: result.statusCode, headers: result.headers, body: text, calls, trace, variables: vars });
        for (const call of calls) {
          if (call.response === -1) found.push({ what: 'backend call', expected: 'a mock for every backend the request calls', actual: `${call.method} ${call.backend}${call.path} has no mock (add it under backends:)`, at: c.at });
        }
        for (const f of found) failures.push({ ...where, ...f });
        variables.delete(result.requestId);
        if (found.length > 0) break;
      }
    }
  } finally {
    // The gateway closes its backend client; the store is ours (createGateway only closes stores it made).
    await gw?.close();
    await store?.close();
    await mocks.close();
  }
  return done();
}

async function openStore(url: string | undefined, clock: () => number, namespace: string): Promise<Store> {
  if (url === undefined || url === '' || url === 'memory') return new MemoryStore({ clock });
  return createStore(url, { namespace, clock });
}

/** The URL a mock key stands for: an absolute URL as is, a backend entity's URL (after overrides) by name. */
export function mockTarget(state: ApimState, key: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) return key;
  for (const b of state.backend.values()) {
    if (b.name === key) {
      const url = b.properties.url;
      return typeof url === 'string' ? url : undefined;
    }
  }
  return undefined;
}

/**
 * The registry with every policy wrapped so the case can read `context.Variables` after the request: each
 * policy run notes the request's variables by request id. Behaviour is unchanged (the wrapper delegates).
 */
function capturingPolicies(sink: Map<string, CsDictionary<unknown>>): PolicyModule[] {
  return [...POLICIES.values()].map((m) => ({
    name: m.name,
    sections: m.sections,
    compile(el, ctx) {
      const compiled = m.compile(el, ctx);
      const wrapped = Object.create(compiled) as typeof compiled;
      Object.defineProperty(wrapped, 'run', {
        value: (state: Parameters<typeof compiled.run>[0]) => {
          sink.set(state.requestId, state.variables);
          return compiled.run(state);
        },
      });
      return wrapped;
    },
  }));
}

/** What a step's request turned into. */
type Built = { url: URL; headers: HeaderBag; body: BodyHolder } | { failure: Omit<Failure, 'step' | 'repetition'> };

/** The token of a request: the raw one, or one minted by the local identity provider at `now` (minus `age`). */
async function tokenFor(t: TokenSpec, idp: LocalIdentityProvider, now: number, expected: { issuers: string[]; audiences: string[] }): Promise<string> {
  if (t.kind === 'raw') return t.value;
  return idp.mint({
    sub: t.sub,
    aud: t.aud ?? (expected.audiences.length === 1 ? expected.audiences[0] : undefined),
    iss: t.iss ?? (expected.issuers.length === 1 ? expected.issuers[0] : undefined),
    roles: t.roles,
    claims: t.claims,
    expiresIn: t.expiresIn,
    now: now - t.age * 1000,
  });
}

function buildRequest(r: RequestSpec, state: ApimState, token: string | undefined): Built {
  // The in-process gateway has no socket; https is what APIM APIs list (the router checks the scheme).
  const url = new URL(r.path, 'https://localhost');
  for (const [k, v] of r.query) url.searchParams.append(k, v);
  const headers = new HeaderBag();
  for (const [k, v] of r.headers) headers.append(k, v);
  if (r.trace) headers.set('Ocp-Apim-Trace', 'true');
  if (r.subscription !== undefined) {
    const sub = [...state.subscription.values()].find((s) => s.name === r.subscription);
    if (!sub) {
      const known = [...state.subscription.values()].map((s) => s.name).join(', ') || '(none)';
      return { failure: { what: 'request subscription', expected: `a subscription of the folder (${known})`, actual: show(r.subscription), at: r.at } };
    }
    const key = sub.properties.primaryKey ?? sub.properties.secondaryKey;
    if (typeof key !== 'string' || key === '') {
      return { failure: { what: 'request subscription', expected: `a key for '${r.subscription}' (primaryKey in the environment's overrides)`, actual: '(no key)', at: r.at } };
    }
    headers.set(subscriptionHeaderFor(state, url.pathname), key);
  }
  if (r.token && token !== undefined) headers.set(r.token.header, r.token.scheme ? `${r.token.scheme} ${token}` : token);
  let body = BodyHolder.empty();
  if (r.body !== undefined) {
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (typeof r.body !== 'string' && !headers.has('content-type')) headers.set('Content-Type', 'application/json');
    body = BodyHolder.fromBytes(text);
    headers.set('Content-Length', String(Buffer.byteLength(text)));
  }
  return { url, headers, body };
}

/** The subscription key header of the API whose path the request is under (longest match). */
function subscriptionHeaderFor(state: ApimState, pathname: string): string {
  let best: { len: number; header: string } | undefined;
  for (const api of state.api.values()) {
    const p = `/${String(api.properties.path ?? '').replace(/^\/+|\/+$/g, '')}`;
    const under = p === '/' || pathname === p || pathname.startsWith(`${p}/`);
    if (!under || (best && best.len >= p.length)) continue;
    const names = api.properties.subscriptionKeyParameterNames as { header?: string } | undefined;
    best = { len: p.length, header: names?.header ?? 'Ocp-Apim-Subscription-Key' };
  }
  return best?.header ?? 'Ocp-Apim-Subscription-Key';
}

async function readTrace(gw: LocalGateway, location: string | undefined): Promise<TraceEntry[] | undefined> {
  if (!location) return undefined;
  const url = new URL(location);
  if (!url.pathname.startsWith(TRACE_PATH_PREFIX)) return undefined;
  const res = await gw.handle({ method: 'GET', url, headers: new HeaderBag(), body: BodyHolder.empty(), ipAddress: '127.0.0.1' });
  if (res.statusCode !== 200) return undefined;
  const doc = JSON.parse((await res.body.read()).toString('utf8')) as { entries?: TraceEntry[] };
  return doc.entries ?? [];
}

/** What a step produced. */
export interface StepOutcome {
  status: number;
  headers: HeaderBag;
  body: string;
  calls: RecordedCall[];
  trace: TraceEntry[] | undefined;
  variables: CsDictionary<unknown> | undefined;
}

/** Checks a step's expectations; pure over the outcome. */
export function checkStep(e: Expectations, o: StepOutcome): Failure[] {
  const out: Failure[] = [];
  if (e.status && e.status.value !== o.status) out.push({ what: 'status', expected: String(e.status.value), actual: `${o.status}${o.body ? ` ${previewBody(o.body)}` : ''}`, at: e.status.at });
  out.push(...matchNamed('header', e.headers, (n) => o.headers.get(n)));
  if (e.body) out.push(...matchBody(e.body, o.body));
  if (e.backendCalls) out.push(...checkCalls(e.backendCalls.calls, e.backendCalls.at, o.calls.filter((c) => c.response !== -1)));
  if (e.variables.length) out.push(...matchNamed('variable', e.variables, (n) => (o.variables?.has(n) ? plainValue(o.variables.get(n)) : undefined)));
  if (e.trace.length) out.push(...checkTrace(e, o.trace));
  return out;
}

function previewBody(body: string): string {
  const one = body.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 160)}…` : one;
}

function checkCalls(expected: Expectations['backendCalls'] extends infer T ? (T extends { calls: infer C } ? C : never) : never, at: Failure['at'], actual: RecordedCall[]): Failure[] {
  const out: Failure[] = [];
  const list = actual.map((c, i) => `  ${i + 1}. ${c.backend}: ${c.method} ${c.path}${c.query.length ? `?${new URLSearchParams(c.query).toString()}` : ''}`).join('\n');
  if (expected.length !== actual.length) {
    out.push({ what: 'backend calls', expected: `${expected.length} call${expected.length === 1 ? '' : 's'}`, actual: `${actual.length} call${actual.length === 1 ? '' : 's'}`, at, ...(actual.length ? { diff: list } : {}) });
  }
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const m = expected[i]!;
    const a = actual[i]!;
    const label = `backend call ${i + 1}`;
    if (m.backend !== undefined && m.backend !== a.backend) out.push({ what: `${label} backend`, expected: show(m.backend), actual: show(a.backend), at: m.at });
    if (m.method !== undefined && m.method !== a.method) out.push({ what: `${label} method`, expected: m.method, actual: a.method, at: m.at });
    if (m.path !== undefined && m.path !== a.path) out.push({ what: `${label} path`, expected: show(m.path), actual: show(a.path), at: m.at });
    if (m.query) out.push(...matchNamed(`${label} query`, m.query, (n) => a.query.find(([k]) => k === n)?.[1]));
    if (m.headers) out.push(...matchNamed(`${label} header`, m.headers, (n) => a.headers[n.toLowerCase()]));
    if (m.body) out.push(...matchBody(m.body, a.body, `${label} body`));
  }
  return out;
}

function describeTrace(t: { policy?: string; scope?: string; section?: string; message?: RegExp }): string {
  const parts = [t.policy ? `policy ${t.policy}` : 'any policy', t.scope ? `at ${t.scope} scope` : '', t.section ? `in ${t.section}` : '', t.message ? `message /${t.message.source}/` : ''];
  return parts.filter(Boolean).join(' ');
}

function checkTrace(e: Expectations, trace: TraceEntry[] | undefined): Failure[] {
  const first = e.trace[0]!;
  if (!trace) return [{ what: 'trace', expected: describeTrace(first), actual: '(no trace: the request was sent with trace: false, or the gateway gave none)', at: first.at }];
  const hit = (m: (typeof e.trace)[number], t: TraceEntry) =>
    (m.policy === undefined || t.source === m.policy) &&
    (m.scope === undefined || t.scope === m.scope) &&
    (m.section === undefined || t.section === m.section) &&
    (m.message === undefined || m.message.test(t.message));
  const out: Failure[] = [];
  // Expected entries are matched greedily, in order; each missing one is shown where it should have been.
  const wanted = e.trace.filter((m) => !m.absent);
  const found: number[] = [];
  const missingAt = new Map<number, string[]>();
  const missed: (typeof e.trace)[number][] = [];
  let from = 0;
  for (const m of wanted) {
    const idx = trace.findIndex((t, i) => i >= from && hit(m, t));
    if (idx < 0) {
      const list = missingAt.get(from) ?? [];
      list.push(describeTrace(m));
      missingAt.set(from, list);
      missed.push(m);
      continue;
    }
    found.push(idx);
    from = idx + 1;
  }
  const missing = missed.length;
  if (missing > 0) {
    const line = (t: TraceEntry) => `${t.section.padEnd(8)} ${t.scope.padEnd(9)} ${t.source}${t.message ? `  ${t.message}` : ''}`;
    const diff: string[] = [];
    for (let i = 0; i <= trace.length; i++) {
      for (const d of missingAt.get(i) ?? []) diff.push(`- ${d}`);
      if (i < trace.length) diff.push(`${found.includes(i) ? '✓' : ' '} ${line(trace[i]!)}`);
    }
    out.push({
      what: 'trace',
      expected: `${wanted.length} entr${wanted.length === 1 ? 'y' : 'ies'} in this order`,
      actual: `${missing} missing (- below; ✓ = found)`,
      at: missed[0]!.at,
      diff: diff.join('\n'),
    });
  }
  for (const m of e.trace.filter((x) => x.absent)) {
    const bad = trace.find((t) => hit(m, t));
    if (bad) out.push({ what: 'trace', expected: `no entry for ${describeTrace(m)}`, actual: `${bad.section} ${bad.scope} ${bad.source}: ${bad.message}`, at: m.at });
  }
  return out;
}

/** A C# value from `context.Variables` as JSON-ish data for expectations. */
export function plainValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof JToken) {
    try {
      return JSON.parse(toDisplayString(v)) as unknown;
    } catch {
      return toDisplayString(v);
    }
  }
  return toDisplayString(v);
}

export { describeMatcher, matchValue };
