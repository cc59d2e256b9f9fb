/**
 * The upstream HTTP client: undici with pooled keep-alive connections (PERFORMANCE.md: `request()` and
 * the body streamed or read whole — no per-request `stream.pipeline`). Loopback and any backend the folder
 * names; failures become `BackendError`s with APIM's reasons (`BackendConnectionFailure`, `Timeout`).
 */
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { BodyHolder } from './body.js';
import { HeaderBag } from './headers.js';
import { rootCertificates } from 'node:tls';
import type { BackendClient, ClientCertificate, OutboundRequest, OutboundResponse } from './state.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/** A failed backend call. */
export class BackendError extends Error {
  constructor(
    readonly reason: 'BackendConnectionFailure' | 'Timeout',
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
    async send(req: OutboundRequest, signal?: AbortSignal): Promise<OutboundResponse> {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of req.headers.wire()) {
        if (HOP_BY_HOP.has(name.toLowerCase())) continue;
        headers[name] = value;
      }
      if (req.forwardedFor) {
        const prior = req.headers.get('x-forwarded-for');
        headers[prior === undefined ? 'X-Forwarded-For' : findName(headers, 'x-forwarded-for')] = prior === undefined ? req.forwardedFor : `${prior}, ${req.forwardedFor}`;
      }
      let body: Dispatcher.DispatchOptions['body'] = undefined;
      if (req.body.isStream) {
        body = req.body.takeStream() as unknown as Dispatcher.DispatchOptions['body'];
      } else {
        const b = req.body.buffered;
        if (b && b.length > 0) body = b;
      }
      const dispatcher = req.clientCertificate ? certificateAgent(req.clientCertificate, req.rejectUnauthorized === false) : req.rejectUnauthorized === false ? insecure : agent;
      let url = req.url;
      for (let redirects = 0; ; redirects++) {
        let res: Dispatcher.ResponseData;
        try {
          res = await dispatcher.request({
            origin: url.origin,
            path: url.pathname + url.search,
            method: req.method as Dispatcher.HttpMethod,
            headers,
            body,
            headersTimeout: req.timeoutMs,
            bodyTimeout: 0,
            signal,
          });
        } catch (e) {
          throw toBackendError(e, url);
        }
        if (req.followRedirects && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects < 10) {
          await res.body.dump();
          url = new URL(String(res.headers.location), url);
          if (res.statusCode === 303) {
            req.method = 'GET';
            body = undefined;
          }
          continue;
        }
        const out = new HeaderBag();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined || HOP_BY_HOP.has(k) && k !== 'content-length') continue;
          if (Array.isArray(v)) for (const x of v) out.append(k, x);
          else out.append(k, v);
        }
        return { statusCode: res.statusCode, statusReason: '', headers: out, body: BodyHolder.fromStream(res.body) };
      }
    },
    async close() {
      await Promise.all([agent.close(), insecure.close(), ...[...withCertificate.values()].map((a) => a.close())]);
    },
  };
}

function findName(headers: Record<string, unknown>, lower: string): string {
  return Object.keys(headers).find((k) => k.toLowerCase() === lower) ?? lower;
}

function toBackendError(e: unknown, url: URL): BackendError {
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.ConnectTimeoutError) {
    return new BackendError('Timeout', `Request to the backend service timed out: ${url.origin}`, { cause: e });
  }
  const code = (e as { code?: string })?.code ?? '';
  const message = (e as Error)?.message ?? String(e);
  return new BackendError('BackendConnectionFailure', `The backend service at ${url.origin} could not be reached: ${code || message}`, { cause: e });
}
