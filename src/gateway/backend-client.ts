/**
 * The upstream HTTP client: undici with pooled keep-alive connections, one `dispatch()` per exchange with our
 * own handler (upstream.ts: small bodies read whole, large ones streamed — no per-request `stream.pipeline`,
 * PERFORMANCE.md). Loopback and any backend the folder names; failures become `BackendError`s with APIM's
 * reasons (`BackendConnectionFailure`, `Timeout`, `ClientConnectionFailure` when the caller went away).
 */
import { rootCertificates } from 'node:tls';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { BackendClient, ClientCertificate, OutboundRequest, OutboundResponse } from './state.js';
import { exchange, HOP_BY_HOP, UpstreamCancel, type UpstreamResponse } from './upstream.js';

/** Request headers not forwarded as they are when the client's address is appended to X-Forwarded-For. */
const NOT_FORWARDED_XFF: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'x-forwarded-for']);

/** A failed backend call. */
export class BackendError extends Error {
  constructor(
    readonly reason: 'BackendConnectionFailure' | 'Timeout' | 'ClientConnectionFailure',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendError';
  }
}

export interface UndiciClientOptions {
  /** Idle keep-alive time of pooled connections, ms. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Max connections per origin. Default 256. */
  connections?: number;
  /** Extra trusted CA certificates (PEM) for https backends, on top of node's root store. */
  ca?: readonly string[];
}

/** Creates the pooled undici client. */
export function createUndiciClient(options: UndiciClientOptions = {}): BackendClient {
  const trusted = options.ca?.length ? { ca: [...rootCertificates, ...options.ca] } : undefined;
  const agent = new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connections ?? 256,
    pipelining: 1,
    ...(trusted ? { connect: trusted } : {}),
  });
  const insecure = new Agent({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000, connections: options.connections ?? 256, connect: { rejectUnauthorized: false } });
  // One pooled dispatcher per client certificate (authentication-certificate), made on first use.
  const withCertificate = new Map<string, Agent>();
  const certificateAgent = (c: ClientCertificate, insecureTls: boolean): Agent => {
    const key = `${c.name}\0${c.thumbprint ?? ''}\0${insecureTls}`;
    let a = withCertificate.get(key);
    if (!a) {
      a = new Agent({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000, connections: options.connections ?? 256, connect: { ...c.tls, ...(insecureTls ? { rejectUnauthorized: false } : trusted) } });
      withCertificate.set(key, a);
    }
    return a;
  };
  return {
    send(req: OutboundRequest, signal?: AbortSignal): Promise<OutboundResponse> {
      // [name, value, …] straight from the bag, hop-by-hop and X-Forwarded-For left out (appended below).
      const headers = req.headers.flat(req.forwardedFor ? NOT_FORWARDED_XFF : HOP_BY_HOP);
      if (req.forwardedFor) {
        const prior = req.headers.get('x-forwarded-for');
        headers.push('X-Forwarded-For', prior === undefined ? req.forwardedFor : `${prior}, ${req.forwardedFor}`);
      }
      let body: Dispatcher.DispatchOptions['body'] = undefined;
      if (req.body.isStream) {
        body = req.body.takeStream() as unknown as Dispatcher.DispatchOptions['body'];
      } else {
        const b = req.body.buffered;
        if (b && b.length > 0) body = b;
      }
      const dispatcher = req.clientCertificate ? certificateAgent(req.clientCertificate, req.rejectUnauthorized === false) : req.rejectUnauthorized === false ? insecure : agent;
      const cancel = req.cancel ?? (signal ? cancelOnAbort(signal) : undefined);
      const url = req.url;
      const options: Dispatcher.DispatchOptions = { origin: url.origin, path: url.pathname + url.search, method: req.method as Dispatcher.HttpMethod, headers, body, headersTimeout: req.timeoutMs, bodyTimeout: 0 };
      // The common case is the exchange's own promise (failures already translated): no promise layer of ours.
      if (!req.followRedirects) return exchange(dispatcher, options, cancel, (e) => toBackendError(e, url, cancel));
      return sendFollowingRedirects(req, dispatcher, options, cancel);
    },
    async close() {
      await Promise.all([agent.close(), insecure.close(), ...[...withCertificate.values()].map((a) => a.close())]);
    },
  };
}

/** `send` with `follow-redirects="true"`: up to 10 redirects, a 303 turning the request into a GET. */
async function sendFollowingRedirects(req: OutboundRequest, dispatcher: Dispatcher, first: Dispatcher.DispatchOptions, cancel: UpstreamCancel | undefined): Promise<OutboundResponse> {
  let url = req.url;
  let options = first;
  for (let redirects = 0; ; redirects++) {
    const res: UpstreamResponse = await exchange(dispatcher, options, cancel, (e) => toBackendError(e, url, cancel));
    const location = res.headers.get('location');
    if (res.statusCode >= 300 && res.statusCode < 400 && location && redirects < 10) {
      if (res.body.isStream) await res.body.read();
      url = new URL(location, url);
      options = { ...options, origin: url.origin, path: url.pathname + url.search };
      if (res.statusCode === 303) {
        req.method = 'GET';
        options.method = 'GET';
        options.body = undefined;
      }
      continue;
    }
    return res;
  }
}

/** The caller's AbortSignal as an `UpstreamCancel` (embedders and tests; the server passes a cancel itself). */
function cancelOnAbort(signal: AbortSignal): UpstreamCancel {
  const cancel = new UpstreamCancel();
  if (signal.aborted) cancel.abort(new Error('aborted'));
  else signal.addEventListener('abort', () => cancel.abort(new Error('aborted')), { once: true });
  return cancel;
}

function toBackendError(e: unknown, url: URL, cancel: UpstreamCancel | undefined): BackendError {
  if (cancel?.aborted) {
    return new BackendError('ClientConnectionFailure', `The client closed the connection while the backend call to ${url.origin} was pending`, { cause: e });
  }
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.ConnectTimeoutError) {
    return new BackendError('Timeout', `Request to the backend service timed out: ${url.origin}`, { cause: e });
  }
  const code = (e as { code?: string })?.code ?? '';
  const message = (e as Error)?.message ?? String(e);
  return new BackendError('BackendConnectionFailure', `The backend service at ${url.origin} could not be reached: ${code || message}`, { cause: e });
}
