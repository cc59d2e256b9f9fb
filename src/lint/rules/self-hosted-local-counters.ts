import { defineRule, type PolicyUnit } from '../types.js';
import { selfHostedGatewaysOf } from './self-hosted-internal-cache.js';

const COUNTERS = new Set(['rate-limit-by-key', 'quota-by-key']);

export const rule = defineRule({
  id: 'self-hosted-local-counters',
  defaultSeverity: 'warn',
  description:
    'rate-limit-by-key / quota-by-key on an API assigned to a self-hosted gateway whose deployment has no external cache: counters are kept per replica, so N replicas admit N× the limit.',
  help: 'Configure an external (Redis) cache for the gateway deployment and record it in apimops.yaml (lint.gateways.<name>.externalCache: true), or divide the limit by the replica count.',
  example: {
    bad: '<!-- API assigned to gateways/onprem (no external cache) -->\n<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
    good: '# apimops.yaml\nlint:\n  gateways:\n    onprem:\n      externalCache: true',
  },
  create: (ctx) => ({
    batch() {
    const localOf = new Map<PolicyUnit, string[]>();
    for (const name of COUNTERS) {
      for (const { unit, element: el } of ctx.model.elementsNamed(name)) {
        if (unit.kind === 'standalone') continue;
        let local = localOf.get(unit);
        if (!local) localOf.set(unit, (local = selfHostedGatewaysOf(ctx.model, unit).filter((g) => !ctx.model.hasExternalCache(g))));
        if (local.length === 0) continue;
        ctx.report(
          unit,
          el.pos,
          `<${el.name}> counters are per replica on self-hosted gateway ${local.join(', ')} (no external cache configured): N replicas admit N× the limit`,
        );
      }
    }
    },
  }),
});
