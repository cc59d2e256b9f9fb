/**
 * One upstream exchange on undici's `dispatch()` with our own handler (PERFORMANCE.md: forward with
 * `stream()`, or read small bodies whole). `request()` wraps every response body in a node `Readable` and
 * every call in an `AsyncResource`; for the common small response neither is needed. This handler reads a
 * body of known length up to `WHOLE_BODY_MAX` straight into one buffer and only makes a `Readable` (with
 * back-pressure through undici's `resume`) for a large or chunked body.
 */
import { Readable } from 'node:stream';
import { util, type Dispatcher } from 'undici';
import { BodyHolder } from './body.js';
import { HeaderBag } from './headers.js';

/** Bodies up to this size (by `Content-Length`) are read whole before the response is handed on. */
export const WHOLE_BODY_MAX = 1024 * 1024;

/** Hop-by-hop headers (RFC 9110 §7.6.1) never forwarded; `content-length` is set by whoever writes the body. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/**
 * What came back: status, headers (hop-by-hop removed, `content-length` kept) and the body. The shape of the
 * gateway's `OutboundResponse`, so the upstream client hands it on as it is.
 */
export interface UpstreamResponse {
  statusCode: number;
  /** HTTP/1.1 reason phrases are not kept: the gateway answers with the standard one. */
  statusReason: '';
  headers: HeaderBag;
  body: BodyHolder;
}

/**
 * Lets the caller abort an exchange in flight (a client that went away). A plain object with a callback
 * slot: an `AbortSignal` listener costs ~6–10 µs a request, this costs nothing until it fires.
 */
export class UpstreamCancel {
  aborted = false;
  /** Set by the exchange while it is in flight. */
  onAbort: ((reason: Error) => void) | undefined = undefined;
  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.onAbort?.(reason);
  }
}

/**
 * Sends one request; resolves once the headers (and a small body) are in, rejects with undici's error — or
 * with `mapError`'s, so a caller needs no promise layer of its own to translate failures.
 */
export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, cancel?: UpstreamCancel, mapError?: (e: Error) => Error): Promise<UpstreamResponse> {
  return new Promise<UpstreamResponse>((resolve, reject) => {
    const fail = mapError ? (e: Error) => reject(mapError(e)) : reject;
    if (cancel?.aborted) {
      fail(new Error('the client closed the connection'));
      return;
    }
    dispatcher.dispatch(options, new ExchangeHandler(resolve, fail, cancel));
  });
}

/** undici's native (legacy) handler interface: no adapter between the HTTP parser and this code. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private settled = false;
  private status = 0;
  private headers: HeaderBag | undefined;
  private chunks: Buffer[] | undefined;
  private size = 0;
  private stream: Readable | undefined;
  private resumeUpstream: (() => void) | undefined;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private done = false;

  constructor(
    private readonly resolve: (r: UpstreamResponse) => void,
    private readonly reject: (e: Error) => void,
    private readonly cancel: UpstreamCancel | undefined,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.cancel) this.cancel.onAbort = (reason) => abort(reason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final response follows
    this.status = statusCode;
    const headers = new HeaderBag();
    let length = -1;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      // Lower-cased names, as undici's own header parsing gives them (a lookup tree for the common names, no
      // string copy): what the bare `stream()` proxy forwards too. HTTP/1.1 names are case-insensitive.
      const name = util.headerNameToString(rawHeaders[i]!);
      const value = rawHeaders[i + 1]!.toString('latin1');
      if (name === 'content-length') length = Number(value);
      else if (HOP_BY_HOP.has(name)) continue;
      headers.appendLower(name, name, value);
    }
    this.headers = headers;
    if (length >= 0 && length <= WHOLE_BODY_MAX) {
      this.chunks = [];
      return true;
    }
    this.resumeUpstream = resume;
    this.stream = new Readable({
      read: () => this.resumeUpstream?.(),
      // A reader that gives up (the client went away) releases the backend connection instead of leaving
      // it paused for ever.
      destroy: (err, callback) => {
        if (!this.done) this.abortUpstream?.(err ?? new Error('the response body was discarded'));
        callback(err);
      },
    });
    this.settle({ statusCode, statusReason: '', headers, body: BodyHolder.fromStream(this.stream) });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.chunks) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return true;
    }
    // false pauses the socket until the reader asks for more (`read` → `resume`).
    return this.stream ? this.stream.push(chunk) : true;
  }

  onComplete(): void {
    this.done = true;
    if (this.cancel) this.cancel.onAbort = undefined;
    if (this.chunks) {
      const c = this.chunks;
      const bytes = c.length === 1 ? c[0]! : Buffer.concat(c, this.size);
      this.settle({ statusCode: this.status, statusReason: '', headers: this.headers!, body: BodyHolder.fromBytes(bytes) });
    } else if (this.stream) this.stream.push(null);
    else this.settle({ statusCode: this.status, statusReason: '', headers: this.headers ?? new HeaderBag(), body: BodyHolder.empty() });
  }

  onError(err: Error): void {
    this.done = true;
    if (this.cancel) this.cancel.onAbort = undefined;
    if (!this.settled) {
      this.settled = true;
      this.reject(err);
    } else this.stream?.destroy(err);
  }

  private settle(r: UpstreamResponse): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(r);
  }
}
