import { reasonPhrase } from '../responses.js';
import { PolicyError } from '../errors.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';
import { targetOf } from './target.js';

/** `<set-status code="…" reason="…"/>` (§5.2): the response status (or return-response's). */
export const setStatus = {
  name: 'set-status',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const code = ctx.attr(el, 'code', { required: true });
    const reason = ctx.attr(el, 'reason');
    if (!code.isExpression) {
      const n = Number(code.literal);
      if (!Number.isInteger(n) || n < 100 || n > 599) ctx.fail(el, `set-status@code must be an HTTP status code (100–599), not "${code.literal}"`);
    }
    return {
      name: 'set-status',
      run(state) {
        const t = targetOf(state);
        const response = t.kind === 'response' ? t.message : state.response;
        const n = code.number(state);
        if (!Number.isInteger(n) || n < 100 || n > 599) {
          throw new PolicyError({ source: 'set-status', reason: 'ExpressionValueEvaluationFailure', message: `${n} is not a valid HTTP status code`, statusCode: 500 });
        }
        response.statusCode = n;
        response.statusReason = reason ? reason.string(state) : reasonPhrase(n);
      },
    };
  },
} satisfies PolicyModule;
