/**
 * A syntax check for policy expressions used by the `expression-syntax` rule until the expression parser
 * (`src/expressions/`) exposes `compileExpression`; swap the body of `checkExpression` then. The tokenizer
 * has already guaranteed balanced brackets and terminated literals; this adds the token-level errors that
 * an XML round-trip produces (`"a="""` → two adjacent string literals) and empty expressions.
 */

export interface ExpressionProblem {
  /** Offset in the expression source (which starts with `@`). */
  offset: number;
  message: string;
}

type Tok = { kind: 'ident' | 'keyword' | 'number' | 'string' | 'char' | 'punct'; text: string; start: number };

const KEYWORDS = new Set(
  'return case in is as new throw yield else await out ref var if while for foreach do switch try catch finally using typeof default nameof when where select from let orderby group by into on equals ascending descending and or not'.split(
    ' ',
  ),
);

/** Replaces `{{name}}` with an identifier of the same length so offsets are kept (§2.4: substituted first). */
function maskNamedValues(src: string): string {
  return src.replace(/\{\{[A-Za-z0-9][A-Za-z0-9._\-]*\}\}/g, (m) => '_'.repeat(m.length));
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? src.length : e + 2;
      continue;
    }
    const start = i;
    const m = /^(\$@|@\$|\$|@)?"/.exec(src.slice(i, i + 3));
    if (m) {
      const verbatim = m[1]?.includes('@') ?? false;
      const interpolated = m[1]?.includes('$') ?? false;
      i += m[0].length;
      let depth = 0;
      while (i < src.length) {
        const ch = src[i]!;
        if (!verbatim && ch === '\\') {
          i += 2;
          continue;
        }
        if (interpolated && ch === '{') {
          if (src[i + 1] === '{' && depth === 0) i += 2;
          else {
            depth++;
            i++;
          }
          continue;
        }
        if (interpolated && ch === '}' && depth > 0) {
          depth--;
          i++;
          continue;
        }
        if (ch === '"' && depth === 0) {
          if (verbatim && src[i + 1] === '"') {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '"' && depth > 0) {
          // a string inside an interpolation hole
          const close = src.indexOf('"', i + 1);
          i = close < 0 ? src.length : close + 1;
          continue;
        }
        i++;
      }
      toks.push({ kind: 'string', text: src.slice(start, i), start });
      continue;
    }
    if (c === "'") {
      i++;
      while (i < src.length && src[i] !== "'") i += src[i] === '\\' ? 2 : 1;
      i++;
      toks.push({ kind: 'char', text: src.slice(start, i), start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < src.length && /[0-9A-Za-z_.]/.test(src[i]!)) i++;
      toks.push({ kind: 'number', text: src.slice(start, i), start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      const text = src.slice(start, i);
      toks.push({ kind: KEYWORDS.has(text) ? 'keyword' : 'ident', text, start });
      continue;
    }
    toks.push({ kind: 'punct', text: c, start });
    i++;
  }
  return toks;
}

const LITERAL = new Set(['string', 'char', 'number']);

/** Problems in one expression source (`@(…)` or `@{…}`), offsets relative to the source. */
export function checkExpression(source: string): ExpressionProblem[] {
  const body = maskNamedValues(source.slice(2, -1));
  const toks = tokenize(body);
  if (toks.length === 0) return [{ offset: 0, message: 'empty policy expression' }];
  const problems: ExpressionProblem[] = [];
  for (let k = 1; k < toks.length; k++) {
    const prev = toks[k - 1]!;
    const cur = toks[k]!;
    const adjacent = (LITERAL.has(prev.kind) && (LITERAL.has(cur.kind) || cur.kind === 'ident')) || (prev.kind === 'ident' && cur.kind === 'string');
    if (adjacent) {
      problems.push({
        offset: cur.start + 2,
        message: `missing operator between ${describe(prev)} and ${describe(cur)}${prev.kind === 'string' && cur.kind === 'string' ? ' (a string like "a=""" is usually damage from an XML round-trip)' : ''}`,
      });
    }
  }
  return problems;
}

function describe(t: Tok): string {
  const text = t.text.length > 24 ? `${t.text.slice(0, 21)}...` : t.text;
  return `${t.kind === 'ident' ? 'identifier' : t.kind} ${text}`;
}
