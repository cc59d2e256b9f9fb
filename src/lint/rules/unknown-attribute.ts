import { defineRule } from '../types.js';
import { closest } from './unknown-policy.js';

/** Accepted on every policy (its value becomes `context.LastError.PolicyId`). */
const COMMON = ['id'];

export const rule = defineRule({
  id: 'unknown-attribute',
  defaultSeverity: 'error',
  description: 'An attribute the policy does not have (often a typo, so the setting you meant is not applied): APIM rejects the policy.',
  help: 'Correct the attribute name or remove it.',
  example: { bad: '<rate-limit-by-key calls="10" renewal-perid="60" counter-key="@(context.Request.IpAddress)" />', good: '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />' },
  create: (ctx) => ({
    policy({ unit, element, spec }) {
      if (!spec || spec.open) return;
      const { attributes } = element;
      for (let i = 0; i < attributes.length; i++) {
        const a = attributes[i]!;
        if (Object.hasOwn(spec.attributes, a.name) || COMMON.includes(a.name) || a.name.startsWith('xmlns')) continue;
        const guess = closest(a.name, Object.keys(spec.attributes));
        ctx.report(unit, a.pos, `<${element.name}> has no attribute "${a.name}"${guess ? `; did you mean "${guess}"?` : ''}`);
      }
    },
  }),
});
