/**
 * A message body in the pipeline: absent, a stream not yet read (the fast path: forwarded untouched), or
 * bytes (after a policy or an expression read it). Reading a stream buffers it once; later readers see the
 * same bytes.
 */
import { Buffer } from 'node:buffer';

/** Anything that yields chunks: a node `IncomingMessage`, an undici body, a web stream. */
export type ChunkSource = AsyncIterable<Uint8Array | string>;

export class BodyHolder {
  private stream: ChunkSource | undefined;
  private bytes: Buffer | undefined;
  /** Limit for buffering a stream; exceeding it throws `BodyTooLargeError`. */
  maxBytes = Number.POSITIVE_INFINITY;

  private constructor(stream: ChunkSource | undefined, bytes: Buffer | undefined) {
    this.stream = stream;
    this.bytes = bytes;
  }
  static empty(): BodyHolder {
    return new BodyHolder(undefined, undefined);
  }
  static fromStream(stream: ChunkSource): BodyHolder {
    return new BodyHolder(stream, undefined);
  }
  static fromBytes(bytes: Uint8Array | string): BodyHolder {
    if (Buffer.isBuffer(bytes)) return new BodyHolder(undefined, bytes);
    return new BodyHolder(undefined, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  /** There is a body (a stream, or at least one byte). */
  get present(): boolean {
    return this.stream !== undefined || (this.bytes !== undefined && this.bytes.length > 0);
  }
  /** The body is a stream that has not been read. */
  get isStream(): boolean {
    return this.stream !== undefined;
  }
  /** The buffered bytes, when the body has been read or set (undefined while still a stream). */
  get buffered(): Buffer | undefined {
    return this.stream ? undefined : (this.bytes ?? Buffer.alloc(0));
  }
  /** Takes the stream for forwarding without reading it; the holder becomes empty. */
  takeStream(): ChunkSource | undefined {
    const s = this.stream;
    this.stream = undefined;
    return s;
  }
  /** Reads the whole body (once) and keeps the bytes. */
  async read(): Promise<Buffer> {
    if (this.stream) {
      const chunks: Buffer[] = [];
      let size = 0;
      const s = this.stream;
      this.stream = undefined;
      const max = this.maxBytes;
      const add = (c: Uint8Array | string): void => {
        const b = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
        size += b.length;
        if (size > max) throw new BodyTooLargeError(max);
        chunks.push(b);
      };
      const emitter = s as unknown as NodeJS.ReadableStream & { destroy?(e?: Error): void };
      if (typeof emitter.on === 'function' && typeof emitter.once === 'function') {
        // Node streams (IncomingMessage, undici bodies): 'data' events cost far less than an async iterator.
        await new Promise<void>((resolve, reject) => {
          emitter.on('data', (c: Uint8Array | string) => {
            try {
              add(c);
            } catch (e) {
              emitter.destroy?.(e as Error);
              reject(e);
            }
          });
          emitter.once('end', resolve);
          emitter.once('error', reject);
        });
      } else {
        for await (const c of s) add(c);
      }
      this.bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    }
    return this.bytes ?? Buffer.alloc(0);
  }
  set(bytes: Uint8Array | string | undefined): void {
    this.stream = undefined;
    this.bytes = bytes === undefined ? undefined : typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  /** Text of a buffered body (`''` when absent). Call `read()` first for a stream. */
  text(): string {
    return (this.bytes ?? Buffer.alloc(0)).toString('utf8');
  }
}

/** A body larger than the configured limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}
