/**
 * .NET number formatting and parsing (invariant culture): `ToString()`, `ToString("N2")`, `{0:D4}`,
 * `int.Parse`, `double.Parse`. Pure functions over JS numbers / bigints.
 */
import { Exceptions } from './errors.js';

/** .NET Core 3.0+ `double.ToString()`: shortest round-trip, `E+XX` exponent form outside 1e-5..1e15. */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '-∞';
  if (Object.is(v, -0)) return '-0';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-5)) {
    // JS gives "1.5e-7" / "1e+21"; .NET gives "1.5E-07" / "1E+21".
    const [m, e] = v.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}E${sign}${digits}`;
  }
  return String(v);
}

/** `float.ToString()`: the shortest text that round-trips through a 32-bit float (1.1f → "1.1"). */
export function formatFloat(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatDouble(v);
  for (let p = 1; p <= 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return formatDouble(t);
  }
  return formatDouble(v);
}

/** `decimal.ToString()`: no exponent, keeps the digits it has. */
export function formatDecimal(v: number): string {
  if (Number.isInteger(v)) return v.toFixed(0);
  return String(v).includes('e') ? v.toFixed(20).replace(/0+$/, '') : String(v);
}

function groupThousands(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Rounds half away from zero to `digits` decimals (what .NET's numeric format strings do). */
function toFixedAway(v: number, digits: number): string {
  const f = 10 ** digits;
  const r = Math.round(Math.abs(v) * f + 1e-9) / f; // epsilon: 1.005 style binary artefacts
  return (v < 0 && r !== 0 ? '-' : '') + r.toFixed(digits);
}

/**
 * Formats a number with a .NET numeric format string (standard `D`, `N`, `F`, `X`, `E`, `P`, `G`, `R`, `C`,
 * or a custom pattern of `0`, `#`, `.`, `,`, `%`). `isInt` selects integer semantics (for `D`/`X`).
 */
export function formatNumber(v: number | bigint, format: string | undefined, isInt: boolean): string {
  if (!format) return typeof v === 'bigint' ? v.toString() : isInt ? String(v) : formatDouble(v);
  const m = /^([A-Za-z])(\d{0,2})$/.exec(format);
  if (m) {
    const spec = m[1]!;
    const prec = m[2] === '' ? undefined : Number(m[2]);
    const n = typeof v === 'bigint' ? Number(v) : v;
    switch (spec) {
      case 'D': case 'd': {
        if (!isInt) throw Exceptions.format('Format specifier was invalid.');
        const s = (typeof v === 'bigint' ? (v < 0n ? -v : v).toString() : Math.abs(n).toString()).padStart(prec ?? 0, '0');
        return (n < 0 ? '-' : '') + s;
      }
      case 'X': case 'x': {
        if (!isInt) throw Exceptions.format('Format specifier was invalid.');
        let big = typeof v === 'bigint' ? v : BigInt(n);
        if (big < 0n) big = typeof v === 'bigint' ? BigInt.asUintN(64, big) : BigInt.asUintN(32, big);
        const s = big.toString(16).padStart(prec ?? 0, '0');
        return spec === 'X' ? s.toUpperCase() : s;
      }
      case 'F': case 'f': return toFixedAway(n, prec ?? 2);
      case 'N': case 'n': {
        const s = toFixedAway(n, prec ?? 2);
        const neg = s.startsWith('-');
        const [i, f] = s.replace('-', '').split('.');
        return (neg ? '-' : '') + groupThousands(i!) + (f ? `.${f}` : '');
      }
      case 'P': case 'p': {
        const s = formatNumber(n * 100, `N${prec ?? 2}`, false);
        return `${s} %`;
      }
      case 'C': case 'c': {
        const s = formatNumber(Math.abs(n), `N${prec ?? 2}`, false);
        return n < 0 ? `(¤${s})` : `¤${s}`;
      }
      case 'E': case 'e': {
        const [mant, exp] = n.toExponential(prec ?? 6).split('e') as [string, string];
        const sign = exp.startsWith('-') ? '-' : '+';
        return `${mant}${spec}${sign}${exp.replace(/^[+-]/, '').padStart(3, '0')}`;
      }
      case 'G': case 'g': case 'R': case 'r':
        if (prec === undefined || spec === 'R' || spec === 'r') return typeof v === 'bigint' ? v.toString() : isInt ? String(v) : formatDouble(n);
        return formatDouble(Number(n.toPrecision(prec)));
      default:
        break;
    }
  }
  return formatCustomNumber(typeof v === 'bigint' ? Number(v) : v, format);
}

/** Custom numeric format: `0.00`, `#,##0.##`, `000`, `0%`. Sections (`;`) pick the negative/zero form. */
function formatCustomNumber(v: number, format: string): string {
  const sections = format.split(';');
  let fmt = sections[0]!;
  let value = v;
  if (v < 0 && sections[1] !== undefined) {
    fmt = sections[1];
    value = -v;
  } else if (v === 0 && sections[2] !== undefined) fmt = sections[2];
  // Literal text in quotes is copied verbatim.
  const percent = fmt.includes('%');
  if (percent) value *= 100;
  const dot = fmt.indexOf('.');
  const intFmt = (dot >= 0 ? fmt.slice(0, dot) : fmt).replace(/[^0#,]/g, '');
  const fracFmt = dot >= 0 ? fmt.slice(dot + 1).replace(/[^0#]/g, '') : '';
  const minFrac = (fracFmt.match(/0/g) ?? []).length;
  const maxFrac = fracFmt.length;
  let s = toFixedAway(Math.abs(value), maxFrac);
  let [ip, fp = ''] = s.split('.');
  fp = fp.replace(/0+$/, '');
  while (fp.length < minFrac) fp += '0';
  const minInt = (intFmt.match(/0/g) ?? []).length;
  ip = ip!.replace(/^0+/, '');
  while (ip.length < minInt) ip = '0' + ip;
  if (intFmt.includes(',')) ip = groupThousands(ip);
  s = ip + (fp ? `.${fp}` : '');
  const prefix = /^[^0#.,]*/.exec(fmt)![0].replace(/['"]/g, '');
  const suffix = /[^0#.,]*$/.exec(fmt)![0].replace(/['"]/g, '');
  const neg = value < 0 && sections.length === 1 && s.replace(/[0.,]/g, '') !== '' ? '-' : '';
  return neg + prefix + s + suffix;
}

/** `int.Parse` / `long.Parse` (invariant, allows surrounding whitespace and a leading sign). */
export function parseInteger(s: unknown, bits: 8 | 16 | 32 | 64, unsigned = false): number | bigint {
  if (s === null || s === undefined) throw Exceptions.argumentNull('s');
  const str = String(s).trim();
  if (!/^[+-]?\d+$/.test(str)) throw Exceptions.format(`The input string '${String(s)}' was not in a correct format.`);
  const big = BigInt(str);
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (big < min || big > max) throw Exceptions.overflow(`Value was either too large or too small for ${bitsName(bits, unsigned)}.`);
  return bits === 64 ? big : Number(big);
}

function bitsName(bits: number, unsigned: boolean): string {
  if (bits === 8) return unsigned ? 'an unsigned byte' : 'a signed byte';
  if (bits === 16) return unsigned ? 'a UInt16' : 'an Int16';
  if (bits === 32) return unsigned ? 'a UInt32' : 'an Int32';
  return unsigned ? 'a UInt64' : 'an Int64';
}

/** `double.Parse` (invariant). */
export function parseDouble(s: unknown): number {
  if (s === null || s === undefined) throw Exceptions.argumentNull('s');
  const str = String(s).trim().replace(/,/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(str)) {
    if (/^[+-]?(Infinity|∞)$/.test(str)) return str.startsWith('-') ? -Infinity : Infinity;
    if (str === 'NaN') return NaN;
    throw Exceptions.format(`The input string '${String(s)}' was not in a correct format.`);
  }
  return Number(str);
}

/** .NET `Math.Round(x, digits)` with banker's rounding by default. */
export function roundDotNet(x: number, digits = 0, awayFromZero = false): number {
  const f = 10 ** digits;
  const y = x * f;
  let r: number;
  const floor = Math.floor(y);
  const diff = y - floor;
  if (Math.abs(diff - 0.5) < 1e-9) {
    if (awayFromZero) r = y >= 0 ? floor + 1 : floor;
    else r = floor % 2 === 0 ? floor : floor + 1;
    if (awayFromZero && y < 0) r = -Math.round(Math.abs(y) + 1e-9);
  } else r = Math.round(y);
  return r / f;
}
