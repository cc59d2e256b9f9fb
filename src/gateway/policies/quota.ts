import { matchesScopedLimit, nestedLimits } from '../limits.js';
import { applyQuota, quotaLimitOf } from './quota-by-key.js';
import type { PolicyModule } from './types.js';

/**
 * `<quota calls bandwidth renewal-period><api …><operation …/></api></quota>` (POLICY-ENGINE.md §5.4):
 * per subscription (so only with a subscription key), product scope only. Each matching `api`/`operation`
 * child is a separate quota. APIM aligns windows to the subscription's start; the artifact folder has no
 * such date, so windows align to `first-period-start`'s default (year 1), as quota-by-key's do.
 */
export const quota = {
  name: 'quota',
  sections: ['inbound'],
  compile(el, ctx) {
    const own = quotaLimitOf(el, ctx, 'quota');
    const nested = nestedLimits(el, ctx, 'quota', ['calls', 'bandwidth'], (e, scope) => quotaLimitOf(e, ctx, scope));
    return {
      name: 'quota',
      async run(state) {
        const sub = state.route.subscription;
        if (!sub) return;
        const base = `q:${sub.id}`;
        for (const n of nested) {
          if (matchesScopedLimit(state, n)) await applyQuota(state, 'quota', `${base}:api:${n.api}${n.operation ? `:op:${n.operation}` : ''}`, n.limit, 1, true);
        }
        await applyQuota(state, 'quota', base, own, 1, true);
      },
    };
  },
} satisfies PolicyModule;
