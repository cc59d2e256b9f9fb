import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'base-in-global',
  defaultSeverity: 'error',
  description: 'A <base /> where there is no broader scope: in the global policy (APIM rejects it in global on-error) or in a policy fragment (not allowed).',
  help: 'Remove the <base />. The global policy has no parent; a fragment is inlined where it is included, so the including section decides where <base /> goes.',
  example: { bad: '<fragment>\n  <base />\n  <set-header name="a"><value>1</value></set-header>\n</fragment>', good: '<fragment>\n  <set-header name="a"><value>1</value></set-header>\n</fragment>' },
  create: (ctx) => ({
    batch({ units }) {
    for (const unit of units) {
      if ((unit.kind !== 'global' && unit.kind !== 'fragment') || !unit.document) continue;
      for (const el of ctx.model.elements(unit)) {
        if (el.name !== 'base') continue;
        ctx.report(
          unit,
          el.pos,
          unit.kind === 'global'
            ? '<base /> in the global policy: it has no broader scope (APIM rejects it: "Element is not allowed in global context"); remove it'
            : `<base /> is not allowed in a policy fragment (${unit.label}); put it in the section that includes the fragment`,
        );
      }
    }
    },
  }),
});
