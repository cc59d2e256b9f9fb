import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'validate-jwt-clock-skew',
  defaultSeverity: 'warn',
  description: 'validate-jwt without an explicit clock-skew: the default is 0 seconds, so tokens from an issuer whose clock runs slightly ahead are rejected intermittently.',
  help: 'Set clock-skew explicitly (e.g. clock-skew="60"), even to 0 if that is intended.',
  example: { bad: '<validate-jwt header-name="Authorization">…</validate-jwt>', good: '<validate-jwt header-name="Authorization" clock-skew="60">…</validate-jwt>' },
  create: (ctx) => ({
    batch() {
    for (const { unit, element: el } of ctx.model.elementsNamed('validate-jwt')) {
      if (!getAttribute(el, 'clock-skew')) {
        ctx.report(unit, el.pos, '<validate-jwt> has no clock-skew (default 0 s): tokens are rejected when the issuer clock is a little ahead; set clock-skew explicitly');
      }
    }
    },
  }),
});
