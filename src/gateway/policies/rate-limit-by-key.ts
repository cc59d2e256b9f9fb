import { afterResponse, rateLimitExceeded, retryAfterSeconds, setResponseHeader, withStore } from '../limits.js';
import type { RequestState } from '../state.js';
import { MemoryStore } from '../stores/memory.js';
import type { ConsumeRequest, CounterState } from '../stores/store.js';
import type { CompileContext, PolicyElement, PolicyModule, ValueSource } from './types.js';

/** Largest `renewal-period` of rate-limit / rate-limit-by-key (APIM rejects more). */
export const MAX_RATE_LIMIT_PERIOD_SECONDS = 300;

/** The optional output names shared by rate-limit and rate-limit-by-key. */
export interface RateLimitOutputs {
  retryAfterHeader: string;
  retryAfterVariable: string | undefined;
  remainingHeader: string | undefined;
  remainingVariable: string | undefined;
  totalHeader: string | undefined;
}

/** Reads the output attributes (literals only, §5.4). */
export function rateLimitOutputs(el: PolicyElement, ctx: CompileContext): RateLimitOutputs {
  return {
    retryAfterHeader: ctx.literal(el, 'retry-after-header-name') ?? 'Retry-After',
    retryAfterVariable: ctx.literal(el, 'retry-after-variable-name'),
    remainingHeader: ctx.literal(el, 'remaining-calls-header-name'),
    remainingVariable: ctx.literal(el, 'remaining-calls-variable-name'),
    totalHeader: ctx.literal(el, 'total-calls-header-name'),
  };
}

/** A positive whole number attribute: checked at load when literal, at request time when an expression. */
export function positiveInt(ctx: CompileContext, el: PolicyElement, v: ValueSource, what: string, opts: { max?: number; allowZero?: boolean } = {}): (s: RequestState) => number {
  const check = (n: number): string | undefined => {
    if (!Number.isInteger(n) || n < (opts.allowZero ? 0 : 1)) return `${what} must be a ${opts.allowZero ? 'non-negative' : 'positive'} whole number, not "${n}"`;
    if (opts.max !== undefined && n > opts.max) return `${what} must be at most ${opts.max}, not ${n}`;
    return undefined;
  };
  if (!v.isExpression) {
    const n = Number(v.literal!.trim());
    const problem = check(n);
    if (problem) ctx.fail(el, problem);
    return () => n;
  }
  return (s) => {
    const n = v.number(s);
    const problem = check(n);
    if (problem) throw new Error(problem);
    return n;
  };
}

/**
 * Takes one call (or `cost`) from a sliding-window counter and applies APIM's outputs: on success the
 * remaining/total headers and variables; on refusal a 429 error with `Retry-After` and the variable.
 * With the memory store this completes synchronously (no promise on the hot path).
 */
export function applyRateLimit(
  state: RequestState,
  source: string,
  key: string,
  calls: number,
  periodSeconds: number,
  cost: number,
  out: RateLimitOutputs,
  mode: 'consume' | 'check-then-add-later',
  condition?: (s: RequestState) => boolean,
): void | Promise<void> {
  const store = state.services.store;
  const request: ConsumeRequest = { limit: calls, cost, window: { kind: 'sliding', periodMs: periodSeconds * 1000 }, now: state.services.clock() };
  if (mode === 'consume' && store instanceof MemoryStore) {
    return settle(state, source, key, calls, cost, out, mode, request, store.counter(key, request, 'consume'), condition);
  }
  return withStore(state, source, () =>
    mode === 'consume' ? store.consume(key, request) : store.peek(key, { ...request, cost: Math.max(cost, 1) }),
  ).then((result) => {
    // No result: the store is down and storeFailure is open.
    if (result) settle(state, source, key, calls, cost, out, mode, request, result, condition);
  });
}

function settle(
  state: RequestState,
  source: string,
  key: string,
  calls: number,
  cost: number,
  out: RateLimitOutputs,
  mode: 'consume' | 'check-then-add-later',
  request: ConsumeRequest,
  result: CounterState,
  condition: ((s: RequestState) => boolean) | undefined,
): void {
  const refused = mode === 'consume' ? !result.admitted : result.count + Math.max(cost, 1) > calls;
  if (refused) {
    if (out.retryAfterVariable) state.variables.set(out.retryAfterVariable, retryAfterSeconds(result.retryAfterMs));
    if (out.remainingVariable) state.variables.set(out.remainingVariable, 0);
    throw rateLimitExceeded(source, result.retryAfterMs, out.retryAfterHeader);
  }
  const remaining = mode === 'consume' ? result.remaining : Math.max(0, result.remaining - cost);
  if (out.remainingVariable) state.variables.set(out.remainingVariable, remaining);
  if (out.remainingHeader) setResponseHeader(state, out.remainingHeader, String(remaining));
  if (out.totalHeader) setResponseHeader(state, out.totalHeader, String(calls));
  if (mode === 'check-then-add-later') {
    // increment-condition reads the response: count once it is known (APIM finalises such counts at the end).
    const store = state.services.store;
    afterResponse(state, async (s) => {
      if (condition && !condition(s)) return;
      await withStore(s, source, () => store.add(key, { ...request, now: s.services.clock() }));
    });
  }
}

/**
 * `<rate-limit-by-key calls renewal-period counter-key increment-condition increment-count …/>`
 * (POLICY-ENGINE.md §5.4): a sliding window per `counter-key` value, shared by every scope that uses the
 * same key. With the memory store each `serve` process counts alone (APIM's self-hosted gateway without an
 * external cache); with `--store redis://…` every replica shares the counter.
 */
export const rateLimitByKey = {
  name: 'rate-limit-by-key',
  sections: ['inbound'],
  compile(el, ctx) {
    const calls = positiveInt(ctx, el, ctx.attr(el, 'calls', { required: true }), 'rate-limit-by-key@calls');
    const period = positiveInt(ctx, el, ctx.attr(el, 'renewal-period', { required: true }), 'rate-limit-by-key@renewal-period', { max: MAX_RATE_LIMIT_PERIOD_SECONDS });
    const counterKey = ctx.attr(el, 'counter-key', { required: true });
    const condition = ctx.attr(el, 'increment-condition');
    const countAttr = ctx.attr(el, 'increment-count');
    const count = countAttr ? positiveInt(ctx, el, countAttr, 'rate-limit-by-key@increment-count', { allowZero: true }) : () => 1;
    const out = rateLimitOutputs(el, ctx);
    const afterResponseAttr = ctx.literal(el, 'increment-after-response');
    // A condition that reads the response can only be decided once the response exists.
    const deferred =
      afterResponseAttr?.toLowerCase() === 'true' ||
      /context\s*\.\s*Response\b/.test(el.attributes.find((a) => a.name === 'increment-condition')?.value ?? '');
    return {
      name: 'rate-limit-by-key',
      run(state) {
        const key = `rlk:${counterKey.string(state)}`;
        if (deferred) return applyRateLimit(state, 'rate-limit-by-key', key, calls(state), period(state), count(state), out, 'check-then-add-later', condition ? (s) => condition.bool(s) : undefined);
        if (condition && !condition.bool(state)) return undefined;
        return applyRateLimit(state, 'rate-limit-by-key', key, calls(state), period(state), count(state), out, 'consume');
      },
    };
  },
} satisfies PolicyModule;
