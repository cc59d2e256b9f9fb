import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'invalid-attribute-value',
  defaultSeverity: 'error',
  description: 'A literal attribute value of the wrong type (a boolean, an integer, one of a fixed list) or a policy expression where APIM allows none.',
  help: 'Use a value the attribute accepts (the message lists them); attributes that do not accept expressions need a literal or a {{named value}}.',
  example: { bad: '<set-header name="a" exists-action="replace"><value>1</value></set-header>', good: '<set-header name="a" exists-action="override"><value>1</value></set-header>' },
  create: (ctx) => ({
    policy({ unit, element, spec }) {
      if (!spec || spec.open) return;
      const { attributes } = element;
      for (let i = 0; i < attributes.length; i++) {
        const a = attributes[i]!;
        const s = spec.attributes[a.name];
        if (!s || !Object.hasOwn(spec.attributes, a.name)) continue;
        if (a.expression) {
          if (s.noExpression) ctx.report(unit, a.valuePos, `"${a.name}" of <${element.name}> does not accept a policy expression; use a literal value`);
          continue;
        }
        if (a.value.includes('{{')) continue; // a named value: known only at publish time
        const v = a.value.trim();
        const t = s.type ?? 'string';
        if (t === 'bool' && !/^(true|false)$/i.test(v)) {
          ctx.report(unit, a.valuePos, `"${a.name}" of <${element.name}> must be true or false, not "${a.value}"`);
        } else if (t === 'int' && !/^-?\d+$/.test(v)) {
          ctx.report(unit, a.valuePos, `"${a.name}" of <${element.name}> must be an integer, not "${a.value}"`);
        } else if (typeof t === 'object' && !t.enum.includes(v)) {
          ctx.report(unit, a.valuePos, `"${a.name}" of <${element.name}> must be one of ${t.enum.join(', ')}, not "${a.value}"`);
        }
      }
    },
  }),
});
