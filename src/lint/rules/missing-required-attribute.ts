import { getAttribute } from '../../policy/index.js';
import type { PolicySpec } from '../policy-catalog.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'missing-required-attribute',
  defaultSeverity: 'error',
  description: 'A policy without an attribute it requires (e.g. rate-limit-by-key without counter-key, set-backend-service without base-url or backend-id).',
  help: 'Add the attribute; the message names it.',
  example: { bad: '<set-variable name="user" />', good: '<set-variable name="user" value="@(context.User?.Id)" />' },
  create: (ctx) => ({
    policy({ unit, element, spec }) {
      if (!spec || spec.open) return;
      // Indexed loops: asked of every policy of a folder.
      const required = requiredOf(spec);
      for (let i = 0; i < required.length; i++) {
        if (!getAttribute(element, required[i]!)) ctx.report(unit, element.pos, `<${element.name}> requires the attribute "${required[i]}"`);
      }
      const groups = spec.oneOf ?? NO_GROUPS;
      for (let i = 0; i < groups.length; i++) {
        const group = groups[i]!;
        if (!group.some((n) => getAttribute(element, n))) {
          ctx.report(unit, element.pos, `<${element.name}> requires one of the attributes ${group.map((n) => `"${n}"`).join(', ')}`);
        }
      }
    },
  }),
});

const NO_GROUPS: readonly (readonly string[])[] = [];

const required = new WeakMap<PolicySpec, string[]>();

/** The required attribute names of a spec, in catalog order (listed once per spec, not once per element). */
function requiredOf(spec: PolicySpec): string[] {
  let names = required.get(spec);
  if (!names) required.set(spec, (names = Object.entries(spec.attributes).flatMap(([name, a]) => (a.required ? [name] : []))));
  return names;
}
