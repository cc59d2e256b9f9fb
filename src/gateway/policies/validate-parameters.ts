import { actionAttr, ajvMessage, coerceParam, report, schemaValidator, type ValidationAction, type ValidationIssue } from '../validation.js';
import { resolveRef } from '../spec.js';
import type { PolicyModule } from './types.js';

type Location = 'header' | 'query' | 'path';
const LABEL: Record<Location, string> = { header: 'header', query: 'query parameter', path: 'path parameter' };
const STANDARD_REQUEST_HEADERS = new Set(['host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'connection', 'content-length', 'content-type', 'authorization', 'cache-control', 'origin', 'referer', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'ocp-apim-subscription-key', 'ocp-apim-trace', 'traceparent', 'tracestate', 'cookie', 'pragma', 'te', 'expect']);

/**
 * `<validate-parameters specified-parameter-action unspecified-parameter-action errors-variable-name>` with
 * `<headers>`, `<query>`, `<path>` overrides (§5.6): request parameters against the operation's declared
 * parameters and their schemas.
 */
export const validateParameters = {
  name: 'validate-parameters',
  sections: ['inbound'],
  compile(el, ctx) {
    const rootSpecified = actionAttr(ctx, el, 'specified-parameter-action', true)!;
    const rootUnspecified = actionAttr(ctx, el, 'unspecified-parameter-action', true)!;
    const errorsVariable = ctx.literal(el, 'errors-variable-name');
    const cfg: Record<Location, { specified: ValidationAction; unspecified: ValidationAction; per: Map<string, ValidationAction> }> = {
      header: { specified: rootSpecified, unspecified: rootUnspecified, per: new Map() },
      query: { specified: rootSpecified, unspecified: rootUnspecified, per: new Map() },
      path: { specified: rootSpecified, unspecified: rootUnspecified, per: new Map() },
    };
    for (const c of ctx.elements(el)) {
      const loc: Location | undefined = c.name === 'headers' ? 'header' : c.name === 'query' ? 'query' : c.name === 'path' ? 'path' : undefined;
      if (!loc) ctx.fail(c, `<validate-parameters> holds <headers>, <query> and <path>, not <${c.name}>`);
      const k = cfg[loc!];
      k.specified = actionAttr(ctx, c, 'specified-parameter-action', false, k.specified)!;
      if (loc !== 'path') k.unspecified = actionAttr(ctx, c, 'unspecified-parameter-action', false, k.unspecified)!;
      for (const p of ctx.elements(c, 'parameter')) k.per.set(ctx.literal(p, 'name', { required: true }).toLowerCase(), actionAttr(ctx, p, 'action', true)!);
    }
    const doc = ctx.config.api?.specification ?? {};
    const params = ((ctx.config.operation?.definition?.parameters ?? []) as unknown[]).map((p) => resolveRef(doc, p) as Record<string, unknown>).filter(Boolean);
    const declared = new Map<string, { loc: Location; name: string; required: boolean; schema?: Record<string, unknown>; validate?: ReturnType<typeof schemaValidator> }>();
    for (const p of params) {
      const loc = p.in as Location;
      if (!['header', 'query', 'path'].includes(loc)) continue;
      const schema = (p.schema ?? (p.type ? { type: p.type, enum: p.enum, format: p.format } : undefined)) as Record<string, unknown> | undefined;
      declared.set(`${loc}:${String(p.name).toLowerCase()}`, { loc, name: String(p.name), required: p.required === true, schema, validate: schemaValidator(doc, schema) });
    }
    return {
      name: 'validate-parameters',
      run(state) {
        const issues: ValidationIssue[] = [];
        const check = (loc: Location, name: string, values: string[]) => {
          const d = declared.get(`${loc}:${name.toLowerCase()}`);
          const k = cfg[loc];
          const action = k.per.get(name.toLowerCase());
          if (!d) {
            if (loc === 'header' && STANDARD_REQUEST_HEADERS.has(name.toLowerCase())) return;
            const details = `Unspecified ${LABEL[loc]} ${name} is not allowed.`;
            issues.push({ Name: name, Type: loc, ValidationRule: 'Unspecified', Details: details, Action: action ?? k.unspecified, publicMessage: details });
            return;
          }
          if (values.length > 1 && loc === 'query') {
            const details = `Request cannot contain multiple values for the ${LABEL[loc]} ${name}.`;
            issues.push({ Name: name, Type: loc, ValidationRule: 'IncorrectMessage', Details: details, Action: action ?? k.specified, publicMessage: details });
            return;
          }
          if (d.validate && !d.validate(coerceParam(values.join(','), d.schema))) {
            const details = `Value of the ${LABEL[loc]} ${name} does not conform to the definition.\n\n${ajvMessage(d.validate)}`;
            issues.push({ Name: name, Type: loc, ValidationRule: 'IncorrectMessage', Details: details, Action: action ?? k.specified, publicMessage: details });
          }
        };
        for (const [name, values] of state.request.headers.entries()) check('header', name, values);
        const q = new Map<string, string[]>();
        for (const [k, v] of state.request.originalUrl.searchParams) q.set(k, [...(q.get(k) ?? []), v]);
        for (const [name, values] of q) check('query', name, values);
        for (const [name, value] of state.request.matchedParameters) if (declared.has(`path:${name.toLowerCase()}`)) check('path', name, [value]);
        for (const d of declared.values()) {
          if (!d.required || d.loc === 'path') continue;
          const present = d.loc === 'header' ? state.request.headers.has(d.name) : q.has(d.name);
          if (!present) {
            const details = `Required ${LABEL[d.loc]} ${d.name} is missing.`;
            issues.push({ Name: d.name, Type: d.loc, ValidationRule: 'IncorrectMessage', Details: details, Action: cfg[d.loc].per.get(d.name.toLowerCase()) ?? cfg[d.loc].specified, publicMessage: details });
          }
        }
        report(state, 'validate-parameters', issues, errorsVariable);
      },
    };
  },
} satisfies PolicyModule;
