/**
 * `toDisplayString`: how a value becomes header/body/query text — .NET `ToString()` semantics, not JS:
 * `True`/`False`, invariant numbers (`1.5`, `1E+21`), `JObject` as indented Newtonsoft JSON, DateTime as
 * `M/d/yyyy h:mm:ss tt`, `byte[]` as `System.Byte[]`, null as the empty string.
 */
import { CsException } from './errors.js';
import { formatDateTime, formatTimeSpan } from './dates.js';
import { JToken, JValue, jvalueText } from './json.js';
import { formatDecimal, formatDouble, formatFloat } from './numbers.js';
import { CsAnonymous, CsChar, CsDateTime, CsDateTimeOffset, CsDictionary, CsDouble, CsEnum, CsGuid, CsKeyValuePair, CsList, CsStringBuilder, CsTimeSpan, CsTypeRef } from './values.js';
import { CsUrl } from './url.js';
import { XAttribute, XDocument, XElement, XText } from './xml.js';

/** The C# `ToString()` of a value (null → `""`, as string concatenation and policy text do). */
export function toDisplayString(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string': return value;
    case 'boolean': return value ? 'True' : 'False';
    case 'number': return String(value);
    case 'bigint': return value.toString();
    default: break;
  }
  if (value instanceof CsDouble) return value.kind === 'decimal' ? formatDecimal(value.value) : value.kind === 'float' ? formatFloat(value.value) : formatDouble(value.value);
  if (value instanceof CsChar) return value.toString();
  if (value instanceof JValue) return jvalueText(value);
  if (value instanceof JToken) return value.toJson(true);
  if (value instanceof CsDateTime) return formatDateTime(value, undefined);
  if (value instanceof CsDateTimeOffset) return formatDateTime(value.clock, undefined, value.offsetMinutes);
  if (value instanceof CsTimeSpan) return formatTimeSpan(value);
  if (value instanceof CsGuid) return value.text;
  if (value instanceof CsEnum) return value.name;
  if (value instanceof CsUrl) return value.toString();
  if (value instanceof CsStringBuilder) return value.text;
  if (value instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(value)) return `System.${arrayElementName(value)}[]`;
  if (value instanceof CsList) return `System.Collections.Generic.${value.flavor}\`1[System.Object]`;
  if (value instanceof CsDictionary) return 'System.Collections.Generic.Dictionary`2[System.String,System.Object]';
  if (value instanceof CsKeyValuePair) return `[${toDisplayString(value.Key)}, ${toDisplayString(value.Value)}]`;
  if (value instanceof CsAnonymous) return `{ ${[...value.members].map(([k, v]) => `${k} = ${toDisplayString(v)}`).join(', ')} }`;
  if (value instanceof CsException) return value.toString();
  if (value instanceof XElement) return value.toXml();
  if (value instanceof XDocument) return value.root.toXml();
  if (value instanceof XAttribute) return `${value.name}="${value.value}"`;
  if (value instanceof XText) return value.value;
  if (value instanceof CsTypeRef) return value.name;
  const own = (value as { toString?: unknown }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString) return String(value);
  return 'System.Object';
}

function arrayElementName(arr: unknown[]): string {
  const first = arr.find((x) => x !== null && x !== undefined);
  if (typeof first === 'string') return 'String';
  if (typeof first === 'number') return 'Int32';
  if (typeof first === 'boolean') return 'Boolean';
  if (first instanceof CsChar) return 'Char';
  return 'Object';
}
