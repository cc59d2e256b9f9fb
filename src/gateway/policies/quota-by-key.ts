import { afterResponse, firstQuotaIncrement, messageBytes, quotaExceeded, withStore } from '../limits.js';
import type { RequestState } from '../state.js';
import type { CounterWindow } from '../stores/store.js';
import { positiveInt } from './rate-limit-by-key.js';
import type { CompileContext, PolicyElement, PolicyModule } from './types.js';

/** APIM's default `first-period-start`: the start of year 1. */
export const DEFAULT_FIRST_PERIOD_START_MS = new Date('0001-01-01T00:00:00Z').getTime();

/** A quota: calls and/or kilobytes per fixed window. */
export interface QuotaLimit {
  calls: number | undefined;
  bandwidthKb: number | undefined;
  window: Extract<CounterWindow, { kind: 'fixed' }>;
}

/** Reads `calls`, `bandwidth`, `renewal-period` (and `first-period-start`) as literals (§5.4: no expressions). */
export function quotaLimitOf(el: PolicyElement, ctx: CompileContext, what: string): QuotaLimit {
  const num = (name: string, allowZero: boolean): number | undefined => {
    const raw = ctx.literal(el, name);
    if (raw === undefined) return undefined;
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) ctx.fail(el, `${what}@${name} must be a ${allowZero ? 'non-negative' : 'positive'} whole number, not "${raw}"`);
    return n;
  };
  const calls = num('calls', false);
  const bandwidthKb = num('bandwidth', false);
  if (calls === undefined && bandwidthKb === undefined) ctx.fail(el, `${what} needs calls, bandwidth, or both`);
  const period = num('renewal-period', true);
  if (period === undefined) ctx.fail(el, `${what}@renewal-period is required (seconds; 0 = never renews)`);
  const start = ctx.literal(el, 'first-period-start');
  let anchorMs = DEFAULT_FIRST_PERIOD_START_MS;
  if (start !== undefined) {
    anchorMs = Date.parse(start);
    if (!Number.isFinite(anchorMs)) ctx.fail(el, `${what}@first-period-start must be a date like 2026-01-01T00:00:00Z, not "${start}"`);
  }
  return { calls, bandwidthKb, window: { kind: 'fixed', periodMs: period * 1000, anchorMs } };
}

/**
 * Counts one call (or `cost`) against a quota and, when it has a bandwidth limit, the request and response
 * bytes once the response is final. Refusals are APIM's 403 with `Retry-After`.
 */
export async function applyQuota(
  state: RequestState,
  source: string,
  key: string,
  limit: QuotaLimit,
  cost: number,
  countNow: boolean,
  laterCondition?: (s: RequestState) => boolean,
): Promise<void> {
  const store = state.services.store;
  const now = state.services.clock();
  const once = firstQuotaIncrement(state, key);
  // A second policy on a key this request already counted has nothing left to decide.
  if (limit.calls !== undefined && once) {
    const req = { limit: limit.calls, cost, window: limit.window, now };
    const callsKey = `${key}:calls`;
    const r = await withStore(state, source, () => (countNow ? store.consume(callsKey, req) : store.peek(callsKey, { ...req, cost: Math.max(cost, 1) })));
    if (r && (countNow ? !r.admitted : r.count + Math.max(cost, 1) > limit.calls)) throw quotaExceeded(source, 'calls', r.retryAfterMs);
    if (!countNow) {
      afterResponse(state, async (s) => {
        if (laterCondition && !laterCondition(s)) return;
        await withStore(s, source, () => store.add(callsKey, { ...req, now: s.services.clock() }));
      });
    }
  }
  if (limit.bandwidthKb !== undefined) {
    const bytesLimit = limit.bandwidthKb * 1024;
    const bwKey = `${key}:bytes`;
    const req = { limit: bytesLimit, window: limit.window, now };
    const r = await withStore(state, source, () => store.peek(bwKey, { ...req, cost: 1 }));
    if (r && r.count >= bytesLimit) throw quotaExceeded(source, 'bandwidth', r.resetMs);
    if (once) {
      afterResponse(state, async (s) => {
        if (laterCondition && !laterCondition(s)) return;
        const bytes =
          messageBytes(s.request.body, s.request.headers.get('content-length')) + messageBytes(s.response.body, s.response.headers.get('content-length'));
        if (bytes > 0) await withStore(s, source, () => store.add(bwKey, { ...req, cost: bytes, now: s.services.clock() }));
      });
    }
  }
}

/**
 * `<quota-by-key calls bandwidth renewal-period counter-key increment-condition first-period-start/>`
 * (POLICY-ENGINE.md §5.4): fixed windows of `renewal-period` seconds aligned to `first-period-start`
 * (`0` = one window forever), one counter per key value shared by every scope, incremented at most once
 * per request.
 */
export const quotaByKey = {
  name: 'quota-by-key',
  sections: ['inbound'],
  compile(el, ctx) {
    const limit = quotaLimitOf(el, ctx, 'quota-by-key');
    const counterKey = ctx.attr(el, 'counter-key', { required: true });
    const condition = ctx.attr(el, 'increment-condition');
    const countAttr = ctx.attr(el, 'increment-count');
    const count = countAttr ? positiveInt(ctx, el, countAttr, 'quota-by-key@increment-count', { allowZero: true }) : () => 1;
    const deferred = /context\s*\.\s*Response\b/.test(el.attributes.find((a) => a.name === 'increment-condition')?.value ?? '');
    return {
      name: 'quota-by-key',
      run(state) {
        const key = `qk:${counterKey.string(state)}`;
        if (deferred) return applyQuota(state, 'quota-by-key', key, limit, count(state), false, (s) => condition!.bool(s));
        if (condition && !condition.bool(state)) return undefined;
        return applyQuota(state, 'quota-by-key', key, limit, count(state), true);
      },
    };
  },
} satisfies PolicyModule;
