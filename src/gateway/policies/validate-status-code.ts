import { actionAttr, report, GENERIC_PUBLIC, type ValidationAction } from '../validation.js';
import type { PolicyModule } from './types.js';

/**
 * `<validate-status-code unspecified-status-code-action="…" errors-variable-name="…"><status-code code action/>*`
 * (§5.6): a response status the operation's specification does not list triggers the action (children
 * override it for codes not in the schema).
 */
export const validateStatusCode = {
  name: 'validate-status-code',
  sections: ['outbound', 'on-error'],
  compile(el, ctx) {
    const action = actionAttr(ctx, el, 'unspecified-status-code-action', true)!;
    const errorsVariable = ctx.literal(el, 'errors-variable-name');
    const overrides = new Map<number, ValidationAction>();
    for (const c of ctx.elements(el, 'status-code')) overrides.set(Number(ctx.literal(c, 'code', { required: true })), actionAttr(ctx, c, 'action', true)!);
    const responses = (ctx.config.operation?.definition?.responses ?? {}) as Record<string, unknown>;
    const codes = Object.keys(responses);
    const listed = (code: number): boolean =>
      codes.includes(String(code)) || codes.includes('default') || codes.some((c) => /^[1-5]xx$/i.test(c) && c[0] === String(code)[0]);
    return {
      name: 'validate-status-code',
      run(state) {
        const code = state.response.statusCode;
        if (listed(code)) return;
        const a = overrides.get(code) ?? action;
        report(state, 'validate-status-code', [{ Name: String(code), Type: 'StatusCode', ValidationRule: 'Unspecified', Details: `Response status code ${code} is not allowed.`, Action: a, publicMessage: GENERIC_PUBLIC }], errorsVariable);
      },
    };
  },
} satisfies PolicyModule;
