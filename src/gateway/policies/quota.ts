import type { RequestState } from '../state.js';
import { applyQuota, quotaLimitOf, type QuotaLimit } from './quota-by-key.js';
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
    const nested: { api: string; operation?: string; limit: QuotaLimit }[] = [];
    for (const api of ctx.elements(el, 'api')) {
      const apiName = ctx.literal(api, 'id') ?? ctx.literal(api, 'name') ?? ctx.fail(api, '<api> in quota needs a name or an id');
      if (api.attributes.some((a) => a.name === 'calls' || a.name === 'bandwidth')) nested.push({ api: apiName, limit: quotaLimitOf(api, ctx, 'api') });
      for (const op of ctx.elements(api, 'operation')) {
        const opName = ctx.literal(op, 'id') ?? ctx.literal(op, 'name') ?? ctx.fail(op, '<operation> in quota needs a name or an id');
        nested.push({ api: apiName, operation: opName, limit: quotaLimitOf(op, ctx, 'operation') });
      }
    }
    const matches = (state: RequestState, n: { api: string; operation?: string }): boolean => {
      const api = state.route.api;
      if (n.api !== api.name && n.api !== api.id && n.api !== api.displayName) return false;
      if (n.operation === undefined) return true;
      const op = state.route.operation;
      return !!op && (n.operation === op.name || n.operation === op.id || n.operation === op.displayName);
    };
    return {
      name: 'quota',
      async run(state) {
        const sub = state.route.subscription;
        if (!sub) return;
        const base = `q:${sub.id}`;
        for (const n of nested) {
          if (matches(state, n)) await applyQuota(state, 'quota', `${base}:api:${n.api}${n.operation ? `:op:${n.operation}` : ''}`, n.limit, 1, true);
        }
        await applyQuota(state, 'quota', base, own, 1, true);
      },
    };
  },
} satisfies PolicyModule;
