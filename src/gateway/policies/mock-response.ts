import { BodyHolder } from '../body.js';
import { HeaderBag } from '../headers.js';
import { reasonPhrase } from '../responses.js';
import { resolveRef } from '../spec.js';
import { SKIP_TO_OUTBOUND, type PolicyModule } from './types.js';

/**
 * `<mock-response status-code="200" content-type="application/json" index="0"/>` (§5.1): answers from the
 * operation's specification — an example, else a sample generated from the schema, else no content — and
 * skips the backend; outbound still runs (§3.6, INF).
 */
export const mockResponse = {
  name: 'mock-response',
  sections: ['inbound', 'outbound', 'on-error'],
  compile(el, ctx) {
    const statusAttr = ctx.literal(el, 'status-code');
    const ctypeAttr = ctx.literal(el, 'content-type');
    const index = Number(ctx.literal(el, 'index') ?? '0');
    const spec = ctx.config.api?.specification;
    const responses = (ctx.config.operation?.definition?.responses ?? {}) as Record<string, unknown>;
    const codes = Object.keys(responses);
    const status = statusAttr !== undefined ? Number(statusAttr) : codes.includes('200') ? 200 : Number(codes.find((c) => /^2\d\d$/.test(c)) ?? 200);
    if (!Number.isInteger(status)) ctx.fail(el, `mock-response@status-code must be a number, not "${statusAttr}"`);
    const resp = spec ? (resolveRef(spec, responses[String(status)]) as Record<string, unknown> | undefined) : (responses[String(status)] as Record<string, unknown> | undefined);
    let contentType: string | undefined = ctypeAttr;
    let body: string | undefined;
    if (resp) {
      const content = resp.content as Record<string, Record<string, unknown>> | undefined;
      if (content) {
        // OpenAPI 3
        const mt = contentType ?? Object.keys(content)[0];
        const media = mt ? content[mt] : undefined;
        if (media) {
          contentType = mt;
          const examples = media.examples as Record<string, { value?: unknown }> | undefined;
          const example = media.example ?? (examples ? Object.values(examples)[index]?.value : undefined);
          const sample = example !== undefined ? example : media.schema ? sampleFromSchema(spec ?? {}, media.schema, 0) : undefined;
          if (sample !== undefined) body = typeof sample === 'string' ? sample : JSON.stringify(sample, null, 2);
        }
      } else {
        // OpenAPI 2
        const examples = resp.examples as Record<string, unknown> | undefined;
        const mt = contentType ?? (examples ? Object.keys(examples)[0] : undefined);
        const ex = mt && examples ? examples[mt] : undefined;
        if (ex !== undefined) {
          contentType = mt;
          body = typeof ex === 'string' ? ex : JSON.stringify(ex, null, 2);
        } else if (resp.schema) {
          contentType ??= 'application/json';
          body = JSON.stringify(sampleFromSchema(spec ?? {}, resp.schema, 0), null, 2);
        }
      }
    }
    return {
      name: 'mock-response',
      run(state) {
        const headers = new HeaderBag();
        if (body !== undefined && contentType) headers.set('Content-Type', contentType);
        state.response = { statusCode: status, statusReason: reasonPhrase(status), headers, body: body === undefined ? BodyHolder.empty() : BodyHolder.fromBytes(body) };
        return SKIP_TO_OUTBOUND;
      },
    };
  },
} satisfies PolicyModule;

/** A sample value from a JSON schema (example/default/enum first, then by type). */
export function sampleFromSchema(doc: Record<string, unknown>, schemaIn: unknown, depth: number): unknown {
  const schema = resolveRef(doc, schemaIn) as Record<string, unknown> | undefined;
  if (!schema || depth > 8) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((s) => sampleFromSchema(doc, s, depth + 1) as object));
  if (Array.isArray(schema.oneOf) && schema.oneOf.length) return sampleFromSchema(doc, schema.oneOf[0], depth + 1);
  if (Array.isArray(schema.anyOf) && schema.anyOf.length) return sampleFromSchema(doc, schema.anyOf[0], depth + 1);
  switch (schema.type) {
    case 'object':
    case undefined: {
      const props = schema.properties as Record<string, unknown> | undefined;
      if (!props) return schema.type === 'object' ? {} : null;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props)) out[k] = sampleFromSchema(doc, v, depth + 1);
      return out;
    }
    case 'array':
      return [sampleFromSchema(doc, schema.items, depth + 1)];
    case 'string':
      return schema.format === 'date-time' ? '2024-01-01T00:00:00Z' : schema.format === 'uuid' ? '00000000-0000-0000-0000-000000000000' : 'string';
    case 'integer':
      return 0;
    case 'number':
      return 0.0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}
