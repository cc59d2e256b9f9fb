import { actionAttr, ajvMessage, report, schemaValidator, GENERIC_PUBLIC, type ValidationAction, type ValidationIssue } from '../validation.js';
import { resolveRef } from '../spec.js';
import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/**
 * `<validate-content unspecified-content-type-action max-size size-exceeded-action errors-variable-name>`
 * with `<content type validate-as="json" action allow-additional-properties/>*` (§5.6): the body's size,
 * content type and (JSON) schema from the operation's specification (request body in inbound, the
 * response body for its status code in outbound / on-error). XML/SOAP schemas are not validated locally.
 */
export const validateContent = {
  name: 'validate-content',
  sections: ['inbound', 'outbound', 'on-error'],
  compile(el, ctx) {
    const unspecifiedAction = actionAttr(ctx, el, 'unspecified-content-type-action', true)!;
    const maxSizeText = ctx.literal(el, 'max-size', { required: true });
    const maxSize = Number(maxSizeText);
    if (!Number.isInteger(maxSize) || maxSize < 0 || maxSize > 4 * 1024 * 1024) ctx.fail(el, `validate-content@max-size must be a number of bytes, not "${maxSizeText}"`);
    const sizeAction = actionAttr(ctx, el, 'size-exceeded-action', true)!;
    const errorsVariable = ctx.literal(el, 'errors-variable-name');
    const contents: { type: string; action: ValidationAction; validateAs: string; additional: boolean | undefined }[] = [];
    for (const c of ctx.elements(el, 'content')) {
      const validateAs = (ctx.literal(c, 'validate-as') ?? 'json').toLowerCase();
      if (!['json', 'xml', 'soap'].includes(validateAs)) ctx.fail(c, `content@validate-as must be json, xml or soap, not "${validateAs}"`);
      if (ctx.literal(c, 'schema-id')) ctx.fail(c, 'content@schema-id (schema resources) is not supported by apimops serve; use the API specification');
      const add = ctx.literal(c, 'allow-additional-properties');
      contents.push({ type: (ctx.literal(c, 'type') ?? '*').toLowerCase(), action: actionAttr(ctx, c, 'action', true)!, validateAs, additional: add === undefined ? undefined : add.toLowerCase() === 'true' });
    }
    const doc = ctx.config.api?.specification ?? {};
    const def = ctx.config.operation?.definition ?? {};
    const inbound = ctx.section === 'inbound';
    // media type → schema, per status code for responses.
    const mediaOf = (node: unknown): Record<string, unknown> => {
      const n = resolveRef(doc, node) as Record<string, unknown> | undefined;
      const content = (n?.content ?? {}) as Record<string, Record<string, unknown>>;
      const out: Record<string, unknown> = {};
      for (const [mt, m] of Object.entries(content)) out[mt.toLowerCase()] = m.schema;
      // OpenAPI 2: a body parameter / response schema.
      if (!n?.content && n?.schema) out['application/json'] = n.schema;
      return out;
    };
    let requestMedia: Record<string, unknown> = mediaOf(def.requestBody);
    if (Object.keys(requestMedia).length === 0 && Array.isArray(def.parameters)) {
      const body = (def.parameters as Record<string, unknown>[]).map((p) => resolveRef(doc, p) as Record<string, unknown>).find((p) => p?.in === 'body');
      if (body?.schema) requestMedia = { 'application/json': body.schema };
    }
    const responseMedia = new Map<string, Record<string, unknown>>();
    for (const [code, r] of Object.entries((def.responses ?? {}) as Record<string, unknown>)) responseMedia.set(code, mediaOf(r));
    const validators = new Map<string, ReturnType<typeof schemaValidator>>();
    const validatorFor = (key: string, schema: unknown, additional: boolean | undefined) => {
      const k = `${key}|${additional}`;
      if (!validators.has(k)) {
        const s = additional === false && schema && typeof schema === 'object' ? { ...(resolveRef(doc, schema) as object), additionalProperties: false } : schema;
        validators.set(k, schemaValidator(doc, s));
      }
      return validators.get(k);
    };
    return {
      name: 'validate-content',
      async run(state) {
        const t = targetOf(state);
        const msg = t.message;
        const issues: ValidationIssue[] = [];
        const side = inbound ? 'request' : 'response';
        const bytes = msg.body.present ? await msg.body.read() : Buffer.alloc(0);
        if (bytes.length > maxSize) {
          const details = `${inbound ? "Request's" : "Response's"} body is ${bytes.length} bytes long and it exceeds the configured limit of ${maxSize} bytes.`;
          issues.push({ Name: 'body', Type: inbound ? 'RequestBody' : 'ResponseBody', ValidationRule: 'SizeLimit', Details: details, Action: sizeAction, publicMessage: inbound ? `Request's body is ${bytes.length} bytes long and it exceeds the limit of ${maxSize} bytes.` : GENERIC_PUBLIC });
          report(state, 'validate-content', issues, errorsVariable);
          return;
        }
        if (bytes.length === 0) return;
        const ctype = (msg.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const media = inbound ? requestMedia : responseMedia.get(String(state.response.statusCode)) ?? responseMedia.get('default') ?? {};
        const content = contents.find((c) => c.type === ctype) ?? contents.find((c) => c.type === '*' || (c.type.endsWith('+json') && ctype.endsWith('+json')));
        if (!content) {
          const details = `Unspecified content type ${ctype || '(none)'} is not allowed.`;
          issues.push({ Name: ctype, Type: side, ValidationRule: 'Unspecified', Details: details, Action: unspecifiedAction, publicMessage: inbound ? details : GENERIC_PUBLIC });
        } else if (content.validateAs === 'json') {
          const schema = media[ctype] ?? media['application/json'];
          if (schema === undefined) {
            const details = `API's schema does not contain definition for the content type ${ctype}.`;
            issues.push({ Name: ctype, Type: side, ValidationRule: 'MissingDefinition', Details: details, Action: content.action, publicMessage: GENERIC_PUBLIC });
          } else {
            let value: unknown;
            let parsed = true;
            try {
              value = JSON.parse(bytes.toString('utf8'));
            } catch (e) {
              parsed = false;
              const details = `Body of the ${side} cannot be validated for the content type ${ctype}.\n\n${(e as Error).message}`;
              issues.push({ Name: ctype, Type: side, ValidationRule: 'ValidationException', Details: details, Action: content.action, publicMessage: inbound ? details : GENERIC_PUBLIC });
            }
            const v = parsed ? validatorFor(`${side}:${state.response.statusCode}:${ctype}`, schema, content.additional) : undefined;
            if (v && !v(value)) {
              const details = `Body of the ${side} does not conform to the definition, which is associated with the content type ${ctype}.\n\n${ajvMessage(v)}`;
              issues.push({ Name: ctype, Type: side, ValidationRule: 'IncorrectMessage', Details: details, Action: content.action, publicMessage: inbound ? details : GENERIC_PUBLIC });
            }
          }
        }
        report(state, 'validate-content', issues, errorsVariable);
      },
    };
  },
} satisfies PolicyModule;
