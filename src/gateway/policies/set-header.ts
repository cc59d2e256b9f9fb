import { ALL_SECTIONS, type PolicyModule, type ValueSource } from './types.js';
import { targetOf } from './target.js';

/** Headers a policy cannot change (§5.2 restrictions): attempts are ignored. */
const PROTECTED = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding']);

/**
 * `<set-header name="…" exists-action="override|skip|append|delete"><value>…</value>*</set-header>` (§5.2).
 * Targets the request in inbound/backend, the response in outbound/on-error, or the message being built by
 * return-response / send-request.
 */
export const setHeader = {
  name: 'set-header',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const name = ctx.attr(el, 'name', { required: true });
    const action = ctx.attr(el, 'exists-action');
    const values: ValueSource[] = [];
    for (const v of ctx.elements(el)) {
      if (v.name !== 'value') ctx.fail(v, `<set-header> holds <value> elements, not <${v.name}>`);
      values.push(ctx.text(v) ?? emptyValue(v.pos));
    }
    if (action && !action.isExpression && !['override', 'skip', 'append', 'delete'].includes(action.literal!)) {
      ctx.fail(el, `set-header@exists-action must be override, skip, append or delete, not "${action.literal}"`);
    }
    const staticName = name.isExpression ? undefined : name.literal!;
    return {
      name: 'set-header',
      run(state) {
        const headerName = staticName ?? name.string(state);
        if (PROTECTED.has(headerName.toLowerCase())) return;
        const mode = action ? action.string(state).toLowerCase() : 'override';
        const headers = targetOf(state).message.headers;
        switch (mode) {
          case 'delete':
            if (headerName.toLowerCase() !== 'server') headers.delete(headerName);
            return;
          case 'skip':
            if (headers.has(headerName)) return;
            headers.set(headerName, values.map((v) => v.string(state)));
            return;
          case 'append':
            for (const v of values) headers.append(headerName, v.string(state));
            return;
          default:
            headers.set(headerName, values.map((v) => v.string(state)));
        }
      },
    };
  },
} satisfies PolicyModule;

function emptyValue(pos: ValueSource['pos']): ValueSource {
  return { literal: '', isExpression: false, pos, value: () => '', string: () => '', bool: () => false, number: () => 0 };
}
