/**
 * How cache policies keep things in the store: a response (`cache-lookup`/`cache-store`) or a value
 * (`cache-*-value`) as a JSON string, and per-request notes passed from `cache-lookup` to `cache-store`.
 */
import { JToken, parseJson } from '../expressions/json.js';
import { BodyHolder } from './body.js';
import { HeaderBag } from './headers.js';
import { SELF_HOSTED_APIS_EXTENSION } from './limits.js';
import type { PipelineResponse, RequestState } from './state.js';

/** Hop-by-hop and per-response headers a cached response must not replay. */
const NOT_CACHED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie', 'date', 'age', 'ocp-apim-trace-location', 'content-length']);

/** A stored response. */
interface StoredResponse {
  s: number;
  r: string;
  h: [string, string[]][];
  b: string;
}

/** Serializes a response with a buffered body. */
export function encodeResponse(res: PipelineResponse, body: Buffer): string {
  const h: [string, string[]][] = [];
  for (const [name, values] of res.headers.entries()) if (!NOT_CACHED.has(name.toLowerCase())) h.push([name, values]);
  return JSON.stringify({ s: res.statusCode, r: res.statusReason, h, b: body.toString('base64') } satisfies StoredResponse);
}

/** The response a stored entry holds. */
export function decodeResponse(text: string): PipelineResponse {
  const v = JSON.parse(text) as StoredResponse;
  const headers = new HeaderBag();
  for (const [name, values] of v.h) headers.set(name, values);
  return { statusCode: v.s, statusReason: v.r, headers, body: BodyHolder.fromBytes(Buffer.from(v.b, 'base64')) };
}

/** A value of `cache-store-value` with its type, so a lookup gives back what was stored. */
export function encodeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify({ t: 's', v: value });
  if (typeof value === 'number') return JSON.stringify({ t: 'n', v: value });
  if (typeof value === 'boolean') return JSON.stringify({ t: 'b', v: value });
  if (value === null || value === undefined) return JSON.stringify({ t: 'null' });
  // A JObject/JArray from an expression comes back as one (Newtonsoft JSON text in between).
  if (value instanceof JToken) return JSON.stringify({ t: 'jt', v: value.toJson(false) });
  // Objects (JObject, arrays…) keep their JSON; the expression runtime reads them back as JSON values.
  return JSON.stringify({ t: 'j', v: JSON.parse(JSON.stringify(value)) as unknown });
}

/** The value `encodeValue` stored. */
export function decodeValue(text: string): unknown {
  const v = JSON.parse(text) as { t: string; v?: unknown };
  if (v.t === 'jt') return parseJson(v.v);
  return v.t === 'null' ? null : v.v;
}

/** What `cache-lookup` tells `cache-store` about this request. */
export interface LookupNote {
  key: string;
  hit: boolean;
  downstream: 'none' | 'private' | 'public';
  mustRevalidate: boolean;
  allowPrivate: boolean;
}
const notes = new WeakMap<RequestState, LookupNote>();
export function setLookupNote(state: RequestState, note: LookupNote): void {
  notes.set(state, note);
}
export function lookupNote(state: RequestState): LookupNote | undefined {
  return notes.get(state);
}

/**
 * True when the cache of `caching-type` does nothing here: `internal` on an API served through a
 * self-hosted gateway (its internal cache is not available; POLICY-ENGINE.md §5.5).
 */
export function cacheIsNoOp(state: RequestState, cachingType: string): boolean {
  if (cachingType !== 'internal') return false;
  const selfHosted = state.services.extensions.get(SELF_HOSTED_APIS_EXTENSION);
  return selfHosted instanceof Set && selfHosted.has(state.route.api.name);
}

/** Checks `caching-type` at load. */
export const CACHING_TYPES = ['internal', 'external', 'prefer-external'];
