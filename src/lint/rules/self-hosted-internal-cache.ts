import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';
import type { LintModel } from '../model.js';
import type { PolicyUnit } from '../types.js';

/** Self-hosted gateways that serve an API this unit's policies run for. */
export function selfHostedGatewaysOf(model: LintModel, unit: PolicyUnit): string[] {
  const out = new Set<string>();
  for (const api of model.apisOf(unit)) for (const g of model.gatewaysOfApi(api)) out.add(g.name);
  return [...out].sort();
}

export const rule = defineRule({
  id: 'self-hosted-internal-cache',
  defaultSeverity: 'warn',
  description:
    'cache-lookup on an API assigned to a self-hosted gateway without caching-type="external" (or with "internal"): the built-in cache is not available there, so the lookup is a no-op; "prefer-external" works only when the gateway has an external cache.',
  help: 'Configure an external (Redis) cache for the self-hosted gateway, set caching-type="external", and record it in apimops.yaml: lint.gateways.<name>.externalCache: true.',
  example: {
    bad: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" />',
    good: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external" />',
  },
  create: (ctx) => ({
    batch() {
    const gatewaysOf = new Map<PolicyUnit, string[]>();
    for (const { unit, element: el } of ctx.model.elementsNamed('cache-lookup')) {
      if (unit.kind === 'standalone') continue;
      let gateways = gatewaysOf.get(unit);
      if (!gateways) gatewaysOf.set(unit, (gateways = selfHostedGatewaysOf(ctx.model, unit)));
      if (gateways.length === 0) continue;
      const type = getAttribute(el, 'caching-type')?.value ?? 'prefer-external';
      if (type === 'external') continue;
      const without = gateways.filter((g) => type === 'internal' || !ctx.model.hasExternalCache(g));
      if (without.length === 0) continue;
      ctx.report(
        unit,
        el.pos,
        `cache-lookup with caching-type="${type}" is a no-op on self-hosted gateway ${without.join(', ')} (no internal cache there${type === 'internal' ? '' : ' and no external cache configured'}); set caching-type="external" and configure an external cache`,
      );
    }
    },
  }),
});
