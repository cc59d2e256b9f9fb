/**
 * The C# lexer: literals (regular, verbatim `@"…"`, interpolated `$"…{x:fmt}…"`, chars, numbers with
 * suffixes), identifiers (`@if` verbatim identifiers too), keywords, operators and comments. Every token
 * carries absolute offsets into the expression source so errors point at the right column.
 */
import { ExpressionError, type SourceAt } from './errors.js';

export type TokenKind = 'ident' | 'keyword' | 'number' | 'string' | 'char' | 'interp' | 'punct' | 'eof';

/** A hole of an interpolated string: the expression's source range, optional alignment and format. */
export interface InterpHole {
  start: number;
  end: number;
  /** Source range of the alignment expression after `,`, if any. */
  align?: { start: number; end: number };
  format?: string;
}

export interface Token {
  kind: TokenKind;
  /** Identifier/keyword name, punctuator text, decoded string value, or the number's raw text. */
  value: string;
  start: number;
  end: number;
  /** For `interp`: literal chunks and holes, alternating (chunks.length === holes.length + 1). */
  chunks?: string[];
  holes?: InterpHole[];
  /** For `number`: the literal's C# type. For `string`: 'verbatim' when `@"…"`. */
  numType?: 'int' | 'uint' | 'long' | 'ulong' | 'double' | 'float' | 'decimal';
  verbatim?: boolean;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'abstract', 'as', 'base', 'bool', 'break', 'byte', 'case', 'catch', 'char', 'checked', 'class', 'const', 'continue',
  'decimal', 'default', 'delegate', 'do', 'double', 'else', 'enum', 'event', 'explicit', 'extern', 'false', 'finally',
  'fixed', 'float', 'for', 'foreach', 'goto', 'if', 'implicit', 'in', 'int', 'interface', 'internal', 'is', 'lock',
  'long', 'namespace', 'new', 'null', 'object', 'operator', 'out', 'override', 'params', 'private', 'protected',
  'public', 'readonly', 'ref', 'return', 'sbyte', 'sealed', 'short', 'sizeof', 'stackalloc', 'static', 'string',
  'struct', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'uint', 'ulong', 'unchecked', 'unsafe', 'ushort',
  'using', 'virtual', 'void', 'volatile', 'while',
]);

/** Operators, longest first so the scanner can match greedily. `>>` is *not* a token (generics); the parser joins `>` `>`. */
const PUNCTS = [
  '>>=', '<<=', '??=', '...',
  '?.', '??', '=>', '==', '!=', '<=', '>=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '::',
  '{', '}', '(', ')', '[', ']', '.', ',', ';', ':', '?', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '=', '<', '>',
];

const isIdStart = (c: string) => /[A-Za-z_\u00C0-\uFFFF]/.test(c);
const isIdPart = (c: string) => /[A-Za-z0-9_\u00C0-\uFFFF]/.test(c);

/** Tokenizes `source[start, end)`. Throws `ExpressionError('E_PARSE')` on bad input. */
export function lex(source: string, at: SourceAt = {}, start = 0, end = source.length): Token[] {
  const tokens: Token[] = [];
  let i = start;
  const err = (msg: string, s: number, e = s + 1): never => {
    throw new ExpressionError('E_PARSE', msg, source, { start: s, end: e }, at);
  };
  while (i < end) {
    const c = source[i]!;
    // whitespace
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
      i++;
      continue;
    }
    // comments
    if (c === '/' && source[i + 1] === '/') {
      while (i < end && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > end) err('End-of-file found, \'*/\' expected', i, i + 2);
      i = close + 2;
      continue;
    }
    const s = i;
    // interpolated strings: $"…", $@"…", @$"…"
    if ((c === '$' && (source[i + 1] === '"' || (source[i + 1] === '@' && source[i + 2] === '"'))) || (c === '@' && source[i + 1] === '$' && source[i + 2] === '"')) {
      const verbatim = source[i + 1] === '@' || c === '@';
      i += verbatim ? 3 : 2;
      const { chunks, holes, next } = lexInterpolated(source, i, end, verbatim, err);
      i = next;
      tokens.push({ kind: 'interp', value: '', start: s, end: i, chunks, holes, verbatim });
      continue;
    }
    // verbatim string
    if (c === '@' && source[i + 1] === '"') {
      i += 2;
      let v = '';
      for (;;) {
        if (i >= end) err('Unterminated string literal', s, end);
        if (source[i] === '"') {
          if (source[i + 1] === '"') { v += '"'; i += 2; continue; }
          i++;
          break;
        }
        v += source[i++];
      }
      tokens.push({ kind: 'string', value: v, start: s, end: i, verbatim: true });
      continue;
    }
    if (c === '"') {
      i++;
      let v = '';
      for (;;) {
        if (i >= end || source[i] === '\n') err('Newline in constant', s, i);
        const ch = source[i]!;
        if (ch === '"') { i++; break; }
        if (ch === '\\') {
          const r = readEscape(source, i, end, err);
          v += r.text;
          i = r.next;
        } else { v += ch; i++; }
      }
      tokens.push({ kind: 'string', value: v, start: s, end: i });
      continue;
    }
    if (c === "'") {
      i++;
      let v: string;
      if (source[i] === '\\') {
        const r = readEscape(source, i, end, err);
        v = r.text;
        i = r.next;
      } else if (source[i] === "'" || source[i] === '\n' || i >= end) {
        return err('Empty character literal', s, i + 1);
      } else v = source[i++]!;
      if (source[i] !== "'") err('Too many characters in character literal', s, i + 1);
      i++;
      if (v.length !== 1) err('Too many characters in character literal', s, i);
      tokens.push({ kind: 'char', value: v, start: s, end: i });
      continue;
    }
    // numbers
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const t = lexNumber(source, i, end, err);
      tokens.push(t);
      i = t.end;
      continue;
    }
    // identifiers (with @verbatim prefix)
    if (isIdStart(c) || (c === '@' && isIdStart(source[i + 1] ?? ''))) {
      const verbatim = c === '@';
      if (verbatim) i++;
      while (i < end && isIdPart(source[i]!)) i++;
      const name = source.slice(verbatim ? s + 1 : s, i);
      tokens.push({ kind: !verbatim && KEYWORDS.has(name) ? 'keyword' : 'ident', value: name, start: s, end: i });
      continue;
    }
    let matched: string | undefined;
    for (const p of PUNCTS) {
      if (source.startsWith(p, i) && i + p.length <= end) {
        // `a?.5 : 1` is a ternary with .5, not a null-conditional access.
        if (p === '?.' && /[0-9]/.test(source[i + 2] ?? '')) continue;
        matched = p;
        break;
      }
    }
    if (!matched) return err(`Unexpected character '${c}'`, i);
    tokens.push({ kind: 'punct', value: matched, start: i, end: i + matched.length });
    i += matched.length;
  }
  tokens.push({ kind: 'eof', value: '', start: end, end });
  return tokens;
}

function readEscape(source: string, i: number, end: number, err: (m: string, s: number, e?: number) => never): { text: string; next: number } {
  const e = source[i + 1];
  const simple: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  if (e !== undefined && simple[e] !== undefined) return { text: simple[e], next: i + 2 };
  if (e === 'u') {
    const h = source.slice(i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) err('Unrecognized escape sequence', i, i + 2);
    return { text: String.fromCharCode(parseInt(h, 16)), next: i + 6 };
  }
  if (e === 'U') {
    const h = source.slice(i + 2, i + 10);
    if (!/^[0-9a-fA-F]{8}$/.test(h)) err('Unrecognized escape sequence', i, i + 2);
    return { text: String.fromCodePoint(parseInt(h, 16)), next: i + 10 };
  }
  if (e === 'x') {
    const m = /^[0-9a-fA-F]{1,4}/.exec(source.slice(i + 2, Math.min(end, i + 6)));
    if (!m) err('Unrecognized escape sequence', i, i + 2);
    return { text: String.fromCharCode(parseInt(m![0], 16)), next: i + 2 + m![0].length };
  }
  return err('Unrecognized escape sequence', i, i + 2);
}

function lexNumber(source: string, i: number, end: number, err: (m: string, s: number, e?: number) => never): Token {
  const s = i;
  let isFloat = false;
  let text: string;
  if (source[i] === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
    i += 2;
    while (i < end && /[0-9a-fA-F_]/.test(source[i]!)) i++;
    text = source.slice(s, i).replace(/_/g, '');
    if (text.length <= 2) err('Invalid number', s, i);
  } else if (source[i] === '0' && (source[i + 1] === 'b' || source[i + 1] === 'B')) {
    i += 2;
    while (i < end && /[01_]/.test(source[i]!)) i++;
    text = source.slice(s, i).replace(/_/g, '');
    if (text.length <= 2) err('Invalid number', s, i);
  } else {
    while (i < end && /[0-9_]/.test(source[i]!)) i++;
    if (source[i] === '.' && /[0-9]/.test(source[i + 1] ?? '')) {
      isFloat = true;
      i++;
      while (i < end && /[0-9_]/.test(source[i]!)) i++;
    }
    if ((source[i] === 'e' || source[i] === 'E') && /[0-9]|[+-][0-9]/.test(source.slice(i + 1, i + 3))) {
      isFloat = true;
      i += 2;
      while (i < end && /[0-9]/.test(source[i]!)) i++;
    }
    text = source.slice(s, i).replace(/_/g, '');
  }
  let numType: Token['numType'];
  const suf = source.slice(i, i + 2).toLowerCase();
  if (suf === 'ul' || suf === 'lu') { numType = 'ulong'; i += 2; }
  else if (suf[0] === 'l') { numType = 'long'; i += 1; }
  else if (suf[0] === 'u') { numType = 'uint'; i += 1; }
  else if (suf[0] === 'f') { numType = 'float'; i += 1; }
  else if (suf[0] === 'd') { numType = 'double'; i += 1; }
  else if (suf[0] === 'm') { numType = 'decimal'; i += 1; }
  else numType = isFloat ? 'double' : 'int';
  if (isFloat && (numType === 'long' || numType === 'uint' || numType === 'ulong')) err('Invalid real literal suffix', s, i);
  if (isIdPart(source[i] ?? ' ')) err('Invalid number', s, i + 1);
  if (numType === 'int' || numType === 'uint' || numType === 'long' || numType === 'ulong') {
    const big = BigInt(text);
    // C#: the first of int, uint, long, ulong that can hold the value.
    if (numType === 'int') numType = big <= 0x7fffffffn ? 'int' : big <= 0xffffffffn ? 'uint' : big <= 0x7fffffffffffffffn ? 'long' : 'ulong';
    else if (numType === 'uint') numType = big <= 0xffffffffn ? 'uint' : 'ulong';
    else if (numType === 'long') numType = big <= 0x7fffffffffffffffn ? 'long' : 'ulong';
    if (big > 0xffffffffffffffffn) err('Integral constant is too large', s, i);
    text = big.toString();
  }
  return { kind: 'number', value: text, start: s, end: i, numType };
}

function lexInterpolated(
  source: string,
  i: number,
  end: number,
  verbatim: boolean,
  err: (m: string, s: number, e?: number) => never,
): { chunks: string[]; holes: InterpHole[]; next: number } {
  const chunks: string[] = [];
  const holes: InterpHole[] = [];
  let cur = '';
  const begin = i;
  for (;;) {
    if (i >= end) err('Unterminated string literal', begin, end);
    const ch = source[i]!;
    if (ch === '"') {
      if (verbatim && source[i + 1] === '"') { cur += '"'; i += 2; continue; }
      i++;
      break;
    }
    if (!verbatim && ch === '\n') err('Newline in constant', begin, i);
    if (!verbatim && ch === '\\') {
      const r = readEscape(source, i, end, err);
      cur += r.text;
      i = r.next;
      continue;
    }
    if (ch === '{' && source[i + 1] === '{') { cur += '{'; i += 2; continue; }
    if (ch === '}' && source[i + 1] === '}') { cur += '}'; i += 2; continue; }
    if (ch === '}') err("'}' character must be escaped (by doubling) in an interpolated string", i);
    if (ch === '{') {
      chunks.push(cur);
      cur = '';
      const hs = i + 1;
      // Find the end of the hole at bracket depth 0, skipping nested literals; note ',' and ':' at depth 0.
      let depth = 0;
      let j = hs;
      let comma = -1;
      let colon = -1;
      while (j < end) {
        const d = source[j]!;
        if (d === '"' || d === "'" || (d === '@' && source[j + 1] === '"') || (d === '$' && (source[j + 1] === '"' || source[j + 1] === '@'))) {
          j = skipLiteral(source, j, end, err);
          continue;
        }
        if (d === '(' || d === '[' || d === '{') depth++;
        else if (d === ')' || d === ']') depth--;
        else if (d === '}') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && d === ',' && comma < 0 && colon < 0) comma = j;
        // C# requires a conditional operator inside a hole to be parenthesised, so ':' at depth 0 starts the format
        else if (depth === 0 && d === ':' && colon < 0 && source[j + 1] !== ':') {
          colon = j;
          // the format runs to the closing brace
          const close = source.indexOf('}', j);
          if (close < 0) err('Unterminated interpolation hole', i);
          j = close;
          break;
        }
        j++;
      }
      if (j >= end) err('Unterminated interpolation hole', i, end);
      const exprEnd = comma >= 0 ? comma : colon >= 0 ? colon : j;
      const hole: InterpHole = { start: hs, end: exprEnd };
      if (comma >= 0) hole.align = { start: comma + 1, end: colon >= 0 ? colon : j };
      if (colon >= 0) hole.format = source.slice(colon + 1, j);
      if (source.slice(hs, exprEnd).trim() === '') err('Empty interpolation hole', i, j + 1);
      holes.push(hole);
      i = j + 1;
      continue;
    }
    cur += ch;
    i++;
  }
  chunks.push(cur);
  return { chunks, holes, next: i };
}

/** Skips one string/char literal starting at `j` (used when scanning holes). */
function skipLiteral(source: string, j: number, end: number, err: (m: string, s: number, e?: number) => never): number {
  const s = j;
  let verbatim = false;
  let interp = false;
  while (source[j] === '@' || source[j] === '$') {
    if (source[j] === '@') verbatim = true;
    else interp = true;
    j++;
  }
  const q = source[j]!;
  j++;
  if (interp) {
    const r = lexInterpolated(source, j, end, verbatim, err);
    return r.next;
  }
  while (j < end) {
    const d = source[j]!;
    if (d === q) {
      if (verbatim && source[j + 1] === q) { j += 2; continue; }
      return j + 1;
    }
    if (!verbatim && d === '\\') { j += 2; continue; }
    j++;
  }
  return err('Unterminated string literal', s, end);
}
