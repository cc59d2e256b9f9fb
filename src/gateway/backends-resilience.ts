/**
 * Circuit breakers and load-balanced pools of backend entities (POLICY-ENGINE.md §4.4, backends.md), the
 * `BackendGuard` that `forward-request` consults.
 *
 * - A backend with `circuitBreaker.rules[0]` trips when `failureCondition.count` failures (or
 *   `percentage` of calls) happen within `interval`; a failure is a status in `statusCodeRanges` or an
 *   error in `errorReasons` (`Timeout`, `BackendConnectionFailure`). While tripped, calls fail at once with
 *   503 for `tripDuration`, or for the backend's `Retry-After` when `acceptRetryAfter` is true.
 * - A pool (`type: Pool`, `pool.services[{id, weight, priority}]`) sends each call to the lowest priority
 *   group that has a member with a closed circuit, spread by weight (smooth weighted round robin, so the
 *   spread is exact and deterministic).
 * - State is per gateway process, as in APIM ("no cross-instance sync").
 */
import { PolicyError } from './errors.js';
import type { BackendConfig } from './policies/types.js';
import type { BackendGuard, RequestState } from './state.js';

/** A circuit-breaker rule as `backend.yaml` has it. */
interface BreakerRule {
  name: string;
  count: number | undefined;
  percentage: number | undefined;
  intervalMs: number;
  ranges: { min: number; max: number }[];
  reasons: string[];
  tripMs: number;
  acceptRetryAfter: boolean;
}

interface BreakerState {
  rule: BreakerRule;
  /** Times of recent calls and whether each failed, oldest first. */
  calls: { at: number; failed: boolean }[];
  openUntil: number;
}

interface PoolMember {
  name: string;
  weight: number;
  priority: number;
}

/** Parses an ISO 8601 duration (`PT30S`, `PT1M`, `P1DT2H`, `PT0.5S`) into milliseconds. */
export function parseIsoDuration(text: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) throw new Error(`"${text}" is not an ISO 8601 duration such as PT30S`);
  const [, d, h, min, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}

/** Reads the first circuit-breaker rule of a backend entity (APIM allows one), or undefined. */
export function breakerRuleOf(backend: BackendConfig): BreakerRule | undefined {
  const cb = backend.properties.circuitBreaker as { rules?: unknown[] } | undefined;
  const rule = cb?.rules?.[0] as Record<string, unknown> | undefined;
  if (!rule) return undefined;
  const fc = (rule.failureCondition ?? {}) as Record<string, unknown>;
  const ranges = Array.isArray(fc.statusCodeRanges)
    ? (fc.statusCodeRanges as { min?: unknown; max?: unknown }[]).map((r) => ({ min: Number(r.min ?? 0), max: Number(r.max ?? r.min ?? 0) }))
    : [];
  return {
    name: String(rule.name ?? 'rule'),
    count: fc.count !== undefined ? Number(fc.count) : undefined,
    percentage: fc.percentage !== undefined ? Number(fc.percentage) : undefined,
    intervalMs: parseIsoDuration(String(fc.interval ?? 'PT1M')),
    ranges,
    reasons: Array.isArray(fc.errorReasons) ? (fc.errorReasons as unknown[]).map(String) : [],
    tripMs: parseIsoDuration(String(rule.tripDuration ?? 'PT1M')),
    acceptRetryAfter: rule.acceptRetryAfter === true,
  };
}

/** The members of a pool backend, or undefined for a plain backend. */
export function poolMembersOf(backend: BackendConfig): PoolMember[] | undefined {
  const pool = backend.properties.pool as { services?: unknown[] } | undefined;
  if (backend.properties.type !== 'Pool' && !pool) return undefined;
  return (pool?.services ?? []).map((s) => {
    const o = s as { id?: unknown; weight?: unknown; priority?: unknown };
    const id = String(o.id ?? '');
    return { name: id.split('/').filter(Boolean).pop() ?? id, weight: Math.max(1, Number(o.weight ?? 1)), priority: Number(o.priority ?? 1) };
  });
}

/** The 503 a tripped backend (or a pool with every member tripped) answers. */
function unavailable(name: string, retryAfterMs: number): PolicyError {
  return new PolicyError({
    source: 'forward-request',
    reason: 'BackendUnavailable',
    message: `The circuit breaker of backend '${name}' is open`,
    statusCode: 503,
    responseMessage: 'Service Unavailable',
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}

/**
 * The gateway's `BackendGuard`: pass it as `services.backendGuard`.
 *
 * @example
 * const guard = new BackendResilience(() => loaded.backends);
 */
export class BackendResilience implements BackendGuard {
  private readonly breakers = new Map<string, BreakerState>();
  /** Smooth weighted round robin: current weights per pool and member. */
  private readonly rr = new Map<string, Map<string, number>>();

  /** `backends` returns the current backend entities (it may change on `--watch`). */
  constructor(private readonly backends: () => ReadonlyMap<string, BackendConfig>) {}

  select(backend: BackendConfig, state: RequestState): { url: string; memberId: string } {
    return this.selectAt(backend, state.services.clock());
  }

  record(memberId: string, outcome: { statusCode?: number; errorReason?: string; retryAfter?: string }, state: RequestState): void {
    this.recordAt(memberId, outcome, state.services.clock());
  }

  /** `select` at time `now`. */
  selectAt(backend: BackendConfig, now: number): { url: string; memberId: string } {
    const members = poolMembersOf(backend);
    if (!members) {
      const wait = this.openFor(backend, now);
      if (wait > 0) throw unavailable(backend.name, wait);
      return { url: backend.url, memberId: backend.name };
    }
    const all = this.backends();
    const usable = members
      .map((m) => ({ m, b: all.get(m.name) }))
      .filter((x): x is { m: PoolMember; b: BackendConfig } => x.b !== undefined && this.openFor(x.b, now) === 0);
    if (usable.length === 0) {
      const waits = members.map((m) => all.get(m.name)).filter((b): b is BackendConfig => !!b).map((b) => this.openFor(b, now));
      throw unavailable(backend.name, waits.length ? Math.min(...waits) : 1000);
    }
    const best = Math.min(...usable.map((x) => x.m.priority));
    const group = usable.filter((x) => x.m.priority === best);
    let current = this.rr.get(backend.name);
    if (!current) this.rr.set(backend.name, (current = new Map()));
    let total = 0;
    let chosen = group[0]!;
    let top = Number.NEGATIVE_INFINITY;
    for (const x of group) {
      total += x.m.weight;
      const w = (current.get(x.m.name) ?? 0) + x.m.weight;
      current.set(x.m.name, w);
      if (w > top) {
        top = w;
        chosen = x;
      }
    }
    current.set(chosen.m.name, top - total);
    return { url: chosen.b.url, memberId: chosen.m.name };
  }

  /** `record` at time `now`. */
  recordAt(memberId: string, outcome: { statusCode?: number; errorReason?: string; retryAfter?: string }, now: number): void {
    const backend = this.backends().get(memberId);
    if (!backend) return;
    const st = this.breaker(backend);
    if (!st) return;
    const rule = st.rule;
    const failed =
      (outcome.statusCode !== undefined && rule.ranges.some((r) => outcome.statusCode! >= r.min && outcome.statusCode! <= r.max)) ||
      (outcome.errorReason !== undefined && rule.reasons.includes(outcome.errorReason));
    st.calls.push({ at: now, failed });
    while (st.calls.length && st.calls[0]!.at <= now - rule.intervalMs) st.calls.shift();
    if (!failed || st.openUntil > now) return;
    const failures = st.calls.filter((c) => c.failed).length;
    const trips =
      (rule.count !== undefined && failures >= rule.count) ||
      (rule.percentage !== undefined && st.calls.length > 0 && (failures * 100) / st.calls.length >= rule.percentage);
    if (!trips) return;
    let trip = rule.tripMs;
    if (rule.acceptRetryAfter && outcome.retryAfter) {
      const seconds = Number(outcome.retryAfter);
      const date = Date.parse(outcome.retryAfter);
      if (Number.isFinite(seconds)) trip = seconds * 1000;
      else if (Number.isFinite(date)) trip = Math.max(0, date - now);
    }
    st.openUntil = now + trip;
    st.calls = [];
  }

  /** Milliseconds the backend's circuit stays open (0 = closed). */
  openFor(backend: BackendConfig, now: number): number {
    const st = this.breaker(backend);
    return st && st.openUntil > now ? st.openUntil - now : 0;
  }

  private breaker(backend: BackendConfig): BreakerState | undefined {
    let st = this.breakers.get(backend.name);
    if (!st) {
      const rule = breakerRuleOf(backend);
      if (!rule) return undefined;
      st = { rule, calls: [], openUntil: 0 };
      this.breakers.set(backend.name, st);
    }
    return st;
  }
}
