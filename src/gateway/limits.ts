/**
 * Helpers shared by the traffic policies (rate-limit*, quota*, cache-*, validate-jwt): APIM's exact error
 * responses, the store-failure choice, and per-request bookkeeping. Kept out of the policy files so each
 * policy file stays one element.
 */
import type { ApimState } from '../artifacts/model.js';
import { PolicyError } from './errors.js';
import type { RequestState } from './state.js';
import type { CompileContext, PolicyElement } from './policies/types.js';
import { StoreUnavailableError, type StoreFailureMode } from './stores/store.js';

/** `services.extensions` key: `'open' | 'closed'` (`serve.storeFailure`, default closed). */
export const STORE_FAILURE_EXTENSION = 'apimops.storeFailure';
/**
 * `services.extensions` key: the API names served through a self-hosted gateway (from `gateways/`), where
 * `caching-type="internal"` is a no-op (POLICY-ENGINE.md §5.5).
 */
export const SELF_HOSTED_APIS_EXTENSION = 'apimops.selfHostedApis';

/** The value for `SELF_HOSTED_APIS_EXTENSION`: API names assigned to a gateway resource (`gateways/<g>` `apis:`). */
export function selfHostedApis(state: ApimState): Set<string> {
  const out = new Set<string>();
  for (const g of state.gateway.values()) {
    const apis = g.properties.apis;
    if (Array.isArray(apis)) for (const a of apis) out.add(String(a));
  }
  return out;
}

/** What to do when the store cannot be reached. */
export function storeFailureMode(state: RequestState): StoreFailureMode {
  return state.services.extensions.get(STORE_FAILURE_EXTENSION) === 'open' ? 'open' : 'closed';
}

/**
 * Runs a store operation. When the store is unavailable: `closed` fails the request with APIM's 500 (the
 * safe default: a limit that cannot be counted is not enforced silently); `open` logs and returns
 * `undefined`, and the caller lets the request through.
 */
export async function withStore<T>(state: RequestState, source: string, op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    if (storeFailureMode(state) === 'open') {
      state.services.logger.event('warn', { message: `${source}: ${err.message}; letting the request through (storeFailure: open)`, requestId: state.requestId });
      state.trace?.add({ section: state.section, scope: state.scope, source, message: `store unavailable, failing open: ${err.message}` });
      return undefined;
    }
    throw new PolicyError({ source, reason: 'StoreUnavailable', message: err.message, statusCode: 500, cause: err });
  }
}

/** Seconds for a `Retry-After` (at least 1). */
export function retryAfterSeconds(ms: number): number {
  if (!Number.isFinite(ms)) return 2_147_483_647;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** 429 of rate-limit / rate-limit-by-key (POLICY-ENGINE.md §3.7). */
export function rateLimitExceeded(source: string, retryAfterMs: number, retryAfterHeader: string): PolicyError {
  const seconds = retryAfterSeconds(retryAfterMs);
  return new PolicyError({
    source,
    reason: 'RateLimitExceeded',
    message: 'Rate limit is exceeded',
    statusCode: 429,
    responseMessage: `Rate limit is exceeded. Try again in ${seconds} seconds.`,
    headers: { [retryAfterHeader]: String(seconds) },
  });
}

/** 403 of quota / quota-by-key (POLICY-ENGINE.md §3.7). */
export function quotaExceeded(source: string, kind: 'calls' | 'bandwidth', retryAfterMs: number): PolicyError {
  const what = kind === 'calls' ? 'call volume' : 'bandwidth';
  const message = `Out of ${what} quota. Quota will be replenished in ${dotnetTimeSpan(retryAfterMs)}.`;
  return new PolicyError({ source, reason: 'QuotaExceeded', message, statusCode: 403, responseMessage: message, headers: { 'Retry-After': String(retryAfterSeconds(retryAfterMs)) } });
}

/** A duration as .NET's `TimeSpan.ToString()` writes it: `d.hh:mm:ss` or `hh:mm:ss` (whole seconds). */
export function dotnetTimeSpan(ms: number): string {
  if (!Number.isFinite(ms)) return '10675199.02:48:05.4775807';
  const total = Math.ceil(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d ? `${d}.` : ''}${p(h)}:${p(m)}:${p(s)}`;
}

type Hook = (state: RequestState) => void | Promise<void>;
/** Per-request hooks, run by the pipeline once the final response is known (see `runAfterResponse`). */
const hooks = new WeakMap<RequestState, Hook[]>();

/**
 * Registers work to do once the response is final (bandwidth quotas, `increment-condition` reading
 * `context.Response`, response headers of rate limits). The gateway calls `runAfterResponse(state)` after
 * outbound / on-error.
 */
export function afterResponse(state: RequestState, hook: Hook): void {
  let list = hooks.get(state);
  if (!list) hooks.set(state, (list = []));
  list.push(hook);
}

/**
 * Runs the hooks `afterResponse` registered for a request (called by the gateway, once per request).
 * Returns undefined — nothing to await — when there are none (most requests).
 */
export function runAfterResponse(state: RequestState): Promise<void> | undefined {
  const list = hooks.get(state);
  if (!list) return undefined;
  hooks.delete(state);
  return (async () => {
    for (const hook of list) await hook(state);
  })();
}

/** Sets a response header now and again once the response is final (a backend response replaces headers). */
export function setResponseHeader(state: RequestState, name: string, value: string): void {
  state.response.headers.set(name, value);
  afterResponse(state, (s) => void s.response.headers.set(name, value));
}

const quotaKeysSeen = new WeakMap<RequestState, Set<string>>();
/**
 * quota-by-key: "If multiple policies would increment the same key value, it is incremented only once per
 * request." True the first time a key is seen for this request.
 */
export function firstQuotaIncrement(state: RequestState, key: string): boolean {
  let seen = quotaKeysSeen.get(state);
  if (!seen) quotaKeysSeen.set(state, (seen = new Set()));
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** Bytes of a message body for bandwidth quotas: the buffered size, else `Content-Length`, else 0. */
export function messageBytes(body: { buffered: Buffer | undefined }, contentLength: string | undefined): number {
  if (body.buffered) return body.buffered.length;
  const n = Number(contentLength);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** A limit set for one API (and optionally one operation) inside `rate-limit` / `quota`. */
export interface ScopedLimit<L> {
  api: string;
  operation?: string;
  limit: L;
}

/**
 * The nested `<api>` / `<operation>` limits of `rate-limit` and `quota` (APIM: an `<api>` with its own limit
 * attributes, and per-operation limits inside it). An element is named by `id` or `name`.
 */
export function nestedLimits<L>(
  el: PolicyElement,
  ctx: CompileContext,
  policy: string,
  ownLimitAttributes: readonly string[],
  limitOf: (el: PolicyElement, scope: 'api' | 'operation') => L,
): ScopedLimit<L>[] {
  const nested: ScopedLimit<L>[] = [];
  for (const api of ctx.elements(el, 'api')) {
    const apiName = ctx.literal(api, 'id') ?? ctx.literal(api, 'name') ?? ctx.fail(api, `<api> in ${policy} needs a name or an id`);
    if (api.attributes.some((a) => ownLimitAttributes.includes(a.name))) nested.push({ api: apiName, limit: limitOf(api, 'api') });
    for (const op of ctx.elements(api, 'operation')) {
      const opName = ctx.literal(op, 'id') ?? ctx.literal(op, 'name') ?? ctx.fail(op, `<operation> in ${policy} needs a name or an id`);
      nested.push({ api: apiName, operation: opName, limit: limitOf(op, 'operation') });
    }
  }
  return nested;
}

/** Whether the request's API (and operation) is the one a nested limit names (by name, id or display name). */
export function matchesScopedLimit(state: RequestState, n: { api: string; operation?: string }): boolean {
  const api = state.route.api;
  if (n.api !== api.name && n.api !== api.id && n.api !== api.displayName) return false;
  if (n.operation === undefined) return true;
  const op = state.route.operation;
  return !!op && (n.operation === op.name || n.operation === op.id || n.operation === op.displayName);
}
