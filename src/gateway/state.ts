/**
 * The per-request state every policy runs against. One `RequestState` per request; the pipeline creates it,
 * policies read and mutate it, and the expression `context` object (`context.ts`) is a view over it.
 */
import type { Store } from './stores/store.js';
import type { CsDictionary } from '../expressions/values.js';
import type { BodyHolder } from './body.js';
import type { HeaderBag } from './headers.js';
import type { LastError } from './errors.js';
import type { Scope, Section } from './policies/types.js';
import type { TraceRecorder } from './trace.js';
import type { UpstreamCancel } from './upstream.js';

/** The request as it will be sent to the backend (mutated by inbound policies). */
export interface PipelineRequest {
  method: string;
  /** The current backend URL (`context.Request.Url`): service URL + remaining path + query (§4.4). */
  url: URL;
  /** The incoming gateway URL (`context.Request.OriginalUrl`). */
  readonly originalUrl: URL;
  readonly originalMethod: string;
  headers: HeaderBag;
  body: BodyHolder;
  /** Caller address (`context.Request.IpAddress`). */
  readonly ipAddress: string;
  /** Operation template parameters (`context.Request.MatchedParameters`). */
  readonly matchedParameters: ReadonlyMap<string, string>;
}

/** The response being built (from the backend, a mock, return-response, or an error). */
export interface PipelineResponse {
  statusCode: number;
  statusReason: string;
  headers: HeaderBag;
  body: BodyHolder;
}

/** What the request was matched to (§4). */
export interface MatchedRoute {
  readonly api: RuntimeApi;
  readonly operation: RuntimeOperation | undefined;
  readonly product: RuntimeProduct | undefined;
  readonly subscription: RuntimeSubscription | undefined;
}

export interface RuntimeApi {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly path: string;
  readonly protocols: readonly string[];
  readonly serviceUrl: string | undefined;
  readonly revision: string;
  readonly isCurrentRevision: boolean;
  readonly version: string | undefined;
  readonly subscriptionRequired: boolean;
  readonly subscriptionKeyHeader: string;
  readonly subscriptionKeyQuery: string;
}

export interface RuntimeOperation {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly method: string;
  readonly urlTemplate: string;
}

export interface RuntimeProduct {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly subscriptionRequired: boolean;
  readonly approvalRequired: boolean;
  readonly state: string;
  readonly subscriptionLimit: number | undefined;
  readonly apis: readonly string[];
  readonly groups: readonly string[];
}

export interface RuntimeSubscription {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  /** The key used on this request. */
  readonly key: string;
  readonly primaryKey: string;
  readonly secondaryKey: string;
  /** `/products/x`, `/apis/y`, `/apis` (all APIs) or `/` (service, all-access). */
  readonly scope: string;
  readonly allowTracing: boolean;
  readonly userId: string | undefined;
}

/** A log line sink (access log, `log-to-eventhub`, `emit-metric` in local mode). */
export interface GatewayLogger {
  /** One access-log record per request. */
  access(record: AccessRecord): void;
  /** Events from policies: `log-to-eventhub` messages, metrics, warnings. */
  event(kind: 'eventhub' | 'metric' | 'trace' | 'warn', data: Record<string, unknown>): void;
}

export interface AccessRecord {
  time: string;
  method: string;
  path: string;
  api: string | undefined;
  operation: string | undefined;
  status: number;
  ms: number;
  requestId: string;
}

/** A backend request the gateway sends (forward-request, send-request). */
export interface OutboundRequest {
  method: string;
  url: URL;
  headers: HeaderBag;
  body: BodyHolder;
  /** Time to wait for response headers, ms. */
  timeoutMs: number;
  followRedirects: boolean;
  /** Reject backend certificates that do not validate (backend `tls.validateCertificateChain`). */
  rejectUnauthorized?: boolean;
  /** Appended to `X-Forwarded-For` on the wire (the caller's address). */
  forwardedFor?: string;
  /** A client TLS certificate to present (authentication-certificate); the client keeps one dispatcher per certificate. */
  clientCertificate?: ClientCertificate;
  /** Fired when the caller of the gateway went away: the exchange is aborted (`ClientConnectionFailure`). */
  cancel?: UpstreamCancel;
}

/** A client TLS certificate (authentication-certificate), loaded when the gateway is created. */
export interface ClientCertificate {
  /** The certificate's name (`certificate-id`), or `body` for one from an expression. */
  readonly name: string;
  /** SHA-1 thumbprint, upper-case hex without separators (undefined when it cannot be read from a PFX). */
  readonly thumbprint: string | undefined;
  /** node `tls` options presenting it: `cert` + `key` (PEM), or `pfx`, and `passphrase`. */
  readonly tls: { readonly cert?: string; readonly key?: string; readonly pfx?: Buffer; readonly passphrase?: string };
}

export interface OutboundResponse {
  statusCode: number;
  statusReason: string;
  headers: HeaderBag;
  body: BodyHolder;
}

/** The upstream HTTP client (undici, pooled keep-alive). Errors are `BackendError`s. */
export interface BackendClient {
  send(req: OutboundRequest, signal?: AbortSignal): Promise<OutboundResponse>;
  close(): Promise<void>;
}

/**
 * Resilience around backend entities (circuit breaker, load-balanced pools), plugged in by the traffic
 * part. `forward-request` asks it which URL to call when `set-backend-service backend-id` chose an entity,
 * and reports every outcome.
 */
export interface BackendGuard {
  /**
   * The URL (base URL of the backend entity or of a pool member) to call for `backend`, or throws a
   * `PolicyError` (e.g. 503 when the circuit is open).
   */
  select(backend: import('./policies/types.js').BackendConfig, state: RequestState): { url: string; memberId: string };
  /** The outcome of a call to `memberId`: a status code, or an error reason (`Timeout`, `BackendConnectionFailure`). */
  record(memberId: string, outcome: { statusCode?: number; errorReason?: string; retryAfter?: string }, state: RequestState): void;
}

/** Services shared by every request of one gateway. */
export interface GatewayServices {
  /** Counters and cache (rate-limit, quota, cache-*). */
  readonly store: Store;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger: GatewayLogger;
  readonly backendClient: BackendClient;
  /** Waits (retry intervals); injected so tests never wait real time. */
  readonly sleep: (ms: number) => Promise<void>;
  /** A random UUID (RequestId, `Guid.NewGuid()`); injected for deterministic tests. */
  readonly uuid: () => string;
  /** Circuit breakers and pools (issue 6); absent = call the backend URL directly. */
  readonly backendGuard?: BackendGuard;
  /**
   * Per-gateway extension slots for policies that keep state across requests (circuit breakers, JWKS caches,
   * limit-concurrency counters). Keyed by the policy module's choice of name.
   */
  readonly extensions: Map<string, unknown>;
}

/** Everything one request carries through the pipeline. */
export interface RequestState {
  readonly requestId: string;
  /** Epoch ms when the request arrived (`context.Timestamp`). */
  readonly startedAt: number;
  request: PipelineRequest;
  response: PipelineResponse;
  /** `context.Variables` (ordinal keys; `get`/`set`/`has`/`delete` like a Map). */
  readonly variables: CsDictionary<unknown>;
  readonly route: MatchedRoute;
  readonly services: GatewayServices;
  /** The trace of this request when `Ocp-Apim-Trace: true` was sent and allowed; otherwise undefined. */
  readonly trace: TraceRecorder | undefined;
  /** Section currently running. */
  section: Section;
  /** Scope of the policy currently running (for LastError). */
  scope: Scope;
  /** Set when processing enters on-error. */
  lastError: LastError | undefined;
  /** Backend chosen by `set-backend-service backend-id` (credentials, circuit breaker). */
  backendId: string | undefined;
  /** The base (service) URL that `request.url` currently starts with (the API's serviceUrl, or a set-backend-service). */
  backendBaseUrl: string | undefined;
  /** The `context` object expressions see: created on first use by the expression bridge, then reused. */
  context: unknown;
  /**
   * Set while `return-response` or `send-request` run their children: `set-header`, `set-body`,
   * `set-status`, `set-method`, `set-url` then act on this message instead of the section's default.
   */
  messageOverride: { kind: 'request'; message: PipelineRequest } | { kind: 'response'; message: PipelineResponse } | undefined;
  /** Set by `authentication-certificate` in inbound: forward-request presents it to the backend. */
  clientCertificate?: ClientCertificate;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal | undefined;
  /** Fired when the client's connection closes before the response (server.ts); forward-request aborts its call. */
  readonly cancel?: UpstreamCancel;
}

/** The backend URL base used when an API has no service URL (forward-request then fails clearly). */
export const NO_SERVICE_URL = 'http://no-service-url.invalid';
/** Its host, what forward-request compares against (no URL parse per request). */
export const NO_SERVICE_HOST = 'no-service-url.invalid';
