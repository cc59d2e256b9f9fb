/**
 * How C# values are represented in JavaScript. One rule per .NET type, chosen so the common case
 * (strings, ints, bools, null) is a plain JS value and costs nothing:
 *
 * | C#                               | JS                                                        |
 * |----------------------------------|-----------------------------------------------------------|
 * | `string`                         | `string`                                                  |
 * | `bool`                           | `boolean`                                                 |
 * | `int` (and `short`, `byte`, …)   | `number` (always an integer in int32 range)               |
 * | `long`                           | `bigint` (wrapped to 64 bits)                             |
 * | `double` / `float` / `decimal`   | `CsDouble` (a box: `2.0` must stay a double so `5.0/2` is 2.5) |
 * | `char`                           | `CsChar` (so `"a" + 'b'` is `"ab"` but `'a' + 1` is 98)    |
 * | `null` (any nullable)            | `null` (`undefined` is treated as null everywhere)        |
 * | `byte[]`                         | `Uint8Array`                                              |
 * | `T[]`                            | JS array                                                  |
 * | `List<T>`                        | `CsList`                                                  |
 * | `Dictionary`/`IReadOnlyDictionary` | `CsDictionary` (ordinal or case-insensitive keys)       |
 * | `DateTime`, `DateTimeOffset`, `TimeSpan`, `Guid` | `CsDateTime`, `CsDateTimeOffset`, `CsTimeSpan`, `CsGuid` |
 * | Newtonsoft `JToken` family       | `JObject`, `JArray`, `JValue`, `JProperty` (see `json.ts`) |
 * | context objects                  | plain objects implementing the interfaces of `context.ts` |
 */
import { CsException, Exceptions } from './errors.js';

/** A boxed floating-point value (`double`, `float` or `decimal`). */
export class CsDouble {
  constructor(
    readonly value: number,
    readonly kind: 'double' | 'float' | 'decimal' = 'double',
  ) {}
}

/** A boxed UTF-16 code unit (`char`). */
export class CsChar {
  constructor(readonly code: number) {}
  toString(): string {
    return String.fromCharCode(this.code);
  }
}

/** .NET ticks (100 ns) per unit. */
export const TICKS_PER_MS = 10000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;
/** Ticks of 1970-01-01T00:00:00Z. */
export const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
export const MAX_TICKS = 3_155_378_975_999_999_999n;

export type DateTimeKind = 'Unspecified' | 'Utc' | 'Local';

/** `System.DateTime`: ticks since 0001-01-01 plus a kind. The local gateway's "local" time zone is UTC. */
export class CsDateTime {
  constructor(
    readonly ticks: bigint,
    readonly kind: DateTimeKind = 'Unspecified',
  ) {
    if (ticks < 0n || ticks > MAX_TICKS) {
      throw Exceptions.argumentOutOfRange('ticks', 'Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.');
    }
  }
  static fromEpochMs(ms: number, kind: DateTimeKind = 'Utc'): CsDateTime {
    return new CsDateTime(UNIX_EPOCH_TICKS + BigInt(Math.round(ms)) * TICKS_PER_MS, kind);
  }
  static fromParts(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, kind: DateTimeKind = 'Unspecified'): CsDateTime {
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || y < 1 || y > 9999 || h > 23 || mi > 59 || s > 59) {
      throw Exceptions.argumentOutOfRange('year', 'Year, Month, and Day parameters describe an un-representable DateTime.');
    }
    const epoch = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    // Date.UTC maps years 0..99 to 1900+; fix that up.
    const fixed = y < 100 ? new Date(epoch).setUTCFullYear(y) : epoch;
    return CsDateTime.fromEpochMs(fixed, kind);
  }
  /** Milliseconds since the Unix epoch (sub-millisecond ticks truncated). */
  get epochMs(): number {
    return Number((this.ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS) ;
  }
  /** Calendar parts in UTC. */
  parts(): { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number; subMsTicks: number; dayOfWeek: number } {
    const ms = Number((this.ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS - (this.ticks < UNIX_EPOCH_TICKS && (this.ticks - UNIX_EPOCH_TICKS) % TICKS_PER_MS !== 0n ? 1n : 0n));
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      ms: d.getUTCMilliseconds(),
      subMsTicks: Number(((this.ticks % TICKS_PER_MS) + TICKS_PER_MS) % TICKS_PER_MS),
      dayOfWeek: d.getUTCDay(),
    };
  }
}

/** `System.DateTimeOffset`: a clock time (ticks) and its offset from UTC in minutes. */
export class CsDateTimeOffset {
  constructor(
    /** Ticks of the *clock time* (local to the offset). */
    readonly ticks: bigint,
    readonly offsetMinutes = 0,
  ) {}
  get utcTicks(): bigint {
    return this.ticks - BigInt(this.offsetMinutes) * TICKS_PER_MINUTE;
  }
  get clock(): CsDateTime {
    return new CsDateTime(this.ticks, 'Unspecified');
  }
}

/** `System.TimeSpan`: a signed number of ticks. */
export class CsTimeSpan {
  constructor(readonly ticks: bigint) {}
  static fromMs(ms: number): CsTimeSpan {
    return new CsTimeSpan(BigInt(Math.round(ms * 10000)));
  }
  get totalMs(): number {
    return Number(this.ticks) / 10000;
  }
}

/** `System.Guid`, kept as its lower-case `D` form. */
const CANONICAL_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class CsGuid {
  constructor(readonly text: string) {}
  static parse(s: string): CsGuid {
    // The canonical lower-case form (every request id): no normalisation needed.
    if (s.length === 36 && CANONICAL_GUID.test(s)) return new CsGuid(s);
    const t = s.trim().replace(/^[{(]|[})]$/g, '');
    const hex = t.replace(/-/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex) || (t.includes('-') && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(t))) {
      throw Exceptions.format(`Unrecognized Guid format.`);
    }
    const h = hex.toLowerCase();
    return new CsGuid(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  /** .NET byte order: the first three groups are little-endian. */
  toByteArray(): Uint8Array {
    const h = this.text.replace(/-/g, '');
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
    const swap = (i: number, j: number) => {
      const t = b[i]!;
      b[i] = b[j]!;
      b[j] = t;
    };
    swap(0, 3); swap(1, 2); swap(4, 5); swap(6, 7);
    return b;
  }
  static fromByteArray(bytes: Uint8Array): CsGuid {
    if (bytes.length !== 16) throw Exceptions.argument("Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')");
    const b = Uint8Array.from(bytes);
    const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    const h = order.map((i) => b[i]!.toString(16).padStart(2, '0')).join('');
    return CsGuid.parse(h);
  }
}

/** Keys of a `CsDictionary` are compared ordinally or case-insensitively (HTTP headers). */
export type KeyComparer = 'ordinal' | 'ignoreCase';

/**
 * `Dictionary<K,V>` / `IReadOnlyDictionary<K,V>`. Iterates in insertion order (as .NET does for a
 * dictionary without removals). With `ignoreCase` keys (`StringComparer.OrdinalIgnoreCase`), the original
 * spelling of the first insert is kept for enumeration.
 */
export class CsDictionary<V = unknown> {
  private readonly map: Map<unknown, { key: unknown; value: V }>;
  /**
   * Values are `string[]` joined with `,` by `GetValueOrDefault` (request/response headers, URL query,
   * JWT claims).
   */
  multiValue = false;
  constructor(
    readonly comparer: KeyComparer = 'ordinal',
    /** `IReadOnlyDictionary` (context.Variables, Headers): expressions cannot mutate it. */
    readonly readOnly = false,
    /**
     * A map to read through instead of a fresh one (keys already normalised by `comparer`): the gateway's
     * header bags expose themselves this way without a copy. Only for read-only dictionaries.
     */
    backing?: Map<unknown, { key: unknown; value: V }>,
  ) {
    this.map = backing ?? new Map();
  }
  /** Builds a case-insensitive header dictionary (name → values). */
  static headers(entries: Iterable<[string, readonly string[] | string]> = []): CsDictionary<string[]> {
    const d = new CsDictionary<string[]>('ignoreCase', true);
    d.multiValue = true;
    for (const [k, v] of entries) {
      const list = typeof v === 'string' ? [v] : [...v];
      const prev = d.get(k);
      d.set(k, prev ? [...prev, ...list] : list);
    }
    return d;
  }
  /** Builds a dictionary from an object or entries. */
  static of<V>(entries: Iterable<[string, V]> | Record<string, V>, comparer: KeyComparer = 'ordinal', readOnly = false): CsDictionary<V> {
    const d = new CsDictionary<V>(comparer, readOnly);
    const it = Symbol.iterator in Object(entries) ? (entries as Iterable<[string, V]>) : Object.entries(entries as Record<string, V>);
    for (const [k, v] of it) d.set(k, v);
    return d;
  }
  private norm(key: unknown): unknown {
    if (typeof key === 'string') return this.comparer === 'ignoreCase' ? key.toLowerCase() : key;
    return dictKey(key);
  }
  get size(): number {
    return this.map.size;
  }
  has(key: unknown): boolean {
    return this.map.has(this.norm(key));
  }
  /** The value, or `undefined` when absent (the expression-level indexer throws KeyNotFoundException). */
  get(key: unknown): V | undefined {
    return this.map.get(this.norm(key))?.value;
  }
  /** The stored entry (distinguishes a stored `undefined`/null from absence with one lookup). */
  entry(key: unknown): { key: unknown; value: V } | undefined {
    return this.map.get(this.norm(key));
  }
  set(key: unknown, value: V): void {
    const n = this.norm(key);
    const prev = this.map.get(n);
    if (prev) prev.value = value;
    else this.map.set(n, { key, value });
  }
  delete(key: unknown): boolean {
    return this.map.delete(this.norm(key));
  }
  clear(): void {
    this.map.clear();
  }
  *entries(): IterableIterator<[unknown, V]> {
    for (const e of this.map.values()) yield [e.key, e.value];
  }
  keys(): unknown[] {
    return [...this.map.values()].map((e) => e.key);
  }
  values(): V[] {
    return [...this.map.values()].map((e) => e.value);
  }
}

/** Boxed keys that must compare by value in a Map (Guid, char, long, double). */
function dictKey(key: unknown): unknown {
  if (key instanceof CsGuid) return `guid:${key.text}`;
  if (key instanceof CsChar) return `char:${key.code}`;
  if (key instanceof CsDouble) return `dbl:${key.value}`;
  if (typeof key === 'bigint') return `long:${key}`;
  return key;
}

/** `KeyValuePair<K,V>` as produced when enumerating a dictionary. */
export class CsKeyValuePair {
  constructor(
    readonly Key: unknown,
    readonly Value: unknown,
  ) {}
}

/** `List<T>` (and `HashSet<T>`, `Queue<T>`, `Stack<T>` share it with a `flavor`). */
export class CsList {
  constructor(
    readonly items: unknown[] = [],
    readonly flavor: 'List' | 'HashSet' | 'Queue' | 'Stack' = 'List',
  ) {}
}

/** `System.Text.StringBuilder`. */
export class CsStringBuilder {
  text = '';
}

/** An anonymous object `new { a = 1, b = "x" }`: ordered named members. */
export class CsAnonymous {
  constructor(readonly members: Map<string, unknown>) {}
}

/** `System.Random` with an injectable source (the gateway injects a seeded one in tests). */
export class CsRandom {
  constructor(readonly next: () => number) {}
}

/** A lambda value (`x => …`) as passed to LINQ methods. */
export class CsLambda {
  constructor(
    readonly arity: number,
    readonly invoke: (args: unknown[]) => unknown,
  ) {}
}

/** A value that stands for a .NET type in expression position (`string.Empty`, `Encoding.UTF8`…). */
export class CsTypeRef {
  constructor(readonly name: string) {}
}

/** An exception value seen by a `catch (Exception e)` block. */
export function isCsException(v: unknown): v is CsException {
  return v instanceof CsException;
}

/** .NET `int` range check used by casts and `checked` operations. */
export function toInt32Wrap(n: number): number {
  return n | 0;
}

/** The number of days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A .NET enum value (`StringComparison.OrdinalIgnoreCase`, `JTokenType.Null`, `RegexOptions.IgnoreCase`…). */
export class CsEnum {
  constructor(
    readonly type: string,
    readonly name: string,
    readonly value: number,
  ) {}
  toString(): string {
    return this.name;
  }
}

/** Members of the enums the allow-list reaches, name → numeric value. */
export const ENUMS: Record<string, Record<string, number>> = {
  StringComparison: { CurrentCulture: 0, CurrentCultureIgnoreCase: 1, InvariantCulture: 2, InvariantCultureIgnoreCase: 3, Ordinal: 4, OrdinalIgnoreCase: 5 },
  StringSplitOptions: { None: 0, RemoveEmptyEntries: 1, TrimEntries: 2 },
  Formatting: { None: 0, Indented: 1 },
  JTokenType: { None: 0, Object: 1, Array: 2, Constructor: 3, Property: 4, Comment: 5, Integer: 6, Float: 7, String: 8, Boolean: 9, Null: 10, Undefined: 11, Date: 12, Raw: 13, Bytes: 14, Guid: 15, Uri: 16, TimeSpan: 17 },
  RegexOptions: { None: 0, IgnoreCase: 1, Multiline: 2, ExplicitCapture: 4, Compiled: 8, Singleline: 16, IgnorePatternWhitespace: 32, RightToLeft: 64, ECMAScript: 256, CultureInvariant: 512 },
  DateTimeKind: { Unspecified: 0, Utc: 1, Local: 2 },
  MidpointRounding: { ToEven: 0, AwayFromZero: 1, ToZero: 2, ToNegativeInfinity: 3, ToPositiveInfinity: 4 },
  DayOfWeek: { Sunday: 0, Monday: 1, Tuesday: 2, Wednesday: 3, Thursday: 4, Friday: 5, Saturday: 6 },
  UriPartial: { Scheme: 0, Authority: 1, Path: 2, Query: 3 },
  UriKind: { RelativeOrAbsolute: 0, Absolute: 1, Relative: 2 },
  DateTimeStyles: { None: 0, AdjustToUniversal: 16, AssumeLocal: 32, AssumeUniversal: 64, RoundtripKind: 128 },
  NumberStyles: { None: 0, Integer: 7, HexNumber: 515, Number: 111, Float: 167, Any: 511, AllowHexSpecifier: 512 },
  XmlNodeType: { None: 0, Element: 1, Attribute: 2, Text: 3, CDATA: 4, Comment: 8, Document: 9 },
  CipherMode: { CBC: 1, ECB: 2, OFB: 3, CFB: 4, CTS: 5 },
  PaddingMode: { None: 1, PKCS7: 2, Zeros: 3, ANSIX923: 4, ISO10126: 5 },
};

const enumCache = new Map<string, CsEnum>();
/** The `CsEnum` for `Type.Member`, or undefined if not a known member. */
export function enumMember(type: string, name: string): CsEnum | undefined {
  const key = `${type}.${name}`;
  let e = enumCache.get(key);
  if (!e) {
    const v = ENUMS[type]?.[name];
    if (v === undefined) return undefined;
    e = new CsEnum(type, name, v);
    enumCache.set(key, e);
  }
  return e;
}
/** The enum value with a numeric value (flags combine to a synthetic name, as .NET prints `A, B`). */
export function enumOf(type: string, value: number): CsEnum {
  const names = ENUMS[type] ?? {};
  for (const [n, v] of Object.entries(names)) if (v === value) return enumMember(type, n)!;
  const parts = Object.entries(names).filter(([, v]) => v !== 0 && (value & v) === v).map(([n]) => n);
  return new CsEnum(type, parts.join(', ') || String(value), value);
}
