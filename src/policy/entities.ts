/** XML entity handling shared by the tokenizer and the C# region lexer. */

const NAMED: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };
const ENTITY_AT = /&(quot|apos|lt|gt|amp|#[0-9]+|#x[0-9a-fA-F]+);/y;

/**
 * The entity starting at `i` (which holds `&`), as its decoded character and its length in `src`;
 * undefined when `&` does not start one of the five XML entities or a character reference (a raw `&&` in
 * a `rawxml` expression is just two characters).
 */
export function entityAt(src: string, i: number): { ch: string; length: number } | undefined {
  ENTITY_AT.lastIndex = i;
  const m = ENTITY_AT.exec(src);
  if (!m) return undefined;
  const body = m[1]!;
  let ch: string | undefined;
  if (body.startsWith('#x')) ch = safeFromCodePoint(parseInt(body.slice(2), 16));
  else if (body.startsWith('#')) ch = safeFromCodePoint(parseInt(body.slice(1), 10));
  else ch = NAMED[body];
  return ch === undefined ? undefined : { ch, length: m[0].length };
}

function safeFromCodePoint(n: number): string | undefined {
  return Number.isFinite(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/** Decodes the XML entities of `s`; unknown `&…` sequences are kept literally (rawxml is lenient). */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, amp);
    const e = entityAt(s, amp);
    if (e) {
      out += e.ch;
      i = amp + e.length;
    } else {
      out += '&';
      i = amp + 1;
    }
  }
  return out;
}
