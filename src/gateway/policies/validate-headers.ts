import { actionAttr, ajvMessage, coerceParam, report, schemaValidator, GENERIC_PUBLIC, type ValidationAction, type ValidationIssue } from '../validation.js';
import { resolveRef } from '../spec.js';
import type { PolicyModule } from './types.js';

/** Response headers every HTTP stack adds; never "unspecified". */
const STANDARD = new Set(['content-type', 'content-length', 'date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'vary', 'etag', 'cache-control', 'expires', 'last-modified', 'x-powered-by']);

/**
 * `<validate-headers specified-header-action unspecified-header-action errors-variable-name><header name action/>*`
 * (§5.6): response headers against the headers the operation's specification declares for the status code.
 */
export const validateHeaders = {
  name: 'validate-headers',
  sections: ['outbound', 'on-error'],
  compile(el, ctx) {
    const specified = actionAttr(ctx, el, 'specified-header-action', true)!;
    const unspecified = actionAttr(ctx, el, 'unspecified-header-action', true)!;
    const errorsVariable = ctx.literal(el, 'errors-variable-name');
    const perHeader = new Map<string, ValidationAction>();
    for (const h of ctx.elements(el, 'header')) perHeader.set(ctx.literal(h, 'name', { required: true }).toLowerCase(), actionAttr(ctx, h, 'action', true)!);
    const doc = ctx.config.api?.specification ?? {};
    const responses = (ctx.config.operation?.definition?.responses ?? {}) as Record<string, unknown>;
    const declared = new Map<string, Map<string, { validate?: ReturnType<typeof schemaValidator>; schema?: Record<string, unknown> }>>();
    for (const [code, r] of Object.entries(responses)) {
      const resp = resolveRef(doc, r) as Record<string, unknown> | undefined;
      const m = new Map<string, { validate?: ReturnType<typeof schemaValidator>; schema?: Record<string, unknown> }>();
      for (const [name, h] of Object.entries((resp?.headers ?? {}) as Record<string, unknown>)) {
        const hdr = resolveRef(doc, h) as Record<string, unknown> | undefined;
        const schema = (hdr?.schema ?? hdr) as Record<string, unknown> | undefined;
        m.set(name.toLowerCase(), { validate: schemaValidator(doc, schema), schema });
      }
      declared.set(code, m);
    }
    return {
      name: 'validate-headers',
      run(state) {
        const code = String(state.response.statusCode);
        const m = declared.get(code) ?? declared.get('default') ?? new Map();
        const issues: ValidationIssue[] = [];
        for (const [name, values] of state.response.headers.entries()) {
          const lower = name.toLowerCase();
          const d = m.get(lower);
          const action = perHeader.get(lower);
          if (!d) {
            if (STANDARD.has(lower)) continue;
            issues.push({ Name: name, Type: 'ResponseHeader', ValidationRule: 'Unspecified', Details: `Unspecified header ${name} is not allowed.`, Action: action ?? unspecified, publicMessage: GENERIC_PUBLIC });
          } else if (d.validate && !d.validate(coerceParam(values.join(','), d.schema))) {
            issues.push({ Name: name, Type: 'ResponseHeader', ValidationRule: 'IncorrectMessage', Details: `Value of the header ${name} does not conform to the definition.\n\n${ajvMessage(d.validate)}`, Action: action ?? specified, publicMessage: GENERIC_PUBLIC });
          }
        }
        report(state, 'validate-headers', issues, errorsVariable);
      },
    };
  },
} satisfies PolicyModule;
