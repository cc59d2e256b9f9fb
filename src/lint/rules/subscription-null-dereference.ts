import { advancePos } from '../../policy/index.js';
import { defineRule, type PolicyUnit } from '../types.js';
import type { LintModel } from '../model.js';

/** `context.Subscription.X` (not `context.Subscription?.X`). */
const DEREF = /context\s*\.\s*Subscription\s*\.\s*([A-Za-z_]\w*)/g;

/** Why `context.Subscription` can be null for requests reaching this unit, or undefined when it cannot. */
export function openReason(model: LintModel, unit: PolicyUnit): string | undefined {
  if (unit.kind === 'product') {
    const p = model.input.state.product.get(`${unit.workspace ? `/workspaces/${unit.workspace}` : ''}/products/${unit.product}`);
    return p?.properties.subscriptionRequired === false ? `product ${unit.product} does not require a subscription` : undefined;
  }
  for (const api of model.apisOf(unit)) {
    if (!model.apiRequiresSubscription(api, unit.workspace)) return `API ${api} does not require a subscription`;
    const open = model.openProductsOf(api, unit.workspace);
    if (open.length > 0) return `API ${api} is in product ${open[0]}, which does not require a subscription`;
  }
  return undefined;
}

export const rule = defineRule({
  id: 'subscription-null-dereference',
  defaultSeverity: 'error',
  description:
    'context.Subscription.Id / .Key / .Name without ?. in a policy that runs for an API or product that does not require a subscription: anonymous calls make context.Subscription null and the expression fails with a 500.',
  help: 'Use context.Subscription?.Id (and ?? a default where a value is needed), e.g. counter-key="@(context.Subscription?.Id ?? context.Request.IpAddress)".',
  example: {
    bad: '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" />',
    good: '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription?.Id ?? context.Request.IpAddress)" />',
  },
  create(ctx) {
    // Every operation of an API has its API's answer: ask once per API (and workspace).
    const perApi = new Map<string, string | undefined>();
    const reasonOf = (unit: PolicyUnit): string | undefined => {
      if (unit.kind !== 'api' && unit.kind !== 'operation') return openReason(ctx.model, unit);
      const key = `${unit.workspace ?? ''}|${unit.api}`;
      if (!perApi.has(key)) perApi.set(key, openReason(ctx.model, unit));
      return perApi.get(key);
    };
    return {
      expression({ unit, expression }) {
        // Most expressions never mention the subscription: the text first, the unit's reason only then.
        if (unit.kind === 'standalone' || !expression.source.includes('Subscription')) return;
        const reason = reasonOf(unit);
        if (!reason) return;
        for (const m of expression.source.matchAll(DEREF)) {
          ctx.report(
            unit,
            advancePos(expression.pos, expression.source, m.index),
            `context.Subscription.${m[1]} dereferences a null subscription on anonymous calls (${reason}); use context.Subscription?.${m[1]}`,
          );
        }
      },
    };
  },
});
