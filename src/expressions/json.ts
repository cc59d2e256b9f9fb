/**
 * A Newtonsoft.Json.Linq emulation: `JToken` → `JContainer` (`JObject`, `JArray`, `JProperty`) and `JValue`.
 * Load-bearing details (POLICY-ENGINE.md §1.7, §6.5): `ToString()` is *indented* JSON (2 spaces, CRLF as
 * on Windows), `ToString(Formatting.None)` is compact, indexers return null for a missing property,
 * explicit casts follow Newtonsoft's conversion operators, and `JValue.ToString()` is the raw value.
 */
import { CsException, Exceptions } from './errors.js';
import { formatDouble } from './numbers.js';
import { formatDateTime } from './dates.js';
import { CsDateTime, CsDouble, CsGuid, CsTimeSpan, CsChar, CsDictionary, CsList, CsAnonymous, CsKeyValuePair, CsDateTimeOffset } from './values.js';

/** Line break Newtonsoft writes in indented JSON (`Environment.NewLine` on the Windows-hosted gateway). */
export const JSON_NEWLINE = '\r\n';

export type JTokenTypeName = 'Object' | 'Array' | 'Property' | 'Integer' | 'Float' | 'String' | 'Boolean' | 'Null' | 'Date' | 'Guid' | 'TimeSpan' | 'Uri' | 'Bytes' | 'Undefined';

/** Base of the JToken family. */
export abstract class JToken {
  parent: JContainer | null = null;
  abstract get type(): JTokenTypeName;
  abstract clone(): JToken;
  /** Newtonsoft `ToString()` (indented) / `ToString(Formatting.None)`. */
  toJson(indented: boolean): string {
    return writeJson(this, indented, '');
  }
}

/** Base of tokens with children. */
export abstract class JContainer extends JToken {}

/** A JSON primitive: string, number, boolean, null, date. */
export class JValue extends JToken {
  constructor(
    readonly valueType: JTokenTypeName,
    /** string | number (Integer/Float) | bigint (large Integer) | boolean | null | CsDateTime | CsGuid | … */
    public value: unknown,
  ) {
    super();
  }
  get type(): JTokenTypeName {
    return this.valueType;
  }
  clone(): JValue {
    return new JValue(this.valueType, this.value);
  }
  static null(): JValue {
    return new JValue('Null', null);
  }
}

/** `JProperty`: a name and a value token. */
export class JProperty extends JContainer {
  private _value: JToken;
  constructor(readonly name: string, value: JToken) {
    super();
    this._value = adopt(value, this);
  }
  get type(): JTokenTypeName {
    return 'Property';
  }
  get value(): JToken {
    return this._value;
  }
  set value(v: JToken) {
    this._value = adopt(v, this);
  }
  clone(): JProperty {
    return new JProperty(this.name, this._value.clone());
  }
}

/** `JObject`: ordered properties. */
export class JObject extends JContainer {
  readonly props = new Map<string, JProperty>();
  get type(): JTokenTypeName {
    return 'Object';
  }
  get(name: string): JToken | null {
    return this.props.get(name)?.value ?? null;
  }
  /** Indexer set: replaces the value in place, or appends a new property. */
  set(name: string, value: JToken): void {
    const p = this.props.get(name);
    if (p) p.value = value;
    else this.add(new JProperty(name, value));
  }
  /** `Add(JProperty)`: throws like Newtonsoft when the name already exists. */
  add(p: JProperty): void {
    if (this.props.has(p.name)) {
      throw Exceptions.argument(`Can not add property ${p.name} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.`);
    }
    p.parent = this;
    this.props.set(p.name, p);
  }
  remove(name: string): boolean {
    const p = this.props.get(name);
    if (!p) return false;
    p.parent = null;
    return this.props.delete(name);
  }
  clone(): JObject {
    const o = new JObject();
    for (const p of this.props.values()) o.add(p.clone());
    return o;
  }
}

/** `JArray`: ordered items. */
export class JArray extends JContainer {
  readonly items: JToken[] = [];
  get type(): JTokenTypeName {
    return 'Array';
  }
  add(t: JToken): void {
    this.items.push(adopt(t, this));
  }
  clone(): JArray {
    const a = new JArray();
    for (const t of this.items) a.add(t.clone());
    return a;
  }
}

/** A token that already has a parent is cloned on insert (Newtonsoft does the same). */
function adopt<T extends JToken>(t: T, parent: JContainer): T {
  const v = t.parent && t.parent !== parent ? (t.clone() as T) : t;
  v.parent = parent;
  return v;
}

// ---------------------------------------------------------------------------------------------- parse

/** Options of `parseJson`. */
export interface JsonReadOptions {
  /**
   * Newtonsoft's default `DateParseHandling.DateTime`: string values that are ISO 8601 date-times become
   * `Date` tokens (so `(string)token` then prints `01/15/2024 10:00:00`, and `ToString()` re-serialises
   * them in ISO form). The expression runtime turns this on, as APIM's Newtonsoft does; plain JSON
   * handling elsewhere in the gateway leaves it off.
   */
  dates?: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;
/** A Newtonsoft-recognised ISO date-time string as a `CsDateTime` (offsets converted to the local zone, UTC). */
function isoDate(text: string): CsDateTime | null {
  if (text.length < 19 || text.length > 40 || text.charCodeAt(4) !== 45) return null;
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  try {
    const base = CsDateTime.fromParts(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, 0);
    const ticks = base.ticks + BigInt((m[7] ?? '').padEnd(7, '0'));
    if (!m[8]) return new CsDateTime(ticks, 'Unspecified');
    if (m[8] === 'Z') return new CsDateTime(ticks, 'Utc');
    const off = (m[8].startsWith('-') ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
    return new CsDateTime(ticks - BigInt(off) * 600_000_000n, 'Local');
  } catch {
    return null;
  }
}

/**
 * `JToken.Parse` / `JObject.Parse` / `JsonConvert.DeserializeObject`. Accepts standard JSON plus what
 * Newtonsoft tolerates and policies meet in practice: `//` and `/* *\/` comments, single-quoted strings,
 * trailing commas.
 */
export function parseJson(text: unknown, options: JsonReadOptions = {}): JToken {
  if (text === null || text === undefined) throw Exceptions.argumentNull('json');
  const dates = options.dates === true;
  const s = String(text);
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string): never => {
    throw Exceptions.jsonReader(`${msg} Path '', line ${line}, position ${i - lineStart}.`);
  };
  let nextBs = s.indexOf('\\');
  const ws = () => {
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 10) { line++; i++; lineStart = i; }
      else if (c === 32 || c === 9 || c === 13 || c === 0xfeff) i++;
      else if (c === 47 && s[i + 1] === '/') { while (i < s.length && s[i] !== '\n') i++; }
      else if (c === 47 && s[i + 1] === '*') { const e = s.indexOf('*/', i + 2); i = e < 0 ? s.length : e + 2; }
      else break;
    }
  };
  const str = (q: string): string => {
    i++;
    // fast path: no escapes before the closing quote
    const close = s.indexOf(q, i);
    if (close >= 0) {
      if (nextBs >= 0 && nextBs < i) nextBs = s.indexOf('\\', i);
      const bs = nextBs;
      if (bs < 0 || bs > close) {
        const out = s.slice(i, close);
        if (out.indexOf('\n') < 0) {
          i = close + 1;
          return out;
        }
      }
    }
    let out = '';
    for (;;) {
      if (i >= s.length) fail('Unterminated string. Expected delimiter: ' + q + '.');
      const c = s[i]!;
      if (c === q) { i++; return out; }
      if (c === '\\') {
        const e = s[i + 1];
        i += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': { const h = s.slice(i, i + 4); if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('Invalid Unicode escape sequence.'); out += String.fromCharCode(parseInt(h, 16)); i += 4; break; }
          case undefined: fail('Unterminated string.'); break;
          default: out += e;
        }
      } else {
        if (c === '\n') { line++; lineStart = i + 1; }
        out += c;
        i++;
      }
    }
  };
  /** Scans a JSON number at `i` by character codes (no regex, no slicing of the rest of the input). */
  const num = (): JToken | undefined => {
    const st = i;
    let j = i;
    if (s.charCodeAt(j) === 45) j++;
    const d0 = j;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j === d0) return undefined;
    let float = false;
    if (s.charCodeAt(j) === 46) {
      const f0 = ++j;
      while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (j === f0) fail('Input string was not in a correct format.');
      float = true;
    }
    const e = s.charCodeAt(j);
    if (e === 101 || e === 69) {
      j++;
      if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) j++;
      const x0 = j;
      while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (j === x0) fail('Input string was not in a correct format.');
      float = true;
    }
    i = j;
    const text = s.slice(st, j);
    if (float) return new JValue('Float', Number(text));
    const n = Number(text);
    return new JValue('Integer', Number.isSafeInteger(n) ? n : BigInt(text));
  };
  const value = (depth: number): JToken => {
    if (depth > 64) fail('The reader\'s MaxDepth of 64 has been exceeded.');
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const o = new JObject();
      ws();
      while (s[i] !== '}') {
        ws();
        let name: string;
        if (s[i] === '"' || s[i] === "'") name = str(s[i]!);
        else {
          const st = i;
          while (i < s.length && /[\w$]/.test(s[i]!)) i++;
          if (i === st || /[0-9]/.test(s[st]!)) fail(`Invalid property identifier character: ${s[st] ?? 'EOF'}.`);
          name = s.slice(st, i);
        }
        ws();
        if (s[i] !== ':') fail(`Invalid character after parsing property name. Expected ':' but got: ${s[i] ?? 'EOF'}.`);
        i++;
        const v = value(depth + 1);
        // Newtonsoft's JObject.Parse keeps the last duplicate.
        const existing = o.props.get(name);
        if (existing) existing.value = v;
        else {
          const p = new JProperty(name, v);
          p.parent = o;
          o.props.set(name, p);
        }
        ws();
        if (s[i] === ',') { i++; ws(); continue; }
        if (s[i] !== '}') fail(`After parsing a value an unexpected character was encountered: ${s[i] ?? 'EOF'}.`);
      }
      i++;
      return o;
    }
    if (c === '[') {
      i++;
      const a = new JArray();
      ws();
      while (s[i] !== ']') {
        if (i >= s.length) fail('Unexpected end of content while loading JArray.');
        a.add(value(depth + 1));
        ws();
        if (s[i] === ',') { i++; ws(); continue; }
        if (s[i] !== ']') fail(`After parsing a value an unexpected character was encountered: ${s[i] ?? 'EOF'}.`);
      }
      i++;
      return a;
    }
    if (c === '"' || c === "'") {
      const text = str(c);
      if (dates) {
        const d = isoDate(text);
        if (d) return new JValue('Date', d);
      }
      return new JValue('String', text);
    }
    const n = num();
    if (n) return n;
    if (s.startsWith('true', i)) { i += 4; return new JValue('Boolean', true); }
    if (s.startsWith('false', i)) { i += 5; return new JValue('Boolean', false); }
    if (s.startsWith('null', i)) { i += 4; return JValue.null(); }
    if (s.startsWith('undefined', i)) { i += 9; return new JValue('Undefined', null); }
    if (s.startsWith('NaN', i)) { i += 3; return new JValue('Float', NaN); }
    if (s.startsWith('Infinity', i)) { i += 8; return new JValue('Float', Infinity); }
    if (s.startsWith('-Infinity', i)) { i += 9; return new JValue('Float', -Infinity); }
    if (i >= s.length) fail('Unexpected end of content while loading JToken.');
    return fail(`Unexpected character encountered while parsing value: ${c}.`);
  };
  ws();
  if (i >= s.length) throw Exceptions.jsonReader("Error reading JToken from JsonReader. Path '', line 0, position 0.");
  const t = value(0);
  ws();
  if (i < s.length) fail('Additional text encountered after finished reading JSON content: ' + s[i] + '.');
  return t;
}

// ---------------------------------------------------------------------------------------------- write

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string literal as Newtonsoft writes it (only quotes, backslashes and control chars escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u0085\u2028\u2029]/;
export function quoteJson(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/["\\\u0000-\u001f\u0085\u2028\u2029]/g, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

function writeValue(v: JValue): string {
  switch (v.valueType) {
    case 'Null': return 'null';
    case 'Undefined': return 'undefined';
    case 'Boolean': return v.value ? 'true' : 'false';
    case 'Integer': return String(v.value);
    case 'Float': {
      const n = v.value instanceof CsDouble ? v.value.value : Number(v.value);
      if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
      const t = formatDouble(n);
      return /[.E]/.test(t) ? t : `${t}.0`;
    }
    case 'Date': return quoteJson(v.value instanceof CsDateTime ? formatDateTime(v.value, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK") : String(v.value));
    case 'Guid': return quoteJson(v.value instanceof CsGuid ? v.value.text : String(v.value));
    case 'Bytes': return quoteJson(Buffer.from(v.value as Uint8Array).toString('base64'));
    default: return quoteJson(jvalueText(v));
  }
}

function writeJson(t: JToken, indented: boolean, indent: string): string {
  if (t instanceof JValue) return writeValue(t);
  if (!indented) return writeCompact(t);
  const nl = JSON_NEWLINE;
  const inner = indent + '  ';
  if (t instanceof JProperty) return quoteJson(t.name) + ': ' + writeJson(t.value, true, indent);
  if (t instanceof JObject) {
    if (t.props.size === 0) return '{}';
    let out = '{';
    let first = true;
    for (const p of t.props.values()) {
      out += (first ? nl : ',' + nl) + inner + quoteJson(p.name) + ': ' + writeJson(p.value, true, inner);
      first = false;
    }
    return out + nl + indent + '}';
  }
  if (t instanceof JArray) {
    if (t.items.length === 0) return '[]';
    let out = '[';
    for (let k = 0; k < t.items.length; k++) out += (k === 0 ? nl : ',' + nl) + inner + writeJson(t.items[k]!, true, inner);
    return out + nl + indent + ']';
  }
  return '';
}

/** `Formatting.None`: one pass, no intermediate arrays (the hot path of body rewrites). */
function writeCompact(t: JToken): string {
  if (t instanceof JValue) return writeValue(t);
  if (t instanceof JObject) {
    let out = '{';
    let first = true;
    for (const p of t.props.values()) {
      if (!first) out += ',';
      out += quoteJson(p.name) + ':' + writeCompact(p.value);
      first = false;
    }
    return out + '}';
  }
  if (t instanceof JArray) {
    let out = '[';
    for (let k = 0; k < t.items.length; k++) out += (k === 0 ? '' : ',') + writeCompact(t.items[k]!);
    return out + ']';
  }
  if (t instanceof JProperty) return quoteJson(t.name) + ':' + writeCompact(t.value);
  return '';
}

/** `JValue.ToString()`: the raw value formatted as .NET would (`True`, invariant numbers, dates). */
export function jvalueText(v: JValue): string {
  const x = v.value;
  if (x === null || x === undefined) return '';
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (typeof x === 'number') return v.valueType === 'Float' ? formatDouble(x) : String(x);
  if (x instanceof CsDateTime) return formatDateTime(x, undefined);
  if (x instanceof CsGuid) return x.text;
  return String(x);
}

// ---------------------------------------------------------------------------------------------- from CLR

/**
 * `JToken.FromObject` / the implicit conversions used by `new JProperty(name, value)`: a C# value becomes a
 * token. Existing tokens are kept; dictionaries and anonymous objects become objects; lists become arrays.
 */
export function toJToken(v: unknown, deep = true): JToken {
  if (v instanceof JToken) return v;
  if (v === null || v === undefined) return JValue.null();
  if (typeof v === 'string') return new JValue('String', v);
  if (typeof v === 'boolean') return new JValue('Boolean', v);
  if (typeof v === 'number') return new JValue('Integer', v);
  if (typeof v === 'bigint') return new JValue('Integer', v);
  if (v instanceof CsDouble) return new JValue('Float', v.value);
  if (v instanceof CsChar) return new JValue('String', v.toString());
  if (v instanceof CsDateTime) return new JValue('Date', v);
  if (v instanceof CsDateTimeOffset) return new JValue('Date', new CsDateTime(v.utcTicks, 'Utc'));
  if (v instanceof CsGuid) return new JValue('Guid', v);
  if (v instanceof CsTimeSpan) return new JValue('TimeSpan', v);
  if (v instanceof Uint8Array) return new JValue('Bytes', v);
  if (!deep) throw Exceptions.argument(`Could not determine JSON object type for type ${String(v)}.`);
  if (Array.isArray(v) || v instanceof CsList) {
    const a = new JArray();
    for (const x of Array.isArray(v) ? v : v.items) a.add(toJToken(x));
    return a;
  }
  if (v instanceof CsDictionary) {
    const o = new JObject();
    for (const [k, x] of v.entries()) o.set(String(k), toJToken(x));
    return o;
  }
  if (v instanceof CsAnonymous) {
    const o = new JObject();
    for (const [k, x] of v.members) o.set(k, toJToken(x));
    return o;
  }
  if (v instanceof CsKeyValuePair) {
    const o = new JObject();
    o.set('Key', toJToken(v.Key));
    o.set('Value', toJToken(v.Value));
    return o;
  }
  if (v instanceof CsException) {
    const o = new JObject();
    o.set('ClassName', new JValue('String', `System.${v.type}`));
    o.set('Message', new JValue('String', v.message));
    return o;
  }
  if (typeof v === 'object') {
    // A host (context) object: its own enumerable data properties.
    const o = new JObject();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x !== 'function') o.set(k, toJToken(x));
    return o;
  }
  throw Exceptions.argument('Could not determine JSON object type.');
}

/** Newtonsoft's token type name as used in conversion error messages. */
export function tokenTypeName(t: JToken | null): string {
  return t === null ? 'Null' : t.type;
}
