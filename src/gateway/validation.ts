/**
 * Shared pieces of the validation policies (POLICY-ENGINE.md §5.6): actions, the errors variable, APIM's
 * error messages, and JSON Schema validation of values against the API's OpenAPI schemas (ajv, schemas
 * compiled once at load).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { parseJson } from '../expressions/json.js';
import { PolicyError } from './errors.js';
import type { RequestState } from './state.js';
import type { CompileContext, PolicyElement } from './policies/types.js';

export type ValidationAction = 'ignore' | 'prevent' | 'detect';
const ACTIONS = ['ignore', 'prevent', 'detect'];

/** The generic public message for response-side and schema-side errors. */
export const GENERIC_PUBLIC = 'The request could not be processed due to an internal error. Contact the API owner.';

/** One validation error, as `errors-variable-name` lists it. */
export interface ValidationIssue {
  Name: string;
  Type: string;
  ValidationRule: string;
  Details: string;
  Action: ValidationAction;
  /** What the client sees when the action is prevent. */
  publicMessage: string;
}

/** Reads an action attribute (literal; expressions are evaluated per request where allowed). */
export function actionAttr(ctx: CompileContext, el: PolicyElement, name: string, required: boolean, fallback?: ValidationAction): ValidationAction | undefined {
  const v = ctx.literal(el, name, { required });
  if (v === undefined) return fallback;
  const a = v.toLowerCase();
  if (!ACTIONS.includes(a)) ctx.fail(el, `${el.name}@${name} must be ignore, prevent or detect, not "${v}"`);
  return a as ValidationAction;
}

/**
 * Records issues: `detect`/`prevent` issues go to the errors variable and the trace; the first `prevent`
 * issue fails the request (400 inbound, 502 outbound).
 */
export function report(state: RequestState, source: string, issues: ValidationIssue[], errorsVariable: string | undefined): void {
  const counted = issues.filter((i) => i.Action !== 'ignore');
  if (counted.length === 0) return;
  if (errorsVariable) {
    const list = counted.map(({ publicMessage: _p, ...rest }) => rest);
    state.variables.set(errorsVariable, parseJson(JSON.stringify(list)));
  }
  for (const i of counted) {
    state.trace?.add({ section: state.section, scope: state.scope, source, message: `${i.Action}: ${i.Details}`, data: { ...i } });
    if (i.Action === 'detect') state.services.logger.event('warn', { source, requestId: state.requestId, message: i.Details });
  }
  const blocking = counted.find((i) => i.Action === 'prevent');
  if (blocking) {
    const inbound = state.section === 'inbound';
    const status = inbound ? 400 : 502;
    throw new PolicyError({
      source,
      reason: inbound ? 'Bad request' : 'Response not allowed',
      message: blocking.Details,
      statusCode: status,
      responseMessage: inbound ? blocking.publicMessage : GENERIC_PUBLIC,
    });
  }
}

const ajvCache = new WeakMap<object, Ajv>();

/** A validator for `schema` inside the OpenAPI document `doc` (local `$ref`s resolve against it). */
export function schemaValidator(doc: Record<string, unknown>, schema: unknown): ValidateFunction | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  let ajv = ajvCache.get(doc);
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, coerceTypes: false });
    ajv.addSchema(rewriteNullable(doc) as object, 'spec');
    ajvCache.set(doc, ajv);
  }
  try {
    return ajv.compile(rewriteRefs(rewriteNullable(schema)) as object);
  } catch {
    return undefined;
  }
}

/** `#/components/schemas/X` → `spec#/components/schemas/X` so a standalone schema can reach the document. */
function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `spec${x}` : rewriteRefs(x);
    return out;
  }
  return v;
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema `type: [t, "null"]`. */
function rewriteNullable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteNullable);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = rewriteNullable(x);
    if (o.nullable === true && typeof o.type === 'string') out.type = [o.type, 'null'];
    return out;
  }
  return v;
}

/** Converts a parameter's text to the type its schema wants (query/path/header values are strings). */
export function coerceParam(value: string, schema: Record<string, unknown> | undefined): unknown {
  const t = schema?.type;
  if (t === 'integer' || t === 'number') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  if (t === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (t === 'array') return value.split(',');
  return value;
}

/** The first error of an ajv run as APIM-style text. */
export function ajvMessage(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'invalid';
  return `${e.instancePath || '#'} ${e.message ?? 'is invalid'}`.trim();
}
