/** `IMessageBody`: the request/response body as expressions see it. */
import { Exceptions } from './errors.js';
import { parseJson, JObject, JArray, JToken } from './json.js';
import { CsDictionary, CsList } from './values.js';
import { parseXml } from './xml.js';

/**
 * A message body. `As<T>(preserveContent)` parses it as `string`, `byte[]`, `JObject`, `JArray`, `JToken`,
 * `XElement`/`XDocument`/`XNode`. Reading without `preserveContent: true` *consumes* it (APIM semantics:
 * the original body is then lost unless a `set-body` replaces it): `consumed` becomes true and `onConsume`
 * is called so the gateway can drop the body it would forward.
 */
const DECODER = new TextDecoder();
const ENCODER = new TextEncoder();

export class MessageBody {
  consumed = false;
  private readonly bytes: Uint8Array;
  /** Decoded once: bodies are immutable, and parsing starts from text. */
  private decoded: string | undefined;
  constructor(
    content: Uint8Array | string,
    private readonly onConsume?: () => void,
  ) {
    this.bytes = typeof content === 'string' ? ENCODER.encode(content) : content;
    if (typeof content === 'string') this.decoded = content;
  }

  /** The raw bytes (for the gateway; not reachable from expressions). */
  get content(): Uint8Array {
    return this.bytes;
  }

  /** `As<T>()`: `type` is the C# type argument's name. */
  As(type: string, preserveContent = false): unknown {
    if (this.consumed) {
      // A consumed stream reads as empty in APIM.
      return this.convert(type, new Uint8Array());
    }
    const v = this.convert(type, this.bytes);
    if (!preserveContent) {
      this.consumed = true;
      this.onConsume?.();
    }
    return v;
  }

  /** `AsFormUrlEncodedContent(preserveContent)`: `IDictionary<string, IList<string>>`. */
  AsFormUrlEncodedContent(preserveContent = false): CsDictionary<CsList> {
    const text = this.As('string', preserveContent) as string;
    const d = new CsDictionary<CsList>('ignoreCase');
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = d.get(k);
      if (prev) prev.items.push(v);
      else d.set(k, new CsList([v]));
    }
    return d;
  }

  private convert(type: string, bytes: Uint8Array): unknown {
    const text = () => (bytes === this.bytes ? (this.decoded ??= DECODER.decode(bytes)) : DECODER.decode(bytes));
    switch (type) {
      case 'string': case 'String': case 'System.String': return text();
      case 'byte[]': case 'Byte[]': return Uint8Array.from(bytes);
      case 'JObject': case 'JArray': case 'JToken': {
        const t = parseJson(text(), { dates: true });
        if (type === 'JObject' && !(t instanceof JObject)) throw Exceptions.jsonReader(`Error reading JObject from JsonReader. Current JsonReader item is not an object: ${t.type}. Path '', line 1, position 1.`);
        if (type === 'JArray' && !(t instanceof JArray)) throw Exceptions.jsonReader(`Error reading JArray from JsonReader. Current JsonReader item is not an array: ${t.type}. Path '', line 1, position 1.`);
        return t as JToken;
      }
      case 'XElement': case 'XNode': return parseXml(text()).root;
      case 'XDocument': return parseXml(text());
      default: throw Exceptions.invalidOperation(`Unsupported body conversion to ${type}.`);
    }
  }
}
