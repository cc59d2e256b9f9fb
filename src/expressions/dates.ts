/**
 * .NET date/time formatting and parsing: `DateTime.ToString("o")`, custom patterns (`yyyy-MM-ddTHH:mm:ssZ`),
 * `TimeSpan.ToString()`, `DateTime.Parse`. Culture: invariant for patterns, en-US for the default
 * `ToString()` (`M/d/yyyy h:mm:ss tt`, POLICY-ENGINE.md §6.1 / open question 13).
 */
import { Exceptions } from './errors.js';
import { CsDateTime, CsDateTimeOffset, CsTimeSpan, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, UNIX_EPOCH_TICKS, TICKS_PER_MS } from './values.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Expands a standard format letter into its custom pattern (en-US / invariant). */
function standardPattern(f: string): string | undefined {
  switch (f) {
    case 'd': return 'M/d/yyyy';
    case 'D': return 'dddd, MMMM d, yyyy';
    case 'f': return 'dddd, MMMM d, yyyy h:mm tt';
    case 'F': return 'dddd, MMMM d, yyyy h:mm:ss tt';
    case 'g': return 'M/d/yyyy h:mm tt';
    case 'G': return 'M/d/yyyy h:mm:ss tt';
    case 'm': case 'M': return 'MMMM d';
    case 'r': case 'R': return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    case 's': return "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
    case 't': return 'h:mm tt';
    case 'T': return 'h:mm:ss tt';
    case 'u': return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
    case 'U': return 'dddd, MMMM d, yyyy h:mm:ss tt';
    case 'y': case 'Y': return 'MMMM yyyy';
    default: return undefined;
  }
}

/** `DateTime.ToString(format)`; `offsetMinutes` is set for `DateTimeOffset`. */
export function formatDateTime(dt: CsDateTime, format: string | undefined, offsetMinutes?: number): string {
  const p = dt.parts();
  const fraction7 = pad(p.ms, 3) + pad(p.subMsTicks, 4);
  if (!format) format = offsetMinutes === undefined ? 'G' : 'G zzz';
  if (format === 'o' || format === 'O') {
    const base = `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${fraction7}`;
    if (offsetMinutes !== undefined) return base + offsetText(offsetMinutes, true);
    return base + (dt.kind === 'Utc' ? 'Z' : dt.kind === 'Local' ? '+00:00' : '');
  }
  if (format.length === 1) {
    const std = standardPattern(format);
    if (!std) throw Exceptions.format('Input string was not in a correct format.');
    format = std;
  } else if (format === 'G zzz') format = 'M/d/yyyy h:mm:ss tt zzz';
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    let n = 1;
    while (format[i + n] === c && "dfFhHKmMstyz".includes(c)) n++;
    switch (c) {
      case 'y': out += n === 1 ? String(p.year % 100) : n === 2 ? pad(p.year % 100, 2) : pad(p.year, n); break;
      case 'M': out += n === 1 ? String(p.month) : n === 2 ? pad(p.month, 2) : n === 3 ? MONTHS[p.month - 1]!.slice(0, 3) : MONTHS[p.month - 1]!; break;
      case 'd': out += n === 1 ? String(p.day) : n === 2 ? pad(p.day, 2) : n === 3 ? DAYS[p.dayOfWeek]!.slice(0, 3) : DAYS[p.dayOfWeek]!; break;
      case 'H': out += n === 1 ? String(p.hour) : pad(p.hour, 2); break;
      case 'h': { const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12; out += n === 1 ? String(h12) : pad(h12, 2); break; }
      case 'm': out += n === 1 ? String(p.minute) : pad(p.minute, 2); break;
      case 's': out += n === 1 ? String(p.second) : pad(p.second, 2); break;
      case 'f': out += fraction7.slice(0, Math.min(n, 7)); break;
      case 'F': out += fraction7.slice(0, Math.min(n, 7)).replace(/0+$/, ''); break;
      case 't': out += n === 1 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM'; break;
      case 'K': out += offsetMinutes !== undefined ? offsetText(offsetMinutes, true) : dt.kind === 'Utc' ? 'Z' : dt.kind === 'Local' ? '+00:00' : ''; break;
      case 'z': {
        const off = offsetMinutes ?? 0;
        const sign = off < 0 ? '-' : '+';
        const h = Math.floor(Math.abs(off) / 60);
        out += n === 1 ? `${sign}${h}` : n === 2 ? `${sign}${pad(h, 2)}` : offsetText(off, true);
        break;
      }
      case "'": case '"': {
        const end = format.indexOf(c, i + 1);
        out += format.slice(i + 1, end < 0 ? format.length : end);
        n = (end < 0 ? format.length : end) - i + 1;
        break;
      }
      case '\\': out += format[i + 1] ?? ''; n = 2; break;
      case '%': break;
      case '.':
        // `.FFF` with an all-zero fraction drops the separator too
        if (format[i + 1] === 'F') {
          let m = 0;
          while (format[i + 1 + m] === 'F') m++;
          const frac = fraction7.slice(0, Math.min(m, 7)).replace(/0+$/, '');
          out += frac ? `.${frac}` : '';
          n = 1 + m;
          break;
        }
        out += '.';
        break;
      default: out += c.repeat(n);
    }
    i += n;
  }
  return out;
}

function offsetText(min: number, colon: boolean): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}`;
}

/** `TimeSpan.ToString()` (`c`): `[-][d.]hh:mm:ss[.fffffff]`; also `g`/custom `hh\:mm`. */
export function formatTimeSpan(ts: CsTimeSpan, format?: string): string {
  const neg = ts.ticks < 0n;
  let t = neg ? -ts.ticks : ts.ticks;
  const days = t / TICKS_PER_DAY; t %= TICKS_PER_DAY;
  const hours = t / TICKS_PER_HOUR; t %= TICKS_PER_HOUR;
  const minutes = t / TICKS_PER_MINUTE; t %= TICKS_PER_MINUTE;
  const seconds = t / TICKS_PER_SECOND; t %= TICKS_PER_SECOND;
  const frac = t.toString().padStart(7, '0');
  if (!format || format === 'c' || format === 't' || format === 'T') {
    return `${neg ? '-' : ''}${days ? `${days}.` : ''}${pad(Number(hours), 2)}:${pad(Number(minutes), 2)}:${pad(Number(seconds), 2)}${t ? `.${frac}` : ''}`;
  }
  if (format === 'g') {
    return `${neg ? '-' : ''}${days ? `${days}:` : ''}${hours}:${pad(Number(minutes), 2)}:${pad(Number(seconds), 2)}${t ? `.${frac.replace(/0+$/, '')}` : ''}`;
  }
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    let n = 1;
    while (format[i + n] === c) n++;
    switch (c) {
      case 'd': out += pad(Number(days), n); break;
      case 'h': out += pad(Number(hours), n); break;
      case 'm': out += pad(Number(minutes), n); break;
      case 's': out += pad(Number(seconds), n); break;
      case 'f': out += frac.slice(0, n); break;
      case '\\': out += format[i + 1] ?? ''; n = 2; break;
      case "'": { const end = format.indexOf("'", i + 1); out += format.slice(i + 1, end); n = end - i + 1; break; }
      default: throw Exceptions.format('Input string was not in a correct format.');
    }
    i += n - 1;
  }
  return out;
}

/**
 * `DateTime.Parse` (invariant-ish): ISO 8601 (`2024-01-02`, `2024-01-02T03:04:05.123Z`, with offsets),
 * RFC 1123, and `M/d/yyyy [h:mm:ss [AM|PM]]`. Strings with an offset/`Z` are converted to UTC with kind Utc
 * (the local zone of the local gateway is UTC).
 */
export function parseDateTime(s: unknown): CsDateTime {
  const r = parseDateTimeOffsetText(s);
  if (r.offset === undefined) return new CsDateTime(r.ticks, 'Unspecified');
  return new CsDateTime(r.ticks - BigInt(r.offset) * TICKS_PER_MINUTE, 'Utc');
}

/** `DateTimeOffset.Parse`: no offset in the text means UTC (the local zone). */
export function parseDateTimeOffset(s: unknown): CsDateTimeOffset {
  const r = parseDateTimeOffsetText(s);
  return new CsDateTimeOffset(r.ticks, r.offset ?? 0);
}

function parseDateTimeOffsetText(s: unknown): { ticks: bigint; offset: number | undefined } {
  if (s === null || s === undefined) throw Exceptions.argumentNull('s');
  const str = String(s).trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(str);
  if (m) {
    const base = CsDateTime.fromParts(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
    const frac = BigInt((m[7] ?? '').padEnd(7, '0'));
    let offset: number | undefined;
    if (m[8]) offset = m[8].toUpperCase() === 'Z' ? 0 : (m[8].startsWith('-') ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(-2)));
    return { ticks: base.ticks + frac, offset };
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(str);
  if (m) {
    let h = +(m[4] ?? 0);
    if (m[7]) h = (h % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
    return { ticks: CsDateTime.fromParts(+m[3]!, +m[1]!, +m[2]!, h, +(m[5] ?? 0), +(m[6] ?? 0)).ticks, offset: undefined };
  }
  const ms = /^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|Z)$/.test(str) ? Date.parse(str) : NaN;
  if (!Number.isNaN(ms)) return { ticks: UNIX_EPOCH_TICKS + BigInt(ms) * TICKS_PER_MS, offset: 0 };
  throw Exceptions.format(`String '${str}' was not recognized as a valid DateTime.`);
}

/** `TimeSpan.Parse`: `[-][d.]hh:mm[:ss[.fffffff]]` or a whole number of days. */
export function parseTimeSpan(s: unknown): CsTimeSpan {
  if (s === null || s === undefined) throw Exceptions.argumentNull('input');
  const str = String(s).trim();
  const m = /^(-)?(?:(\d+)[.:])?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(str);
  if (m) {
    const t = BigInt(m[2] ?? 0) * TICKS_PER_DAY + BigInt(m[3]!) * TICKS_PER_HOUR + BigInt(m[4]!) * TICKS_PER_MINUTE + BigInt(m[5] ?? 0) * TICKS_PER_SECOND + BigInt((m[6] ?? '').padEnd(7, '0'));
    return new CsTimeSpan(m[1] ? -t : t);
  }
  if (/^-?\d+$/.test(str)) return new CsTimeSpan(BigInt(str) * TICKS_PER_DAY);
  throw Exceptions.format('String was not recognized as a valid TimeSpan.');
}
