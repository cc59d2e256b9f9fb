import { SECTION_NAMES, type PolicyElement } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'duplicate-base',
  defaultSeverity: 'error',
  description: 'More than one <base /> in a section: the broader scopes\' policies would run twice (APIM rejects the policy).',
  help: 'Keep a single <base /> in each section.',
  example: {
    bad: '<inbound>\n  <base />\n  <set-variable name="a" value="1" />\n  <base />\n</inbound>',
    good: '<inbound>\n  <base />\n  <set-variable name="a" value="1" />\n</inbound>',
  },
  create: (ctx) => ({
    batch({ units }) {
    for (const unit of units) {
      const doc = unit.document;
      if (!doc) continue;
      for (const section of SECTION_NAMES) {
        const sec = doc.sections[section];
        if (!sec) continue;
        let first: PolicyElement | undefined;
        const children = sec.children;
        for (let i = 0; i < children.length; i++) {
          const e = children[i]!;
          if (e.type !== 'element' || e.name !== 'base') continue;
          if (!first) first = e;
          else ctx.report(unit, e.pos, `<${section}> has more than one <base /> (the first is at line ${first.pos.line}); remove this one`);
        }
      }
    }
    },
  }),
});
