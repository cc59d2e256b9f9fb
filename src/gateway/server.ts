/**
 * node:http adapter for the gateway: keep-alive, limits (413 for a body over `maxBodyBytes`, 431 for
 * headers over `maxHeaderBytes`, 400 for malformed HTTP — never a crash), `GET /status-0123456789abcdef`,
 * one access-log line per request, and a graceful `close()` that stops accepting, lets in-flight requests
 * finish, then closes idle keep-alive connections. Signals are handled by the CLI (`serve`), not here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BodyHolder, BodyTooLargeError } from './body.js';
import type { Gateway, GatewayResult } from './gateway.js';
import { HeaderBag } from './headers.js';
import { errorBody } from './responses.js';
import type { AccessRecord } from './state.js';
import { UpstreamCancel, WHOLE_BODY_MAX } from './upstream.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Largest request header section, bytes (node's `maxHeaderSize`). Default 32 KiB. */
  maxHeaderBytes?: number;
  /** Largest request body, bytes (by Content-Length, and while buffering). Default 16 MiB. */
  maxBodyBytes?: number;
  /** Keep-alive idle timeout, ms. Default 65 s (longer than common load-balancer idle timeouts). */
  keepAliveTimeoutMs?: number;
  /** Called once per request after the response is sent. */
  onAccess?: (line: AccessLine) => void;
}

/** One access-log line: what the gateway records per request (`state.ts`). */
export type AccessLine = AccessRecord;

export interface RunningServer {
  readonly server: Server;
  /** `http://127.0.0.1:12345` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, waits for in-flight requests, closes idle connections. */
  close(): Promise<void>;
}


/** Starts listening; resolves once bound. */
export async function startServer(gateway: Gateway, options: ServerOptions = {}): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const finished = (res: ServerResponse): void => {
    inFlight--;
    if (closing) res.shouldKeepAlive = false;
    if (closing && inFlight === 0) drained?.();
  };
  const server = createServer({ maxHeaderSize: options.maxHeaderBytes ?? 32 * 1024, keepAlive: true, requestTimeout: 0 }, (req, res) => {
    inFlight++;
    void handleRequest(gateway, req, res, maxBody, options.onAccess, finished);
  });
  // A client that goes away aborts its request's backend call: one close listener per connection (not per
  // request), firing the cancel of the request in flight on it.
  server.on('connection', (socket: Socket) => {
    socket.once('close', () => (socket as CancellableSocket)[IN_FLIGHT]?.abort(new Error('the client closed the connection')));
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = Math.max(server.keepAliveTimeout + 1000, 66_000);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = code === 431 ? 'Request header fields too large' : code === 408 ? 'Request timeout' : 'Bad request';
    const body = errorBody(code, message);
    socket.end(`HTTP/1.1 ${code} ${code === 431 ? 'Request Header Fields Too Large' : code === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
        if (inFlight === 0) {
          server.closeIdleConnections();
        } else {
          drained = () => {
            // Responses just finished: their connections are idle (and marked not keep-alive) now.
            setImmediate(() => server.closeIdleConnections());
          };
        }
      }),
  };
}

/**
 * One request, start to end, in one async call: its failure guard and the in-flight count are inside it (a
 * `.catch().finally()` chain would cost two more promises, closures and microtask turns on every request).
 */
async function handleRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse, maxBody: number, onAccess: ServerOptions['onAccess'], finished: (res: ServerResponse) => void): Promise<void> {
  try {
    const t0 = performance.now();
    let result: GatewayResult;
    // The bag is built once from the raw lines; node's lazily built `req.headers` object is never asked for.
    const headers = HeaderBag.fromRaw(req.rawHeaders);
    const hostHeader = headers.getAll('host')[0] ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 80}`;
    let url: URL;
    try {
      const target = req.url ?? '/';
      // origin-form (`/path?q`) and a plain Host: one parse of the joined string costs half of resolving
      // against a base. A Host with URL delimiters in it must not become part of the path: the slow way then.
      url =
        target.charCodeAt(0) === 47 && target.charCodeAt(1) !== 47 && !HOST_DELIMITERS.test(hostHeader)
          ? new URL(`http://${hostHeader}${target}`)
          : new URL(target, `http://${hostHeader}`);
    } catch {
      result = local(400, 'Bad request');
      const written = writeResult(req, res, result);
      if (written) await written;
      return;
    }
    const cl = headers.getAll('content-length')[0];
    if (cl !== undefined && Number(cl) > maxBody) {
      result = local(413, 'Request entity too large');
      res.shouldKeepAlive = false;
      const written = writeResult(req, res, result);
      if (written) await written;
      req.resume();
      access(onAccess, req, url, result, t0);
      return;
    }
    const hasBody = (cl !== undefined && cl !== '0') || headers.has('transfer-encoding');
    // A chunked body has no length to check up front: count it as it streams (to the backend or into a
    // policy's buffer) and answer 413 once it passes the limit, whatever the pipeline made of the cut-off body.
    let overLimit = false;
    const source = hasBody && cl === undefined ? limitBody(req, maxBody, () => (overLimit = true)) : req;
    const body = hasBody ? BodyHolder.fromStream(source) : BodyHolder.empty();
    const cancel = new UpstreamCancel();
    const socket = req.socket as CancellableSocket;
    socket[IN_FLIGHT] = cancel;
    // No AbortSignal per request (its listener alone costs ~6–10 µs): `cancel` is a plain callback slot.
    result = await gateway.handle({
      method: req.method ?? 'GET',
      url,
      headers,
      body,
      ipAddress: req.socket.remoteAddress ?? '',
      cancel,
    });
    if (socket[IN_FLIGHT] === cancel) socket[IN_FLIGHT] = undefined;
    if (overLimit) {
      result = { ...local(413, 'Request entity too large'), api: result.api, operation: result.operation, requestId: result.requestId };
      res.shouldKeepAlive = false;
    }
    if (!req.complete) req.resume();
    const written = writeResult(req, res, result);
    if (written) await written;
    access(onAccess, req, url, result, t0);
  } catch {
    // Every failure above becomes a response; this only guards against a socket gone away.
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    } else res.destroy();
  } finally {
    finished(res);
  }
}

/** Characters that would change a URL's structure if a Host header carrying them were joined with the path. */
const HOST_DELIMITERS = /[/?#@\\]/;

/** Where a connection keeps the cancel of the request it is serving. */
const IN_FLIGHT = Symbol('apimops.inFlight');
type CancellableSocket = Socket & { [IN_FLIGHT]?: UpstreamCancel };

/** The request body, failing with `BodyTooLargeError` (and telling the caller) once it passes `max` bytes. */
async function* limitBody(req: IncomingMessage, max: number, onOver: () => void): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      onOver();
      throw new BodyTooLargeError(max);
    }
    yield chunk;
  }
}

let lastStampMs = 0;
let lastStamp = '';
/** ISO time of now, formatted once per millisecond (many requests share one under load). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastStampMs) {
    lastStampMs = ms;
    lastStamp = new Date(ms).toISOString();
  }
  return lastStamp;
}

function access(onAccess: ServerOptions['onAccess'], req: IncomingMessage, url: URL, r: GatewayResult, t0: number): void {
  if (!onAccess) return;
  onAccess({ time: isoNow(), method: req.method ?? '', path: url.pathname, api: r.api, operation: r.operation, status: r.statusCode, ms: Math.round((performance.now() - t0) * 100) / 100, requestId: r.requestId });
}

function local(status: number, message: string): GatewayResult {
  const headers = new HeaderBag();
  headers.set('Content-Type', 'application/json; charset=utf-8');
  return { statusCode: status, statusReason: '', headers, body: BodyHolder.fromBytes(errorBody(status, message)), requestId: '' };
}

/** Response headers node writes itself (framing) or that must not cross a hop. */
const NOT_WRITTEN: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Writes the result; a buffered body (the common case) is written at once and nothing is returned to await. */
function writeResult(req: IncomingMessage, res: ServerResponse, r: GatewayResult): Promise<void> | undefined {
  const noBody = req.method === 'HEAD' || r.statusCode === 204 || r.statusCode === 304;
  const buffered = r.body.buffered;
  if (buffered) {
    writeHead(res, r, noBody ? undefined : buffered.length);
    res.end(noBody ? undefined : buffered);
    return undefined;
  }
  return writeStreamed(res, r, noBody);
}

/** Status line and headers: one flat [name, value, …] array for writeHead (cheaper than a setHeader per header). */
function writeHead(res: ServerResponse, r: GatewayResult, length: number | undefined): void {
  const flat = r.headers.flat(NOT_WRITTEN);
  if (length !== undefined) flat.push('Content-Length', String(length));
  if (r.statusReason) res.writeHead(r.statusCode, r.statusReason, flat);
  else res.writeHead(r.statusCode, flat);
}

async function writeStreamed(res: ServerResponse, r: GatewayResult, noBody: boolean): Promise<void> {
  const len = Number(r.headers.get('content-length') ?? NaN);
  if (noBody) {
    const s = r.body.takeStream();
    writeHead(res, r, Number.isFinite(len) ? len : undefined);
    res.end();
    if (s) for await (const _ of s) void _; // drain so the upstream connection returns to the pool
    return;
  }
  if (Number.isFinite(len) && len <= WHOLE_BODY_MAX) {
    const whole = await r.body.read();
    writeHead(res, r, whole.length);
    res.end(whole);
    return;
  }
  // A large body still as the backend sent it: its length is known, so no chunked framing is needed.
  writeHead(res, r, Number.isFinite(len) ? len : undefined);
  const s = r.body.takeStream();
  if (s) {
    // A client that goes away mid-body ends the copy (leaving the loop destroys the source, which releases
    // the backend connection); waiting only for 'drain' would wait for ever.
    for await (const chunk of s) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await drainedOrClosed(res);
      if (res.destroyed) break;
    }
  }
  if (!res.destroyed) res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
