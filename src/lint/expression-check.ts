/**
 * Checks one policy expression for the `expression-syntax` rule with the gateway's own compiler
 * (`compileExpression` of `src/expressions/`): what lint accepts, `serve` can run. Named values are
 * replaced by same-length placeholders first (§2.4: substitution happens before compilation; lint does not
 * know secret values). If the compiler fails unexpectedly (a bug there), a token-level fallback keeps lint
 * useful: the tokenizer has already guaranteed balanced brackets and terminated literals, and the fallback
 * adds what an XML round-trip produces (`"a="""` gives adjacent string literals) and empty expressions.
 */
import { diagnoseExpression } from '../expressions/index.js';

export interface ExpressionProblem {
  /** Position relative to the expression source: line 1, column 1 is its `@`. */
  line: number;
  column: number;
  severity: 'error' | 'warn';
  message: string;
}

/** A problem of the token-level fallback: an offset into the source. */
export interface TokenProblem {
  offset: number;
  message: string;
}

type Tok = { kind: 'ident' | 'keyword' | 'number' | 'string' | 'char' | 'punct'; text: string; start: number };

const KEYWORDS = new Set(
  'return case in is as new throw yield else await out ref var if while for foreach do switch try catch finally using typeof default nameof when where select from let orderby group by into on equals ascending descending and or not'.split(
    ' ',
  ),
);

/**
 * Replaces each `{{name}}` with a same-length placeholder so offsets are kept (§2.4: named values are
 * substituted before compilation; lint does not know their values): underscores inside a string literal,
 * `0` padded with spaces in code (a named value used as code is almost always a number or a boolean-ish
 * literal, e.g. `Next(1,100) <= {{Weight}}`).
 */
export function maskNamedValues(src: string): string {
  if (src.indexOf('{{') < 0) return src;
  const inString = stringMask(src);
  return src.replace(/\{\{[A-Za-z0-9][A-Za-z0-9._\-]*\}\}/g, (m, offset: number) =>
    inString[offset] ? '_'.repeat(m.length) : `0${' '.repeat(m.length - 1)}`,
  );
}

/** For each offset of `src`: inside a string or char literal (interpolation holes count as string). */
function stringMask(src: string): boolean[] {
  const mask = new Array<boolean>(src.length).fill(false);
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      const verbatim = src[i - 1] === '@' || (src[i - 1] === '$' && src[i - 2] === '@');
      let j = i + 1;
      while (j < src.length) {
        if (!verbatim && src[j] === '\\') j += 2;
        else if (src[j] === '"' && verbatim && src[j + 1] === '"') j += 2;
        else if (src[j] === '"') break;
        else j++;
      }
      for (let k = i; k <= j && k < src.length; k++) mask[k] = true;
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== "'") j += src[j] === '\\' ? 2 : 1;
      for (let k = i; k <= j && k < src.length; k++) mask[k] = true;
      i = j + 1;
    } else i++;
  }
  return mask;
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

const KIND: Record<string, string> = {
  E_UNSUPPORTED: 'not supported in APIM policy expressions: ',
  E_LIMIT: 'too large: ',
};

/**
 * Problems in one expression source (`@(…)` or `@{…}`): compile errors (severity error) and the
 * compiler's warnings (e.g. CS0252, a reference comparison of an object with a string). Positions are
 * relative to the source: line 1, column 1 is the `@`.
 */
export function checkExpression(source: string): ExpressionProblem[] {
  const cached = memo.get(source);
  if (cached) return cached;
  let problems: ExpressionProblem[];
  try {
    problems = diagnoseExpression(maskNamedValues(source)).map((d) => ({
      line: d.line ?? 1,
      column: d.column ?? 1,
      severity: d.severity === 'error' ? 'error' : 'warn',
      message: d.severity === 'error' ? `${KIND[String(d.code)] ?? ''}${d.message}` : `${d.message}${d.code ? ` (${d.code})` : ''}`,
    }));
  } catch {
    problems = checkTokens(source).map((p) => ({ ...p, ...relativePos(source, p.offset), severity: 'error' as const }));
  }
  // The same expressions repeat across operations and APIs: compile each distinct source once.
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(source, problems);
  return problems;
}

const MEMO_LIMIT = 20_000;
const memo = new Map<string, ExpressionProblem[]>();

function relativePos(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

/** Where a problem at `rel` (relative to the expression) is in the file, given the `@` position. */
export function absolutePos(at: { line: number; column: number }, rel: { line: number; column: number }): { line: number; column: number } {
  return rel.line === 1 ? { line: at.line, column: at.column + rel.column - 1 } : { line: at.line + rel.line - 1, column: rel.column };
}

/** The token-level fallback (see the file comment). */
export function checkTokens(source: string): TokenProblem[] {
  const body = maskNamedValues(source).slice(2, -1);
  const toks = tokenize(body);
  if (toks.length === 0) return [{ offset: 0, message: 'empty policy expression' }];
  const problems: TokenProblem[] = [];
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
