import { PolicyError } from '../errors.js';
import type { PolicyModule } from './types.js';

/**
 * `<check-header name="…" failed-check-httpcode="401" failed-check-error-message="…" ignore-case="true">
 * <value>…</value>*</check-header>` (§5.4): the header must be present (and one of the values, if listed).
 */
export const checkHeader = {
  name: 'check-header',
  sections: ['inbound'],
  compile(el, ctx) {
    const name = ctx.attr(el, 'name', { required: true });
    const code = ctx.attr(el, 'failed-check-httpcode', { required: true });
    const message = ctx.attr(el, 'failed-check-error-message', { required: true });
    const ignoreCase = ctx.attr(el, 'ignore-case', { required: true });
    const values = ctx.elements(el, 'value').map((v) => ctx.text(v));
    return {
      name: 'check-header',
      run(state) {
        const n = name.string(state);
        const actual = state.request.headers.getAll(n);
        const fail = (reason: string, lastMessage: string): never => {
          throw new PolicyError({ source: 'check-header', reason, message: lastMessage, statusCode: code.number(state), responseMessage: message.string(state) });
        };
        if (actual.length === 0) fail('HeaderNotFound', `Header ${n} was not found in the request. Access denied.`);
        if (values.length === 0) return;
        const ic = ignoreCase.bool(state);
        const allowed = values.map((v) => (v ? v.string(state) : '')).map((v) => (ic ? v.toLowerCase() : v));
        const parts = actual.flatMap((a) => a.split(',')).map((a) => a.trim());
        if (!parts.some((p) => allowed.includes(ic ? p.toLowerCase() : p))) {
          fail('HeaderValueNotAllowed', `Header ${n} value of ${actual.join(',')} is not allowed. Access denied.`);
        }
      },
    };
  },
} satisfies PolicyModule;
