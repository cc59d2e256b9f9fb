import { matchesScopedLimit, nestedLimits } from '../limits.js';
import { applyRateLimit, MAX_RATE_LIMIT_PERIOD_SECONDS, positiveInt, rateLimitOutputs } from './rate-limit-by-key.js';
import type { CompileContext, PolicyElement, PolicyModule } from './types.js';

interface Limit {
  calls: number;
  period: number;
}

function limitOf(el: PolicyElement, ctx: CompileContext, what: string): Limit {
  const calls = ctx.literal(el, 'calls', { required: true });
  const period = ctx.literal(el, 'renewal-period', { required: true });
  const c = Number(calls);
  const p = Number(period);
  if (!Number.isInteger(c) || c < 1) ctx.fail(el, `${what}@calls must be a positive whole number, not "${calls}"`);
  if (!Number.isInteger(p) || p < 1 || p > MAX_RATE_LIMIT_PERIOD_SECONDS) {
    ctx.fail(el, `${what}@renewal-period must be a whole number of seconds from 1 to ${MAX_RATE_LIMIT_PERIOD_SECONDS}, not "${period}"`);
  }
  return { calls: c, period: p };
}

/**
 * `<rate-limit calls renewal-period …><api name|id calls renewal-period><operation …/></api></rate-limit>`
 * (POLICY-ENGINE.md §5.4): per subscription, so only when the request used a subscription key. The
 * policy's own limit and each matching `api`/`operation` limit are counted independently. Attributes are
 * literals (APIM allows no expressions here).
 */
export const rateLimit = {
  name: 'rate-limit',
  sections: ['inbound'],
  compile(el, ctx) {
    const own = limitOf(el, ctx, 'rate-limit');
    const out = rateLimitOutputs(el, ctx);
    const nested = nestedLimits(el, ctx, 'rate-limit', ['calls'], (e, scope) => limitOf(e, ctx, scope));
    return {
      name: 'rate-limit',
      async run(state) {
        const sub = state.route.subscription;
        if (!sub) return; // APIM applies rate-limit to subscription calls only.
        const base = `rl:${sub.id}`;
        for (const n of nested) {
          if (!matchesScopedLimit(state, n)) continue;
          const key = `${base}:api:${n.api}${n.operation ? `:op:${n.operation}` : ''}`;
          await applyRateLimit(state, 'rate-limit', key, n.limit.calls, n.limit.period, 1, out, 'consume');
        }
        await applyRateLimit(state, 'rate-limit', base, own.calls, own.period, 1, out, 'consume');
      },
    };
  },
} satisfies PolicyModule;
