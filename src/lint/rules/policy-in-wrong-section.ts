import { defineRule, type UnitKind } from '../types.js';

const SCOPE_NAMES: Partial<Record<UnitKind, string>> = { global: 'global', workspace: 'workspace', product: 'product', api: 'API', operation: 'operation' };

export const rule = defineRule({
  id: 'policy-in-wrong-section',
  defaultSeverity: 'error',
  description:
    'A policy in a section (or at a scope) where APIM does not allow it, e.g. forward-request in inbound or cache-store in inbound; for a fragment, the section of every place that includes it.',
  help: 'Move the policy to a section it supports (forward-request → backend, cache-store → outbound, rate-limit/validate-jwt/cors → inbound).',
  example: { bad: '<inbound>\n  <cache-store duration="60" />\n</inbound>', good: '<outbound>\n  <cache-store duration="60" />\n</outbound>' },
  create: (ctx) => ({
    policy({ unit, element, section, spec }) {
      if (!spec) return;
      if (section) {
        if (!spec.sections.includes(section)) {
          ctx.report(unit, element.pos, `<${element.name}> is not allowed in <${section}> (allowed in: ${spec.sections.join(', ')})`);
        }
      } else if (unit.kind === 'fragment') {
        for (const inc of ctx.model.fragmentInclusions(unit.key)) {
          if (inc.section && !spec.sections.includes(inc.section as never)) {
            ctx.report(
              unit,
              element.pos,
              `<${element.name}> is not allowed in <${inc.section}>, where ${inc.unit.label} includes this fragment (${inc.unit.file}:${inc.line}) (allowed in: ${spec.sections.join(', ')})`,
            );
          }
        }
      }
      const scope = SCOPE_NAMES[unit.kind];
      if (spec.scopes && scope && !spec.scopes.includes(unit.kind as never)) {
        ctx.report(unit, element.pos, `<${element.name}> is not allowed in a ${scope} policy (allowed at: ${spec.scopes.join(', ')} scope)`);
      }
    },
  }),
});
