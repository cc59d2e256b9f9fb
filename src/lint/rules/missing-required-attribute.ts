import { getAttribute } from '../../policy/index.js';
import { policySpec } from '../policy-catalog.js';
import { forEachPolicy } from '../walk-policies.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'missing-required-attribute',
  defaultSeverity: 'error',
  description: 'A policy without an attribute it requires (e.g. rate-limit-by-key without counter-key, set-backend-service without base-url or backend-id).',
  help: 'Add the attribute; the message names it.',
  example: { bad: '<set-variable name="user" />', good: '<set-variable name="user" value="@(context.User?.Id)" />' },
  check(ctx) {
    forEachPolicy(ctx.model, ({ unit, element }) => {
      const spec = policySpec(element.name);
      if (!spec || spec.open) return;
      for (const [name, a] of Object.entries(spec.attributes)) {
        if (a.required && !getAttribute(element, name)) ctx.report(unit, element.pos, `<${element.name}> requires the attribute "${name}"`);
      }
      for (const group of spec.oneOf ?? []) {
        if (!group.some((n) => getAttribute(element, n))) {
          ctx.report(unit, element.pos, `<${element.name}> requires one of the attributes ${group.map((n) => `"${n}"`).join(', ')}`);
        }
      }
    });
  },
});
