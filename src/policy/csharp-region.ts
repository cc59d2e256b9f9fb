import { entityAt } from './entities.js';

/**
 * Finds the end of a C# region `@(…)` / `@{…}` inside policy XML (POLICY-ENGINE.md §2.2). The region is
 * lexed as C#, not as XML: brackets are matched with a stack, and string, char, verbatim and interpolated
 * literals and comments are skipped, so the raw `"`, `<` and `&&` of APIM's `rawxml` form do not end it.
 * XML entities are decoded on the fly, so the escaped `xml` form (`&quot;`, `&lt;`) lexes the same way.
 */

/** Result of scanning a region: `end` is the offset just after the closing bracket. */
export type RegionScan = { ok: true; end: number } | { ok: false; offset: number; message: string };

const CLOSER: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

class Fail {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** `{ ch, n: 1 }` for every ASCII character, shared: callers only read the result, so no object per character. */
const ASCII: readonly { ch: string; n: number }[] = Array.from({ length: 128 }, (_, c) => Object.freeze({ ch: String.fromCharCode(c), n: 1 }));

/** A character of the source with entities decoded: `ch` and how many source characters it spans. */
function charAt(src: string, i: number): { ch: string; n: number } {
  const code = src.charCodeAt(i);
  if (code === AMP) {
    const e = entityAt(src, i);
    if (e) return { ch: e.ch, n: e.length };
  }
  return code < 128 ? ASCII[code]! : { ch: src[i]!, n: 1 };
}

const AMP = 38;

/** Characters `scanCode` acts on (brackets, quotes, `@`, `$`, `/`, and `&` which may encode one of them). */
const CODE_SPECIAL = new Uint8Array(128);
for (const c of '(){}[]"\'@$/&') CODE_SPECIAL[c.charCodeAt(0)] = 1;

/**
 * Scans the region that starts at `start` (the offset of `@`, followed by `(` or `{`).
 * @example scanRegion('x="@(a("b)"))" ', 3) // → { ok: true, end: 13 }
 */
export function scanRegion(src: string, start: number): RegionScan {
  try {
    const open = src[start + 1];
    if (open !== '(' && open !== '{') return { ok: false, offset: start, message: 'expected "(" or "{" after "@"' };
    return { ok: true, end: scanCode(src, start + 2, CLOSER[open]!, start + 1) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

/** Scans C# code from `i` up to and including the unmatched `closer`; returns the offset after it. */
function scanCode(src: string, i: number, closer: string, openedAt: number): number {
  // Open brackets as pairs (closer, offset) in one array: no object per bracket (every expression of a folder).
  const stack: (string | number)[] = [closer, openedAt];
  while (i < src.length) {
    const code = src.charCodeAt(i);
    if (code < 128 && CODE_SPECIAL[code] === 0) {
      i++; // most of an expression: identifiers, operators, spaces
      continue;
    }
    const { ch, n } = charAt(src, i);
    switch (ch) {
      case '(':
      case '{':
      case '[':
        stack.push(CLOSER[ch]!, i);
        i += n;
        break;
      case ')':
      case '}':
      case ']': {
        stack.pop();
        const expected = stack.pop() as string;
        if (expected !== ch) throw new Fail(i, `unbalanced "${ch}" in policy expression (expected "${expected}")`);
        i += n;
        if (stack.length === 0) return i;
        break;
      }
      case '"':
        i = scanString(src, i + n, false);
        break;
      case "'":
        i = scanChar(src, i + n, i);
        break;
      case '@':
      case '$': {
        const prefix = interpolationPrefix(src, i);
        if (prefix) i = prefix.interpolated ? scanInterpolated(src, prefix.next, prefix.verbatim, i) : scanString(src, prefix.next, true);
        else i += n;
        break;
      }
      case '/': {
        const next = i + n < src.length ? charAt(src, i + n).ch : '';
        if (next === '/') {
          const nl = src.indexOf('\n', i);
          i = nl < 0 ? src.length : nl + 1;
        } else if (next === '*') {
          const endc = src.indexOf('*/', i + 2);
          if (endc < 0) throw new Fail(i, 'unterminated /* comment in policy expression');
          i = endc + 2;
        } else i += n;
        break;
      }
      default:
        i += n;
    }
  }
  throw new Fail(stack[stack.length - 1] as number, `unterminated policy expression: no matching "${stack[stack.length - 2] as string}"`);
}

/** Recognises `@"`, `$"`, `$@"`, `@$"` at `i`; returns where the string body starts. */
function interpolationPrefix(src: string, i: number): { next: number; verbatim: boolean; interpolated: boolean } | undefined {
  let j = i;
  let verbatim = false;
  let interpolated = false;
  for (let k = 0; k < 2 && j < src.length; k++) {
    const { ch, n } = charAt(src, j);
    if (ch === '@' && !verbatim) verbatim = true;
    else if (ch === '$' && !interpolated) interpolated = true;
    else break;
    j += n;
  }
  if (j >= src.length || charAt(src, j).ch !== '"' || (!verbatim && !interpolated)) return undefined;
  return { next: j + charAt(src, j).n, verbatim, interpolated };
}

/** Skips a string body starting after the opening quote; returns the offset after the closing quote. */
function scanString(src: string, i: number, verbatim: boolean): number {
  const start = i - 1;
  while (i < src.length) {
    const { ch, n } = charAt(src, i);
    if (!verbatim && ch === '\\') {
      i += n;
      if (i < src.length) i += charAt(src, i).n;
      continue;
    }
    if (ch === '"') {
      if (verbatim && i + n < src.length && charAt(src, i + n).ch === '"') {
        i += n + charAt(src, i + n).n;
        continue;
      }
      return i + n;
    }
    if (!verbatim && ch === '\n') throw new Fail(start, 'unterminated string literal in policy expression');
    i += n;
  }
  throw new Fail(start, 'unterminated string literal in policy expression');
}

function scanChar(src: string, i: number, start: number): number {
  let k = 0;
  while (i < src.length && k < 12) {
    const { ch, n } = charAt(src, i);
    if (ch === '\\') {
      i += n;
      if (i < src.length) i += charAt(src, i).n;
      k++;
      continue;
    }
    if (ch === "'") return i + n;
    if (ch === '\n') break;
    i += n;
    k++;
  }
  throw new Fail(start, 'unterminated character literal in policy expression');
}

/** Skips an interpolated string body: `{{`/`}}` are escapes, `{expr}` holes are lexed as code. */
function scanInterpolated(src: string, i: number, verbatim: boolean, start: number): number {
  while (i < src.length) {
    const { ch, n } = charAt(src, i);
    if (!verbatim && ch === '\\') {
      i += n;
      if (i < src.length) i += charAt(src, i).n;
      continue;
    }
    if (ch === '{') {
      if (i + n < src.length && charAt(src, i + n).ch === '{') {
        i += n + charAt(src, i + n).n;
        continue;
      }
      i = scanCode(src, i + n, '}', i);
      continue;
    }
    if (ch === '}') {
      // `}}` is an escape; a lone `}` is a C# error but harmless for finding the end.
      i += n;
      if (i < src.length && charAt(src, i).ch === '}') i += charAt(src, i).n;
      continue;
    }
    if (ch === '"') {
      if (verbatim && i + n < src.length && charAt(src, i + n).ch === '"') {
        i += n + charAt(src, i + n).n;
        continue;
      }
      return i + n;
    }
    if (!verbatim && ch === '\n') throw new Fail(start, 'unterminated interpolated string in policy expression');
    i += n;
  }
  throw new Fail(start, 'unterminated interpolated string in policy expression');
}
