/**
 * The gateway: `handle(GatewayRequest) → GatewayResult` and its WHATWG form `dispatch(Request) → Response`
 * (no sockets; every unit test uses it, like Miniflare's `dispatchFetch` and Hono's `app.request`).
 * `server.ts` adapts node:http to `handle` without WHATWG objects on the hot path.
 *
 * Request steps (POLICY-ENGINE.md §3.1): API → operation → subscription/product → inbound → backend →
 * outbound; any error → on-error with `context.LastError`.
 */
import { Readable } from 'node:stream';
import { CsDictionary } from '../expressions/values.js';
import { BodyHolder } from './body.js';
import { PolicyError, type LastError } from './errors.js';
import { HeaderBag } from './headers.js';
import type { CompiledPipeline, LoadedApi, LoadedConfig, LoadedOperation } from './load.js';
import type { AnnotatedError } from './compile.js';
import {
  errorBody,
  MSG_INTERNAL,
  MSG_INVALID_KEY,
  MSG_MISSING_KEY,
  MSG_MISSING_KEY_LASTERROR,
  MSG_NOT_FOUND,
  MSG_OPERATION_NOT_FOUND,
  reasonPhrase,
} from './responses.js';
import { NO_SERVICE_URL, type GatewayServices, type MatchedRoute, type RequestState, type RuntimeProduct, type RuntimeSubscription } from './state.js';

export { NO_SERVICE_URL } from './state.js';
import { TraceRecorder } from './trace.js';
import { corsPending } from './policies/cors.js';
import { runAfterResponse } from './limits.js';
import type { PolicyResult, SectionSignal } from './policies/types.js';
import type { UpstreamCancel } from './upstream.js';

/** APIM self-hosted gateway health probe path. */
export const STATUS_PATH = '/status-0123456789abcdef';
/** Where traces are served (`Ocp-Apim-Trace-Location`). */
export const TRACE_PATH_PREFIX = '/_apimops/traces/';

/** A request as the gateway sees it. */
export interface GatewayRequest {
  method: string;
  /** Full URL as received (scheme and host of the gateway). */
  url: URL;
  headers: HeaderBag;
  body: BodyHolder;
  ipAddress: string;
  signal?: AbortSignal;
  /** The server fires it when the client's connection closes first (cheaper than an AbortSignal listener). */
  cancel?: UpstreamCancel;
}

/** The response to send. */
export interface GatewayResult {
  statusCode: number;
  statusReason: string;
  headers: HeaderBag;
  body: BodyHolder;
  /** For the access log. */
  api?: string;
  operation?: string;
  requestId: string;
}

export interface GatewayOptions {
  config: LoadedConfig;
  services: GatewayServices;
  /** Traces kept for `Ocp-Apim-Trace-Location` (most recent first out). Default 100. */
  maxTraces?: number;
  /** Largest request body a policy may buffer, bytes. Default 4 MiB. */
  maxBufferedBody?: number;
}

/** A local APIM gateway over a loaded configuration. */
export class Gateway {
  private config: LoadedConfig;
  readonly services: GatewayServices;
  private readonly traces = new Map<string, unknown>();
  private readonly maxTraces: number;
  private readonly maxBufferedBody: number;

  constructor(options: GatewayOptions) {
    this.config = options.config;
    this.services = options.services;
    this.maxTraces = options.maxTraces ?? 100;
    this.maxBufferedBody = options.maxBufferedBody ?? 4 * 1024 * 1024;
  }

  /** Swaps in a new configuration (`--watch`); requests in flight finish on the old one. */
  setConfig(config: LoadedConfig): void {
    this.config = config;
  }
  get currentConfig(): LoadedConfig {
    return this.config;
  }

  /** WHATWG adapter: for tests and embedding. */
  async dispatch(request: Request, info: { ipAddress?: string } = {}): Promise<Response> {
    const headers = HeaderBag.fromEntries(request.headers.entries());
    const body = request.body ? BodyHolder.fromStream(request.body as unknown as AsyncIterable<Uint8Array>) : BodyHolder.empty();
    const result = await this.handle({ method: request.method, url: new URL(request.url), headers, body, ipAddress: info.ipAddress ?? '127.0.0.1', signal: request.signal });
    const out = new Headers();
    for (const [name, values] of result.headers.entries()) for (const v of values) out.append(name, v);
    const nullBody = result.statusCode === 204 || result.statusCode === 304 || request.method === 'HEAD';
    let payload: BodyInit | null = null;
    if (!nullBody) {
      const buf = result.body.buffered;
      if (buf) payload = buf.length ? new Uint8Array(buf) : null;
      else {
        const s = result.body.takeStream();
        payload = s ? (Readable.toWeb(Readable.from(s)) as unknown as ReadableStream) : null;
      }
    }
    return new Response(payload, { status: result.statusCode, statusText: result.statusReason, headers: out });
  }

  /** Handles one request. Never throws: every failure becomes a response. */
  async handle(req: GatewayRequest): Promise<GatewayResult> {
    const requestId = this.services.uuid();
    // The route is inlined here (not an inner async call awaited in a try): one async frame per request less.
    try {
      const path = req.url.pathname;
      if (path === STATUS_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        return { ...plain(200, '', requestId), headers: new HeaderBag() };
      }
      if (path.startsWith(TRACE_PATH_PREFIX) && req.method === 'GET') {
        const t = this.traces.get(path.slice(TRACE_PATH_PREFIX.length));
        if (t === undefined) return plain(404, errorBody(404, MSG_NOT_FOUND), requestId);
        return plain(200, JSON.stringify(t, null, 2), requestId);
      }
      const config = this.config;
      const match = config.router.matchApi(req.url, req.headers);
      if (!match) return plain(404, errorBody(404, MSG_NOT_FOUND), requestId);
      const api = match.api;
      // `url.searchParams` builds a URLSearchParams on first access: skip it when there is no query.
      const query = req.url.search ? req.url.searchParams : NO_QUERY;
      let opMatch = config.router.matchOperation(api, req.method, match.rest, query);
      const preflightMethod = req.method === 'OPTIONS' ? req.headers.get('access-control-request-method') : undefined;
      if (!opMatch && preflightMethod) {
        // A CORS preflight: APIM evaluates the `cors` policy of the operation the actual request would hit (§5.4).
        opMatch = config.router.matchOperation(api, preflightMethod, match.rest, query);
      }

      const tracing = (req.headers.get('ocp-apim-trace') ?? '').toLowerCase() === 'true';
      const startedAt = this.services.clock();
      const trace = tracing ? new TraceRecorder(performance.now()) : undefined;
      const state = this.newState(req, requestId, startedAt, api, opMatch?.op, opMatch?.params ?? new Map(), match.restPath, trace);
      trace?.add({ section: 'inbound', scope: 'gateway', source: 'api-inspector', message: `api ${api.runtime.name}, operation ${opMatch?.op.runtime.name ?? '(none)'}`, data: { url: req.url.toString(), method: req.method } });

      let pipeline: CompiledPipeline;
      if (!opMatch) {
        pipeline = api.noOperation;
        this.startError(state, new PolicyError({ source: 'configuration', reason: 'OperationNotFound', message: MSG_OPERATION_NOT_FOUND, statusCode: 404, responseMessage: MSG_NOT_FOUND }), 'inbound');
        await this.runOnError(pipeline, state);
        const done = this.finish(state, api, undefined, trace);
        // Awaited here when it is a promise, so that a failure while finishing is caught below too.
        return done instanceof Promise ? await done : done;
      }
      const op = opMatch.op;

      // Subscription and product (§4.3).
      const isPreflight = preflightMethod !== undefined && req.method === 'OPTIONS' && op.method !== 'OPTIONS';
      // A preflight carries no key: it runs without a product (APIM: product-scope cors cannot answer it).
      const sub = isPreflight ? {} : this.resolveSubscription(req, api);
      if ('error' in sub && sub.error) {
        pipeline = op.pipelines.get('')!;
        this.startError(state, sub.error, 'inbound');
        await this.runOnError(pipeline, state);
        const done = this.finish(state, api, op, trace);
        return done instanceof Promise ? await done : done;
      }
      (state as { route: MatchedRoute }).route = { api: api.runtime, operation: op.runtime, product: sub.product, subscription: sub.subscription };
      pipeline = (sub.productKey ? op.pipelines.get(sub.productKey) : undefined) ?? op.pipelines.get('')!;
      await this.runPipeline(pipeline, state);
      const done = this.finish(state, api, op, trace);
      return done instanceof Promise ? await done : done;
    } catch (e) {
      // A bug in a policy or the gateway: APIM's 500, never a crash.
      this.services.logger.event('warn', { message: `internal error: ${(e as Error)?.stack ?? String(e)}`, requestId });
      return plain(500, errorBody(500, MSG_INTERNAL, requestId), requestId);
    }
  }

  private newState(
    req: GatewayRequest,
    requestId: string,
    startedAt: number,
    api: LoadedApi,
    op: LoadedOperation | undefined,
    params: Map<string, string>,
    restPath: string,
    trace: TraceRecorder | undefined,
  ): RequestState {
    const serviceUrl = api.runtime.serviceUrl;
    const backendUrl = new URL(joinUrl(serviceUrl ?? NO_SERVICE_URL, restPath) + req.url.search);
    req.body.maxBytes = this.maxBufferedBody;
    return {
      requestId,
      startedAt,
      request: {
        method: req.method,
        url: backendUrl,
        originalUrl: req.url,
        originalMethod: req.method,
        headers: req.headers,
        body: req.body,
        ipAddress: req.ipAddress,
        matchedParameters: params,
      },
      response: { statusCode: 200, statusReason: 'OK', headers: new HeaderBag(), body: BodyHolder.empty() },
      variables: new CsDictionary<unknown>('ordinal', true),
      route: { api: api.runtime, operation: op?.runtime, product: undefined, subscription: undefined },
      services: this.services,
      trace,
      section: 'inbound',
      scope: 'global',
      lastError: undefined,
      backendId: undefined,
      backendBaseUrl: serviceUrl,
      context: undefined,
      messageOverride: undefined,
      signal: req.signal,
      cancel: req.cancel,
    };
  }

  private resolveSubscription(
    req: GatewayRequest,
    api: LoadedApi,
  ): { error?: PolicyError; product?: RuntimeProduct; productKey?: string; subscription?: RuntimeSubscription } {
    const key = req.headers.get(api.runtime.subscriptionKeyHeader) ?? (req.url.search ? req.url.searchParams.get(api.runtime.subscriptionKeyQuery) : null) ?? undefined;
    const apiName = api.runtime.name;
    if (key !== undefined) {
      const sub = this.config.subscriptionsByKey.get(key);
      if (sub && sub.active) {
        if (sub.scope === '/' || sub.scope === '/apis' || sub.scope === `/apis/${apiName}`) return { subscription: sub };
        if (sub.scope.startsWith('/products/')) {
          const product = this.config.products.get(sub.scope);
          if (product && product.apis.includes(apiName)) return { subscription: sub, product, productKey: sub.scope };
        }
      }
      return { error: new PolicyError({ source: 'authorization', reason: 'SubscriptionKeyInvalid', message: MSG_INVALID_KEY, statusCode: 401 }) };
    }
    const open = api.products.find((p) => !p.subscriptionRequired);
    if (open) return { product: open, productKey: `/products/${open.name}` };
    if (!api.runtime.subscriptionRequired) return {};
    return {
      error: new PolicyError({
        source: 'authorization',
        reason: 'SubscriptionKeyNotFound',
        message: MSG_MISSING_KEY_LASTERROR,
        responseMessage: MSG_MISSING_KEY,
        statusCode: 401,
        headers: { 'WWW-Authenticate': `AzureApiManagementKey realm="${req.url.origin}/${api.path}",name="${api.runtime.subscriptionKeyHeader}",type="header"` },
      }),
    };
  }

  /** inbound → backend → outbound; errors → on-error (§3.1, §3.5, §3.6). */
  private async runPipeline(p: CompiledPipeline, state: RequestState): Promise<void> {
    try {
      if (p.readsRequestBody && state.request.body.isStream) await state.request.body.read();
      state.section = 'inbound';
      let r = p.inbound.run(state);
      let sig = isThenable(r) ? await r : r;
      if (sig?.signal === 'return') return;
      if (sig?.signal !== 'skip-to-outbound') {
        state.section = 'backend';
        r = p.backend.run(state);
        sig = isThenable(r) ? await r : r;
        if (sig?.signal === 'return') return;
      }
      if (p.readsResponseBody && state.response.body.isStream) await state.response.body.read();
      state.section = 'outbound';
      r = p.outbound.run(state);
      if (isThenable(r)) await r;
    } catch (e) {
      this.startError(state, e, state.section);
      await this.runOnError(p, state);
    }
  }

  /** Sets `LastError` and the default error response, as APIM has it when on-error starts. */
  private startError(state: RequestState, e: unknown, section: RequestState['section']): void {
    const pe = e instanceof PolicyError ? e : new PolicyError({ source: 'gateway', reason: 'InternalError', message: (e as Error)?.message ?? String(e), statusCode: 500, cause: e });
    const placed = (pe as AnnotatedError).placed;
    const init = pe.init;
    const lastError: LastError = {
      Source: init.source || placed?.name || 'gateway',
      Reason: init.reason,
      Message: init.message,
      Scope: placed?.scope ?? (init.source === 'configuration' || init.source === 'authorization' ? '' : state.scope),
      Section: placed?.section ?? section,
      Path: placed?.path ?? '',
      PolicyId: placed?.policyId ?? '',
      HttpErrorCode: init.statusCode ?? 500,
    };
    state.lastError = lastError;
    state.context = undefined; // LastError and Response change what expressions see.
    const status = init.statusCode ?? 500;
    const headers = new HeaderBag();
    headers.set('Content-Type', 'application/json; charset=utf-8');
    for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
    const body =
      init.responseBody ??
      (status >= 500 && init.responseMessage === undefined
        ? errorBody(status, MSG_INTERNAL, state.requestId)
        : errorBody(status, init.responseMessage ?? init.message));
    state.response = { statusCode: status, statusReason: reasonPhrase(status), headers, body: BodyHolder.fromBytes(body) };
    state.trace?.add({ section: String(lastError.Section), scope: String(lastError.Scope), source: 'error', message: `${lastError.Source}: ${lastError.Reason}: ${lastError.Message}`, data: { ...lastError } });
    if (status >= 500 && init.cause) {
      this.services.logger.event('warn', { message: `${lastError.Source} ${lastError.Reason}: ${lastError.Message}`, requestId: state.requestId });
    }
  }

  private async runOnError(p: CompiledPipeline, state: RequestState): Promise<void> {
    state.section = 'on-error';
    try {
      const r = p.onError.run(state);
      if (isThenable(r)) await r;
    } catch (e) {
      // An error inside on-error stops processing with a 500 (§8 open question 4).
      const status = 500;
      const headers = new HeaderBag();
      headers.set('Content-Type', 'application/json; charset=utf-8');
      state.response = { statusCode: status, statusReason: reasonPhrase(status), headers, body: BodyHolder.fromBytes(errorBody(status, MSG_INTERNAL, state.requestId)) };
      state.trace?.add({ section: 'on-error', scope: state.scope, source: 'error', message: `error in on-error: ${(e as Error)?.message ?? String(e)}` });
    }
  }

  /** The result of a request; waits only when policies left work for the final response (no promise otherwise). */
  private finish(state: RequestState, api: LoadedApi, op: LoadedOperation | undefined, trace: TraceRecorder | undefined): GatewayResult | Promise<GatewayResult> {
    let after: Promise<void> | undefined;
    try {
      // Work policies left for when the response is final (rate-limit headers, quota bandwidth, increment-condition).
      after = runAfterResponse(state);
    } catch (e) {
      this.afterResponseFailed(state, e);
    }
    if (after) {
      return after.then(
        () => this.result(state, api, op, trace),
        (e: unknown) => {
          this.afterResponseFailed(state, e);
          return this.result(state, api, op, trace);
        },
      );
    }
    return this.result(state, api, op, trace);
  }

  private afterResponseFailed(state: RequestState, e: unknown): void {
    this.services.logger.event('warn', { message: `after-response hook failed: ${(e as Error)?.message ?? String(e)}`, requestId: state.requestId });
  }

  private result(state: RequestState, api: LoadedApi, op: LoadedOperation | undefined, trace: TraceRecorder | undefined): GatewayResult {
    const r = state.response;
    const cors = corsPending.get(state);
    if (cors) {
      r.headers.set('Access-Control-Allow-Origin', cors.allowOrigin);
      if (cors.expose.length) r.headers.set('Access-Control-Expose-Headers', cors.expose.join(','));
      if (cors.credentials) r.headers.set('Access-Control-Allow-Credentials', 'true');
    }
    if (trace) {
      const id = state.requestId;
      this.traces.set(id, { requestId: id, api: api.runtime.name, operation: op?.runtime.name, status: r.statusCode, entries: trace.entries });
      while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value!);
      r.headers.set('Ocp-Apim-Trace-Location', `${state.request.originalUrl.origin}${TRACE_PATH_PREFIX}${id}`);
    }
    return { statusCode: r.statusCode, statusReason: r.statusReason || reasonPhrase(r.statusCode), headers: r.headers, body: r.body, api: api.runtime.name, operation: op?.runtime.name, requestId: state.requestId };
  }
}

/** The query of a URL without one (never mutated). */
const NO_QUERY: URLSearchParams = new URLSearchParams();


function joinUrl(base: string, rest: string): string {
  if (!rest) return base;
  return base.endsWith('/') ? base + rest.slice(1) : base + rest;
}

function plain(status: number, body: string, requestId: string): GatewayResult {
  const headers = new HeaderBag();
  if (body) headers.set('Content-Type', 'application/json; charset=utf-8');
  return { statusCode: status, statusReason: reasonPhrase(status), headers, body: BodyHolder.fromBytes(body), requestId };
}

/** A policy result that must be awaited (a synchronous section then costs no microtask). */
function isThenable(r: PolicyResult): r is Promise<void | SectionSignal> {
  return typeof (r as { then?: unknown } | undefined)?.then === 'function';
}
