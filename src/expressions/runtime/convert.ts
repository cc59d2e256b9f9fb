/**
 * CLR semantics the evaluator needs everywhere: runtime type names, casts (unboxing vs numeric
 * conversion vs Newtonsoft explicit operators), equality, comparison and arithmetic with int/long/double
 * promotion and int32 wrap-around.
 */
import { CsException, Exceptions } from '../errors.js';
import { JArray, JObject, JProperty, JToken, JValue, jvalueText, tokenTypeName } from '../json.js';
import { CsAnonymous, CsChar, CsDateTime, CsDateTimeOffset, CsDictionary, CsDouble, CsEnum, CsGuid, CsKeyValuePair, CsList, CsStringBuilder, CsTimeSpan, CsRandom, CsLambda, CsTypeRef } from '../values.js';
import { CsUrl } from '../url.js';
import { MessageBody } from '../body.js';
import { Jwt, BasicAuthCredentials } from '../auth.js';
import { XAttribute, XDocument, XElement } from '../xml.js';
import { formatDateTime, parseDateTime } from '../dates.js';
import { parseDouble, parseInteger, roundDotNet } from '../numbers.js';
import { toDisplayString } from '../display.js';

/** Key of the instance-member table for a runtime value. */
export function runtimeKey(v: unknown): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'int';
    case 'bigint': return 'long';
    case 'boolean': return 'bool';
    default: break;
  }
  if (v === null || v === undefined) return 'null';
  const ctor = (v as { constructor?: unknown }).constructor;
  if (ctor === Object || ctor === undefined) return (v as { csType?: unknown }).csType === undefined ? 'host' : String((v as { csType: string }).csType);
  if (typeof ctor === 'function') {
    const cached = KEY_CACHE.get(ctor);
    if (cached !== undefined) return cached;
    const k = slowKey(v);
    // instances of one class share a key unless they carry their own csType tag
    if ((v as { csType?: unknown }).csType === undefined || Object.hasOwn(ctor.prototype as object, 'csType')) KEY_CACHE.set(ctor, k);
    return k;
  }
  return slowKey(v);
}

const KEY_CACHE = new WeakMap<object, string>();

function slowKey(v: unknown): string {
  if (v instanceof JObject) return 'JObject';
  if (v instanceof JArray) return 'JArray';
  if (v instanceof JValue) return 'JValue';
  if (v instanceof JProperty) return 'JProperty';
  if (v instanceof CsDouble) return 'double';
  if (v instanceof CsChar) return 'char';
  if (v instanceof Uint8Array) return 'byte[]';
  if (Array.isArray(v)) return 'array';
  if (v instanceof CsDictionary) return 'Dictionary';
  if (v instanceof CsList) return 'List';
  if (v instanceof CsDateTime) return 'DateTime';
  if (v instanceof CsDateTimeOffset) return 'DateTimeOffset';
  if (v instanceof CsTimeSpan) return 'TimeSpan';
  if (v instanceof CsGuid) return 'Guid';
  if (v instanceof CsEnum) return 'Enum';
  if (v instanceof CsKeyValuePair) return 'KeyValuePair';
  if (v instanceof CsStringBuilder) return 'StringBuilder';
  if (v instanceof CsUrl) return 'Url';
  if (v instanceof MessageBody) return 'MessageBody';
  if (v instanceof Jwt) return 'Jwt';
  if (v instanceof BasicAuthCredentials) return 'BasicAuthCredentials';
  if (v instanceof CsException) return 'Exception';
  if (v instanceof CsAnonymous) return 'Anonymous';
  if (v instanceof CsRandom) return 'Random';
  if (v instanceof XElement) return 'XElement';
  if (v instanceof XDocument) return 'XDocument';
  if (v instanceof XAttribute) return 'XAttribute';
  if (v instanceof CsLambda) return 'Lambda';
  if (v instanceof CsTypeRef) return 'Type';
  const tagged = (v as { csType?: unknown }).csType;
  if (typeof tagged === 'string') return tagged;
  return 'host';
}

/** The .NET full type name of a runtime value (for InvalidCastException messages and `GetType()`). */
export function typeNameOf(v: unknown): string {
  if (v instanceof CsDouble) return v.kind === 'decimal' ? 'System.Decimal' : v.kind === 'float' ? 'System.Single' : 'System.Double';
  if (v instanceof JToken) return `Newtonsoft.Json.Linq.${runtimeKey(v)}`;
  if (v instanceof CsEnum) return v.type;
  if (v instanceof CsException) return `System.${v.type}`;
  if (Array.isArray(v)) return 'System.Object[]';
  const k = runtimeKey(v);
  const names: Record<string, string> = {
    string: 'System.String', int: 'System.Int32', long: 'System.Int64', bool: 'System.Boolean', char: 'System.Char',
    'byte[]': 'System.Byte[]', Dictionary: 'System.Collections.Generic.Dictionary`2', List: 'System.Collections.Generic.List`1',
    DateTime: 'System.DateTime', DateTimeOffset: 'System.DateTimeOffset', TimeSpan: 'System.TimeSpan', Guid: 'System.Guid',
    KeyValuePair: 'System.Collections.Generic.KeyValuePair`2', StringBuilder: 'System.Text.StringBuilder', Url: 'Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.IUrl',
    MessageBody: 'IMessageBody', Jwt: 'Jwt', BasicAuthCredentials: 'BasicAuthCredentials', Random: 'System.Random',
    XElement: 'System.Xml.Linq.XElement', XDocument: 'System.Xml.Linq.XDocument', XAttribute: 'System.Xml.Linq.XAttribute',
    Anonymous: '<>f__AnonymousType0', null: 'null',
  };
  return names[k] ?? (typeof (v as { csType?: unknown })?.csType === 'string' ? String((v as { csType: string }).csType) : 'System.Object');
}

/** Strips namespaces and normalises C# aliases: `System.String` → `string`, `Int32` → `int`. */
export function normalizeTypeName(name: string): string {
  const short = name.replace(/^(System\.(Collections\.Generic\.|Text\.RegularExpressions\.|Text\.|Net\.|Security\.Cryptography\.|Xml\.Linq\.|Linq\.)?|Newtonsoft\.Json\.(Linq\.)?)/, '');
  const aliases: Record<string, string> = {
    String: 'string', Int32: 'int', Int64: 'long', Int16: 'short', Boolean: 'bool', Double: 'double', Single: 'float', Decimal: 'decimal',
    Byte: 'byte', SByte: 'sbyte', Char: 'char', Object: 'object', UInt32: 'uint', UInt64: 'ulong', UInt16: 'ushort',
  };
  return Object.hasOwn(aliases, short) ? aliases[short]! : short;
}

const INT_RANGES: Record<string, [number, number]> = {
  int: [-2147483648, 2147483647], short: [-32768, 32767], sbyte: [-128, 127], byte: [0, 255], ushort: [0, 65535], uint: [0, 4294967295],
};

/** Wraps a JS number into an integral type's range (C# unchecked conversion). */
export function wrapInt(n: number, type: string): number {
  switch (type) {
    case 'int': return n | 0;
    case 'uint': return n >>> 0;
    case 'short': return (n << 16) >> 16;
    case 'ushort': return n & 0xffff;
    case 'byte': return n & 0xff;
    case 'sbyte': return (n << 24) >> 24;
    default: return n;
  }
}

/** A numeric value as a JS number (int, long, double, char). Undefined if not numeric. */
export function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof CsDouble) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof CsChar) return v.code;
  return undefined;
}

/** Truncates a double to an integer the way C# unchecked casts do (NaN → int.MinValue). */
function truncateToInt(d: number, type: string): number {
  if (!Number.isFinite(d)) return type === 'int' ? -2147483648 : 0;
  const t = Math.trunc(d);
  return wrapInt(t % 4294967296, type);
}

/**
 * `(T)value`. `fromObject` = the operand's static type is `object` (or a dictionary value), so a value type
 * must be *unboxed* exactly (`(int)(object)5L` throws); otherwise numeric conversions apply.
 */
export function castTo(value: unknown, target: string, nullable: boolean, fromObject: boolean): unknown {
  return castToNormalized(value, normalizeTypeName(target), nullable, fromObject);
}

/** `castTo` for an already-normalised type name (the evaluator normalises once at compile time). */
export function castToNormalized(value: unknown, t: string, nullable: boolean, fromObject: boolean): unknown {
  if (value === undefined) value = null;
  // Newtonsoft's explicit operators apply only when the operand is statically a JToken; from `object`
  // (a variable) the cast is a CLR unboxing/reference cast and fails for a token.
  if (value instanceof JToken && !['JToken', 'JObject', 'JArray', 'JValue', 'JProperty', 'JContainer', 'object', 'IEnumerable', 'IEnumerable<JToken>'].includes(t)) {
    if (fromObject) throw Exceptions.invalidCast(typeNameOf(value), qualifiedName(clrQualified(t)));
    return convertJToken(value, t, nullable);
  }
  if (value === null) {
    if (nullable || isReferenceType(t)) return null;
    throw Exceptions.nullReference();
  }
  switch (t) {
    case 'object': case 'dynamic': return value;
    case 'string':
      if (typeof value === 'string') return value;
      throw Exceptions.invalidCast(typeNameOf(value), 'System.String');
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw Exceptions.invalidCast(typeNameOf(value), 'System.Boolean');
    case 'int': case 'short': case 'byte': case 'sbyte': case 'ushort': case 'uint': {
      if (fromObject) {
        if (typeof value === 'number' && (t === 'int' || (value >= INT_RANGES[t]![0] && value <= INT_RANGES[t]![1]))) return value;
        throw Exceptions.invalidCast(typeNameOf(value), `System.${clrName(t)}`);
      }
      if (typeof value === 'number') return wrapInt(value, t);
      if (typeof value === 'bigint') return wrapInt(Number(BigInt.asIntN(32, value)), t);
      if (value instanceof CsDouble) return truncateToInt(value.value, t);
      if (value instanceof CsChar) return wrapInt(value.code, t);
      if (value instanceof CsEnum) return value.value;
      throw Exceptions.invalidCast(typeNameOf(value), `System.${clrName(t)}`);
    }
    case 'long': case 'ulong': {
      if (fromObject) {
        if (typeof value === 'bigint') return value;
        throw Exceptions.invalidCast(typeNameOf(value), 'System.Int64');
      }
      if (typeof value === 'bigint') return t === 'long' ? value : BigInt.asUintN(64, value);
      if (typeof value === 'number') return BigInt(value);
      if (value instanceof CsDouble) return Number.isFinite(value.value) ? BigInt.asIntN(64, BigInt(Math.trunc(value.value))) : -(2n ** 63n);
      if (value instanceof CsChar) return BigInt(value.code);
      throw Exceptions.invalidCast(typeNameOf(value), 'System.Int64');
    }
    case 'double': case 'float': case 'decimal': {
      if (fromObject) {
        if (value instanceof CsDouble && (value.kind === t || (t === 'double' && value.kind === 'double'))) return value;
        throw Exceptions.invalidCast(typeNameOf(value), `System.${clrName(t)}`);
      }
      const n = numeric(value);
      if (n === undefined) throw Exceptions.invalidCast(typeNameOf(value), `System.${clrName(t)}`);
      return new CsDouble(t === 'float' ? Math.fround(n) : n, t);
    }
    case 'char': {
      if (value instanceof CsChar) return value;
      if (!fromObject && typeof value === 'number') return new CsChar(value & 0xffff);
      throw Exceptions.invalidCast(typeNameOf(value), 'System.Char');
    }
    default:
      if (isInstanceOf(value, t)) return value;
      throw Exceptions.invalidCast(typeNameOf(value), qualifiedName(t));
  }
}

function clrName(t: string): string {
  return ({ int: 'Int32', short: 'Int16', byte: 'Byte', sbyte: 'SByte', ushort: 'UInt16', uint: 'UInt32', long: 'Int64', ulong: 'UInt64', double: 'Double', float: 'Single', decimal: 'Decimal', string: 'String', bool: 'Boolean', char: 'Char' } as Record<string, string>)[t] ?? t;
}

/** `System.String` style names for the primitive aliases. */
function clrQualified(t: string): string {
  const n = clrName(t);
  return n === t ? t : `System.${n}`;
}

function qualifiedName(t: string): string {
  if (/^J(Object|Array|Token|Value|Property|Container)$/.test(t)) return `Newtonsoft.Json.Linq.${t}`;
  if (['DateTime', 'TimeSpan', 'Guid', 'DateTimeOffset'].includes(t)) return `System.${t}`;
  return t;
}

const VALUE_TYPES = new Set(['int', 'long', 'short', 'byte', 'sbyte', 'ushort', 'uint', 'ulong', 'double', 'float', 'decimal', 'bool', 'char', 'DateTime', 'DateTimeOffset', 'TimeSpan', 'Guid', 'KeyValuePair']);
export function isReferenceType(t: string): boolean {
  return !VALUE_TYPES.has(normalizeTypeName(t).replace(/<.*$/, ''));
}

/** `value is T` for class/interface/struct names. */
export function isInstanceOf(value: unknown, target: string): boolean {
  const t = normalizeTypeName(target).replace(/<.*$/, '').replace(/\?$/, '');
  if (value === null || value === undefined) return false;
  const k = runtimeKey(value);
  switch (t) {
    case 'object': return true;
    case 'string': return k === 'string';
    case 'int': case 'short': case 'byte': return k === 'int';
    case 'long': return k === 'long';
    case 'double': case 'float': case 'decimal': return value instanceof CsDouble && (value.kind === t);
    case 'bool': return k === 'bool';
    case 'char': return k === 'char';
    case 'JToken': return value instanceof JToken;
    case 'JContainer': return value instanceof JObject || value instanceof JArray || value instanceof JProperty;
    case 'JObject': case 'JArray': case 'JValue': case 'JProperty': return k === t;
    case 'IResponse': return k === 'host' || k === 'IResponse';
    case 'Jwt': return k === 'Jwt';
    case 'BasicAuthCredentials': return k === 'BasicAuthCredentials';
    case 'Exception': return k === 'Exception';
    case 'Dictionary': case 'IDictionary': case 'IReadOnlyDictionary': return k === 'Dictionary';
    case 'List': case 'IList': case 'ICollection': return k === 'List' || k === 'array' || k === 'byte[]';
    case 'IEnumerable': return k === 'List' || k === 'array' || k === 'byte[]' || k === 'Dictionary' || k === 'string' || value instanceof JToken;
    case 'XElement': case 'XNode': return k === 'XElement';
    case 'XDocument': return k === 'XDocument';
    case 'Uri': case 'IUrl': return k === 'Url';
    case 'IMessageBody': return k === 'MessageBody';
    case 'Authorization': return k === 'host' || k === 'Authorization';
    default:
      if (t.endsWith('[]')) return Array.isArray(value) || value instanceof Uint8Array;
      if (t.endsWith('Exception')) return value instanceof CsException && (value.type === t || t === 'SystemException');
      return k === t || k === 'host';
  }
}

/** Newtonsoft explicit conversion operators: `(string)token`, `(int)token`, `(bool?)token`, `(DateTime)token`. */
export function convertJToken(token: JToken | null, t: string, nullable: boolean): unknown {
  const isNull = token === null || (token instanceof JValue && (token.valueType === 'Null' || token.valueType === 'Undefined'));
  if (isNull) {
    if (nullable || isReferenceType(t)) return null;
    throw Exceptions.argument(`Can not convert Null to ${clrName(t)}.`);
  }
  if (!(token instanceof JValue)) {
    throw Exceptions.argument(`Can not convert ${tokenTypeName(token)} to ${clrName(t)}.`);
  }
  const v = token.value;
  switch (t) {
    case 'string':
      if (token.valueType === 'Bytes') return Buffer.from(v as Uint8Array).toString('base64');
      // Newtonsoft converts with CultureInfo.InvariantCulture: dates print as MM/dd/yyyy HH:mm:ss
      if (v instanceof CsDateTime) return formatDateTime(v, 'MM/dd/yyyy HH:mm:ss');
      return jvalueText(token);
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        if (/^\s*true\s*$/i.test(v)) return true;
        if (/^\s*false\s*$/i.test(v)) return false;
        throw Exceptions.format('String \'' + v + '\' was not recognized as a valid Boolean.');
      }
      if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
      break;
    case 'int': case 'short': case 'byte': case 'sbyte': case 'ushort': case 'uint': case 'long': case 'ulong': {
      let n: number | bigint;
      if (typeof v === 'number') n = token.valueType === 'Float' ? roundDotNet(v) : v;
      else if (typeof v === 'bigint') n = v;
      else if (typeof v === 'string') n = parseInteger(v, t === 'long' || t === 'ulong' ? 64 : 32);
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else break;
      if (t === 'long' || t === 'ulong') return BigInt(n);
      const num = Number(n);
      const [lo, hi] = INT_RANGES[t]!;
      if (num < lo || num > hi) throw Exceptions.overflow(`Value was either too large or too small for ${clrName(t) === 'Int32' ? 'an Int32' : 'a ' + clrName(t)}.`);
      return num;
    }
    case 'double': case 'float': case 'decimal': {
      if (typeof v === 'number' || typeof v === 'bigint') return new CsDouble(Number(v), t);
      if (typeof v === 'string') return new CsDouble(parseDouble(v), t);
      if (typeof v === 'boolean') return new CsDouble(v ? 1 : 0, t);
      break;
    }
    case 'DateTime':
      if (v instanceof CsDateTime) return v;
      if (typeof v === 'string') return parseDateTime(v);
      break;
    case 'Guid':
      if (v instanceof CsGuid) return v;
      if (typeof v === 'string') return CsGuid.parse(v);
      break;
    case 'TimeSpan':
      if (v instanceof CsTimeSpan) return v;
      break;
    case 'char':
      if (typeof v === 'string' && v.length === 1) return new CsChar(v.charCodeAt(0));
      break;
    case 'byte[]':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
      break;
    default:
      break;
  }
  throw Exceptions.argument(`Can not convert ${token.valueType} to ${clrName(t)}.`);
}

/** C# `==` (value semantics for strings, numbers and structs; reference identity for other objects). */
export function csEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean') return false;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return na === nb;
  }
  if (a instanceof CsDateTime && b instanceof CsDateTime) return a.ticks === b.ticks;
  if (a instanceof CsDateTimeOffset && b instanceof CsDateTimeOffset) return a.utcTicks === b.utcTicks;
  if (a instanceof CsTimeSpan && b instanceof CsTimeSpan) return a.ticks === b.ticks;
  if (a instanceof CsGuid && b instanceof CsGuid) return a.text === b.text;
  if (a instanceof CsEnum && b instanceof CsEnum) return a.type === b.type && a.value === b.value;
  if (a instanceof CsKeyValuePair && b instanceof CsKeyValuePair) return csEquals(a.Key, b.Key) && csEquals(a.Value, b.Value);
  return false;
}

/** `object.Equals(a, b)` (used by `Contains`, `Distinct`, dictionary lookups): like `==` plus JValue value equality. */
export function csObjectEquals(a: unknown, b: unknown): boolean {
  if (a instanceof JValue && b instanceof JValue) return a.valueType === b.valueType && csEquals(a.value, b.value);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return csEquals(a, b);
}

/** C# `<`/`>`… on numbers, chars, DateTime, TimeSpan; lifted to false when either side is null. */
export function csCompare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : na === nb ? 0 : NaN;
  if (a instanceof CsDateTime && b instanceof CsDateTime) return a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0;
  if (a instanceof CsDateTimeOffset && b instanceof CsDateTimeOffset) return a.utcTicks < b.utcTicks ? -1 : a.utcTicks > b.utcTicks ? 1 : 0;
  if (a instanceof CsTimeSpan && b instanceof CsTimeSpan) return a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0;
  if (a instanceof CsEnum && b instanceof CsEnum) return a.value - b.value;
  throw new CsException('InvalidOperationException', `Operator cannot be applied to operands of type '${typeNameOf(a)}' and '${typeNameOf(b)}'`);
}

/** `Comparer<T>.Default.Compare` for OrderBy/Sort: strings ordinal-ish (culture-insensitive), nulls first. */
export function defaultCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : a < b ? 1 : a > b ? -1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const r = csCompare(a, b);
  return r ?? 0;
}

type NumKind = 0 | 1 | 2 | 3; // int, long, double, decimal
function kindOf(v: unknown): NumKind | -1 {
  if (typeof v === 'number') return 0;
  if (typeof v === 'bigint') return 1;
  if (v instanceof CsDouble) return v.kind === 'decimal' ? 3 : 2;
  if (v instanceof CsChar) return 0;
  return -1;
}

/** Binary arithmetic `+ - * / %` with C# numeric promotion; `+` concatenates when either side is a string. */
export function arith(op: string, a: unknown, b: unknown): unknown {
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) return toDisplayString(a) + toDisplayString(b);
  if (a === null || a === undefined || b === null || b === undefined) {
    if (op === '+' && (a instanceof CsChar || b instanceof CsChar)) return null;
    return null; // lifted operators on nullable numbers yield null
  }
  if (op === '+' || op === '-') {
    if (a instanceof CsDateTime && b instanceof CsTimeSpan) return new CsDateTime(op === '+' ? a.ticks + b.ticks : a.ticks - b.ticks, a.kind);
    if (a instanceof CsDateTimeOffset && b instanceof CsTimeSpan) return new CsDateTimeOffset(op === '+' ? a.ticks + b.ticks : a.ticks - b.ticks, a.offsetMinutes);
    if (a instanceof CsTimeSpan && b instanceof CsTimeSpan) return new CsTimeSpan(op === '+' ? a.ticks + b.ticks : a.ticks - b.ticks);
    if (op === '-' && a instanceof CsDateTime && b instanceof CsDateTime) return new CsTimeSpan(a.ticks - b.ticks);
    if (op === '-' && a instanceof CsDateTimeOffset && b instanceof CsDateTimeOffset) return new CsTimeSpan(a.utcTicks - b.utcTicks);
  }
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka < 0 || kb < 0) {
    throw new CsException('InvalidOperationException', `Operator '${op}' cannot be applied to operands of type '${typeNameOf(a)}' and '${typeNameOf(b)}'`);
  }
  const k = Math.max(ka, kb);
  if (k === 0) {
    const x = numeric(a)!;
    const y = numeric(b)!;
    switch (op) {
      case '+': return (x + y) | 0;
      case '-': return (x - y) | 0;
      case '*': return Math.imul(x, y);
      case '/':
        if (y === 0) throw Exceptions.divideByZero();
        if (x === -2147483648 && y === -1) throw Exceptions.overflow();
        return (x / y) | 0;
      case '%':
        if (y === 0) throw Exceptions.divideByZero();
        // .NET throws for int.MinValue % -1 as it does for the division
        if (x === -2147483648 && y === -1) throw Exceptions.overflow();
        return (x % y) | 0;
    }
  }
  if (k === 1) {
    const x = typeof a === 'bigint' ? a : BigInt(numeric(a)!);
    const y = typeof b === 'bigint' ? b : BigInt(numeric(b)!);
    switch (op) {
      case '+': return BigInt.asIntN(64, x + y);
      case '-': return BigInt.asIntN(64, x - y);
      case '*': return BigInt.asIntN(64, x * y);
      case '/': if (y === 0n) throw Exceptions.divideByZero(); return BigInt.asIntN(64, x / y);
      case '%': if (y === 0n) throw Exceptions.divideByZero(); return x % y;
    }
  }
  const x = numeric(a)!;
  const y = numeric(b)!;
  const kind = k === 3 ? 'decimal' : (a instanceof CsDouble && a.kind === 'float' && !(b instanceof CsDouble && b.kind === 'double')) || (b instanceof CsDouble && b.kind === 'float' && !(a instanceof CsDouble && a.kind === 'double')) ? 'float' : 'double';
  let r: number;
  switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/':
      if (k === 3 && y === 0) throw Exceptions.divideByZero();
      r = x / y;
      break;
    default: r = x % y;
  }
  return new CsDouble(kind === 'float' ? Math.fround(r) : r, kind);
}

/** `& | ^ << >>` on ints/longs/bools/enums. */
export function bitwise(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    if (op === '&') return a && b;
    if (op === '|') return a || b;
    if (op === '^') return a !== b;
  }
  if (a instanceof CsEnum && b instanceof CsEnum) {
    const v = op === '&' ? a.value & b.value : op === '|' ? a.value | b.value : a.value ^ b.value;
    return new CsEnum(a.type, '', v);
  }
  if (a === null || b === null || a === undefined || b === undefined) return null;
  if (op === '<<' || op === '>>') {
    const count = Number(numeric(b)!);
    if (typeof a === 'bigint') return op === '<<' ? BigInt.asIntN(64, a << BigInt(count & 63)) : a >> BigInt(count & 63);
    const x = numeric(a)!;
    return op === '<<' ? x << (count & 31) : x >> (count & 31);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = typeof a === 'bigint' ? a : BigInt(numeric(a)!);
    const y = typeof b === 'bigint' ? b : BigInt(numeric(b)!);
    return op === '&' ? x & y : op === '|' ? x | y : x ^ y;
  }
  const x = numeric(a);
  const y = numeric(b);
  if (x === undefined || y === undefined || a instanceof CsDouble || b instanceof CsDouble) {
    throw new CsException('InvalidOperationException', `Operator '${op}' cannot be applied to operands of type '${typeNameOf(a)}' and '${typeNameOf(b)}'`);
  }
  return op === '&' ? x & y : op === '|' ? x | y : x ^ y;
}

/**
 * Converts an expression result to what a policy attribute expects: `bool` (`true`/`false`, "true"), `int`
 * (int/long/double/numeric string) or `string` (`toDisplayString`). Throws `CsException` when impossible.
 */
export function convertForAttribute(value: unknown, want: 'string' | 'bool' | 'int'): string | boolean | number {
  if (want === 'string') return toDisplayString(value);
  if (want === 'bool') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) return /true/i.test(value);
    throw Exceptions.format(`String '${toDisplayString(value)}' was not recognized as a valid Boolean.`);
  }
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof CsDouble) return Math.trunc(value.value);
  return Number(parseInteger(toDisplayString(value), 32));
}

/** A LINQ-able sequence for a value (arrays, lists, dictionaries, JArray/JObject, strings, byte[]). */
export function toSequence(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof CsList) return v.items;
  if (v instanceof Uint8Array) return Array.from(v);
  if (v instanceof CsDictionary) return [...v.entries()].map(([k, x]) => new CsKeyValuePair(k, x));
  if (v instanceof JArray) return v.items;
  if (v instanceof JObject) return [...v.props.values()];
  if (v instanceof JProperty) return [v.value];
  if (typeof v === 'string') return Array.from(v, (c) => new CsChar(c.charCodeAt(0)));
  if (v instanceof XElement) return v.elements();
  return undefined;
}

/**
 * Can `set-variable` store this value? The documented basic types (bool, numbers, char, string, Guid,
 * DateTime, TimeSpan, byte[]/sbyte[], and their nullable forms) plus the JSON token types the corpus
 * stores in practice (POLICY-ENGINE.md §5.1, open question 17).
 */
export function isStorableVariable(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string': case 'number': case 'bigint': case 'boolean': return true;
    default: break;
  }
  return (
    value instanceof CsDouble || value instanceof CsChar || value instanceof CsGuid || value instanceof CsDateTime ||
    value instanceof CsTimeSpan || value instanceof Uint8Array || value instanceof JToken
  );
}
