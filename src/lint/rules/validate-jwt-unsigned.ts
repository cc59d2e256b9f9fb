import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'validate-jwt-unsigned',
  defaultSeverity: 'error',
  description: 'validate-jwt with require-signed-tokens="false": unsigned tokens (alg "none") are accepted, so anyone can forge claims.',
  help: 'Remove require-signed-tokens (the default is true) and configure signing keys or an openid-config.',
  example: { bad: '<validate-jwt header-name="Authorization" require-signed-tokens="false">…</validate-jwt>', good: '<validate-jwt header-name="Authorization">…</validate-jwt>' },
  create: (ctx) => ({
    batch() {
    for (const { unit, element: el } of ctx.model.elementsNamed('validate-jwt')) {
      const a = getAttribute(el, 'require-signed-tokens');
      if (a && !a.expression && a.value.trim().toLowerCase() === 'false') {
        ctx.report(unit, a.pos, '<validate-jwt> accepts unsigned tokens (require-signed-tokens="false"): anyone can forge claims; remove the attribute');
      }
    }
    },
  }),
});
