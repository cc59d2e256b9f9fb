/**
 * The one way apimops talks to Azure Resource Manager: a factory for the real `@azure/arm-apimanagement`
 * client (credential, endpoint, retry policy) plus a small raw-request helper that goes through the same
 * SDK pipeline (auth, retries honouring Retry-After, request ids). Only `src/arm/` imports `@azure/*`.
 *
 * Why raw requests next to the typed SDK: extract must round-trip ARM's `properties` byte for byte. The
 * SDK's typed operations flatten `properties`, turn dates into `Date`s and drop fields they do not know;
 * `client.sdk.sendRequest(...)` gives the exact JSON while keeping the production pipeline.
 */
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import {
  RestError,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { UserError } from '../shared/errors.js';

/** The api-version every request uses (ARM.md §1: newest stable). */
export const ARM_API_VERSION = '2024-05-01';

/** Public Azure Resource Manager. Sovereign clouds pass `--endpoint` (see `CLOUD_ENDPOINTS`). */
export const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';

/** Well-known ARM endpoints, accepted by name in `--endpoint` (Azure/apiops `AZURE_CLOUD_ENVIRONMENT` names). */
export const CLOUD_ENDPOINTS: Readonly<Record<string, string>> = {
  AzurePublicCloud: 'https://management.azure.com',
  AzureChinaCloud: 'https://management.chinacloudapi.cn',
  AzureUSGovernment: 'https://management.usgovcloudapi.net',
};

/** Which APIM service to talk to, and how. */
export interface ArmTargetOptions {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  /**
   * ARM base URL (default `https://management.azure.com`, or a cloud name of `CLOUD_ENDPOINTS`).
   * `http://` is accepted only for loopback hosts (a local fake ARM server, e.g. `npm run fake-arm`).
   */
  endpoint?: string;
  /** A credential; default: `AZURE_BEARER_TOKEN` if set, else `DefaultAzureCredential`. */
  credential?: TokenCredential;
  /** SDK retry policy tuning (tests shorten the delays). */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** Upper bound applied to a server's Retry-After (the SDK applies none: `Retry-After: 3600` sleeps an hour). */
  maxRetryAfterSeconds?: number;
  /** Wait assumed for a 429 that says nothing (default 1 s); the SDK would not retry it at all. */
  missingRetryAfterSeconds?: number;
  /** Called for every HTTP attempt (retries included): drives adaptive back-off and progress counters. */
  onResponse?: (event: ArmResponseEvent) => void;
}

/** One HTTP attempt as seen below the SDK's retry policy. */
export interface ArmResponseEvent {
  method: string;
  url: string;
  status: number;
  /** Seconds the server asked us to wait (429/503), if it said. */
  retryAfterSeconds?: number;
  /** Time from sending the request to its response, this attempt only. */
  durationMs: number;
}

/** A raw ARM response: status, headers we care about, parsed JSON body. */
export interface ArmResponse<T = unknown> {
  status: number;
  body: T;
  etag?: string;
  headers: Record<string, string>;
}

/** Options of `ArmClient.request`. */
export interface ArmRequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  ifMatch?: string;
  /** Statuses returned instead of thrown (e.g. `[404]` to probe for existence). */
  accept?: readonly number[];
}

/** What `createArmClient` returns: the typed SDK client plus raw helpers over the same pipeline. */
export interface ArmClient {
  /** The real SDK client: typed operations, pollers for long-running operations. */
  readonly sdk: ApiManagementClient;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly serviceName: string;
  /** `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<name>`. */
  readonly serviceId: string;
  /** The ARM base URL requests are addressed to (what ARM ids and nextLinks are relative to). */
  readonly endpoint: string;
  /** A request to a service-relative path (`/apis/x`), through the SDK pipeline. Throws `RestError` on non-2xx. */
  request<T = unknown>(method: HttpMethods, path: string, options?: ArmRequestOptions): Promise<ArmResponse<T>>;
  /** Every item of a pageable list (follows `nextLink` verbatim, as the SDK's pagers do). */
  list<T = unknown>(path: string, query?: Record<string, string | undefined>): Promise<T[]>;
  /** GETs an export link (a blob SAS URL) without ARM credentials, as APIM expects. */
  download(url: string): Promise<string>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A credential returning a fixed token: for `AZURE_BEARER_TOKEN` and for loopback fakes. */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
    },
  };
}

/** Resolves `--endpoint` (URL or cloud name) and checks it; returns the normalised base URL. */
export function resolveEndpoint(endpoint: string | undefined): { base: string; loopbackHttp: boolean } {
  const raw = endpoint === undefined || endpoint === '' ? PUBLIC_ARM_ENDPOINT : (CLOUD_ENDPOINTS[endpoint] ?? endpoint);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError('E_USAGE', `--endpoint '${raw}' is not a URL`, {
      hint: `use an https URL such as ${PUBLIC_ARM_ENDPOINT}, or one of ${Object.keys(CLOUD_ENDPOINTS).join(', ')}`,
    });
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  if (url.protocol === 'https:') return { base, loopbackHttp: false };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return { base, loopbackHttp: true };
  throw new UserError('E_USAGE', `--endpoint '${raw}': ARM endpoints must use https`, {
    hint: 'plain http is accepted only for a local fake ARM server on 127.0.0.1/localhost',
  });
}

/**
 * Creates the ARM client for one APIM service.
 *
 * Credentials: `options.credential`, else `AZURE_BEARER_TOKEN` from `env`, else `DefaultAzureCredential`
 * (az login, managed identity, workload identity, env service principal). A loopback http endpoint never
 * gets a real Azure token: it uses `AZURE_BEARER_TOKEN` or a fixed placeholder.
 *
 * A loopback `http://` endpoint uses ARM.md §7.2 workaround C: the SDK keeps addressing
 * `https://management.azure.com` (so the bearer policy stays on, unmodified) and a custom `HttpClient`
 * delivers those requests to the loopback server. Real endpoints are https and use the stock pipeline.
 *
 * @example
 * const arm = createArmClient({ subscriptionId, resourceGroup: 'rg-apim-dev', serviceName: 'apim-dev' }, process.env);
 * const apis = await arm.list('/apis');
 */
export function createArmClient(options: ArmTargetOptions, env: NodeJS.ProcessEnv = {}): ArmClient {
  const { base, loopbackHttp } = resolveEndpoint(options.endpoint);
  const bearer = env.AZURE_BEARER_TOKEN?.trim();
  const credential =
    options.credential ??
    (bearer ? staticTokenCredential(bearer) : loopbackHttp ? staticTokenCredential('apimops-local-fake-arm') : new DefaultAzureCredential());

  // Workaround C: the pipeline sees https://management.azure.com; the bytes go to the loopback server.
  const sdkEndpoint = loopbackHttp ? PUBLIC_ARM_ENDPOINT : base;
  let httpClient: HttpClient | undefined;
  if (loopbackHttp) {
    const inner = createDefaultHttpClient();
    httpClient = {
      sendRequest(request: PipelineRequest) {
        if (request.url.startsWith(PUBLIC_ARM_ENDPOINT)) {
          request.url = base + request.url.slice(PUBLIC_ARM_ENDPOINT.length);
          request.allowInsecureConnection = true;
        }
        return inner.sendRequest(request);
      },
    };
  }

  const sdk = new ApiManagementClient(credential, options.subscriptionId, {
    endpoint: sdkEndpoint,
    credentialScopes: [`${sdkEndpoint}/.default`],
    ...(httpClient ? { httpClient } : {}),
    retryOptions: {
      maxRetries: options.retry?.maxRetries ?? 5,
      retryDelayInMs: options.retry?.retryDelayInMs ?? 800,
      maxRetryDelayInMs: options.retry?.maxRetryDelayInMs ?? 30_000,
    },
    userAgentOptions: { userAgentPrefix: 'apimops' },
  });

  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
  // Runs inside the retry loop (after the Retry phase), so it sees every attempt. It makes throttling
  // retryable and bounded: ARM.md §7.4 — a 429 without Retry-After is not retried by the SDK at all, and a
  // huge Retry-After is slept in full. Neither is acceptable for a 1,000-API extract.
  sdk.pipeline.addPolicy(
    {
      name: 'apimopsThrottleObserver',
      async sendRequest(request, next) {
        const started = performance.now();
        const response = await next(request);
        const durationMs = performance.now() - started;
        let retryAfterSeconds: number | undefined;
        if (response.status === 429 || response.status === 503) {
          retryAfterSeconds = parseRetryAfter(response);
          if (retryAfterSeconds === undefined && response.status === 429) {
            retryAfterSeconds = options.missingRetryAfterSeconds ?? 1;
            response.headers.set('retry-after', String(retryAfterSeconds));
          } else if (retryAfterSeconds !== undefined && retryAfterSeconds > maxRetryAfter) {
            retryAfterSeconds = maxRetryAfter;
            response.headers.delete('retry-after-ms');
            response.headers.delete('x-ms-retry-after-ms');
            response.headers.set('retry-after', String(maxRetryAfter));
          }
        }
        options.onResponse?.({ method: request.method, url: request.url, status: response.status, retryAfterSeconds, durationMs });
        return response;
      },
    },
    { afterPhase: 'Retry' },
  );

  const serviceId =
    `/subscriptions/${options.subscriptionId}/resourceGroups/${options.resourceGroup}` +
    `/providers/Microsoft.ApiManagement/service/${options.serviceName}`;

  async function send<T>(method: HttpMethods, url: string, opts: ArmRequestOptions = {}): Promise<ArmResponse<T>> {
    const headers = createHttpHeaders({ accept: 'application/json' });
    if (opts.body !== undefined) headers.set('content-type', 'application/json');
    if (opts.ifMatch !== undefined) headers.set('if-match', opts.ifMatch);
    const request = createPipelineRequest({
      url,
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const response = await sdk.sendRequest(request);
    const text = response.bodyAsText ?? '';
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text; // APIM sometimes answers policy endpoints with raw XML (ARM.md §4)
      }
    }
    const ok = response.status >= 200 && response.status < 300;
    if (!ok && !(opts.accept ?? []).includes(response.status)) throw restErrorFrom(response, request, body);
    const etag = response.headers.get('etag') ?? undefined;
    return { status: response.status, body: body as T, etag, headers: response.headers.toJSON() };
  }

  function urlFor(path: string, query: Record<string, string | undefined> = {}): string {
    const params = new URLSearchParams();
    params.set('api-version', ARM_API_VERSION);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const encodedPath = path
      .split('/')
      .map((segment) => encodeURIComponent(decodeSafe(segment)))
      .join('/');
    return `${sdkEndpoint}${serviceId}${encodedPath}?${params.toString()}`;
  }

  return {
    sdk,
    subscriptionId: options.subscriptionId,
    resourceGroup: options.resourceGroup,
    serviceName: options.serviceName,
    serviceId,
    endpoint: sdkEndpoint,
    request: (method, path, opts) => send(method, urlFor(path, opts?.query), opts),
    async list<T>(path: string, query?: Record<string, string | undefined>): Promise<T[]> {
      const items: T[] = [];
      let url: string | undefined = urlFor(path, query);
      const seen = new Set<string>();
      while (url) {
        if (seen.has(url)) throw new Error(`ARM paging loop: nextLink ${url} was already visited`);
        seen.add(url);
        const page: ArmResponse<{ value?: T[]; nextLink?: string | null }> = await send('GET', url);
        items.push(...(page.body?.value ?? []));
        url = page.body?.nextLink || undefined;
      }
      return items;
    },
    async download(url: string): Promise<string> {
      const target = loopbackHttp && url.startsWith(PUBLIC_ARM_ENDPOINT) ? base + url.slice(PUBLIC_ARM_ENDPOINT.length) : url;
      const parsed = new URL(target);
      if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
        throw new UserError('E_ARM', `refusing to download an export link over plain http: ${parsed.host}`);
      }
      // Unauthenticated on purpose: export links are pre-signed blob URLs (ARM.md §3 "Export").
      const request = createPipelineRequest({ url: target, method: 'GET', allowInsecureConnection: parsed.protocol === 'http:' });
      const response = await (httpClient ?? createDefaultHttpClient()).sendRequest(request);
      if (response.status !== 200) {
        throw new RestError(`export download answered ${response.status}`, { statusCode: response.status, request, response });
      }
      return response.bodyAsText ?? '';
    },
  };
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Seconds from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function parseRetryAfter(response: PipelineResponse): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = response.headers.get(name);
    if (v !== undefined && Number.isFinite(Number(v))) return Number(v) / 1000;
  }
  const v = response.headers.get('retry-after');
  if (v === undefined) return undefined;
  if (Number.isFinite(Number(v))) return Number(v);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** Builds the SDK's `RestError` from an ARM error body `{ error: { code, message, details } }`. */
function restErrorFrom(response: PipelineResponse, request: PipelineRequest, body: unknown): RestError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const message = error?.message ?? `${request.method} answered HTTP ${response.status}`;
  const err = new RestError(message, { code: error?.code, statusCode: response.status, request, response });
  err.details = body;
  return err;
}
