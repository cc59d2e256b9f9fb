/**
 * Extracts every `@( … )` / `@{ … }` region from a policy file, following POLICY-ENGINE.md §2.2: an XML
 * scan that skips comments, and a C# region lexer (bracket stack; string, verbatim, interpolated and char
 * literals; comments) that finds the matching close bracket even when the XML is not well-formed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CORPUS_DIR } from '../support/shared.js';

export interface ExtractedExpression {
  file: string;
  /** 1-based line/column of the `@`. */
  line: number;
  column: number;
  /** The region text with XML entities decoded and `{{named values}}` replaced. */
  source: string;
  /** True when the region could not be closed (unbalanced brackets). */
  unbalanced: boolean;
}

export { CORPUS_DIR };

export function corpusFiles(dir = CORPUS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.xml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|apos|lt|gt|amp);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/**
 * Named values are substituted textually (§2.4), as a test supplying values would: inside a string
 * literal they become identifier-safe text, in code position the number `1` (the corpus uses them as
 * numbers, e.g. `Next(1,100) <= {{Weight}}`).
 */
export function substituteNamedValues(s: string): string {
  return s.replace(/\{\{([^{}]+)\}\}/g, (_m, n: string, offset: number) => {
    const before = s.slice(0, offset);
    const quotes = (before.replace(/\\./g, '').match(/"/g) ?? []).length;
    // same length as `{{name}}`, so positions after it stay exact
    return quotes % 2 === 1 ? `NV_${n.replace(/[^A-Za-z0-9_]/g, '_')}_` : `1${' '.repeat(n.length + 3)}`;
  });
}

/** Finds the end (exclusive) of a C# region starting at `start` (pointing at `(` or `{`), or -1. */
export function regionEnd(text: string, start: number): number {
  const stack: string[] = [];
  let i = start;
  const closeOf: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return -1;
      i = e + 2;
      continue;
    }
    if (c === '"' || c === "'" || ((c === '@' || c === '$') && (text[i + 1] === '"' || ((text[i + 1] === '@' || text[i + 1] === '$') && text[i + 2] === '"')))) {
      const e = skipLiteral(text, i);
      if (e < 0) return -1;
      i = e;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') stack.push(closeOf[c]!);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

function skipLiteral(text: string, i: number): number {
  let verbatim = false;
  let interp = false;
  while (text[i] === '@' || text[i] === '$') {
    if (text[i] === '@') verbatim = true;
    else interp = true;
    i++;
  }
  const q = text[i]!;
  i++;
  while (i < text.length) {
    const c = text[i]!;
    if (q === '"' && interp && c === '{') {
      if (text[i + 1] === '{') { i += 2; continue; }
      const e = regionEnd(text, i);
      if (e < 0) return -1;
      i = e;
      continue;
    }
    if (c === q) {
      if (verbatim && text[i + 1] === q) { i += 2; continue; }
      return i + 1;
    }
    if (!verbatim && c === '\\') { i += 2; continue; }
    if (!verbatim && c === '\n') return -1;
    i++;
  }
  return -1;
}

/** All expression regions of one file. */
export function extractExpressions(path: string, root = CORPUS_DIR): ExtractedExpression[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const file = relative(root, path);
  const out: ExtractedExpression[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advance = (to: number) => {
    for (; i < to; i++) if (text[i] === '\n') { line++; lineStart = i + 1; }
  };
  while (i < text.length) {
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      advance(e < 0 ? text.length : e + 3);
      continue;
    }
    if (text[i] === '@' && (text[i + 1] === '(' || (text[i + 1] === '{' && text[i + 2] !== '{'))) {
      // The raw region may be XML-escaped (`&quot;`): decode a generous window first, then find the end.
      const startLine = line;
      const startCol = i - lineStart + 1;
      const end = regionEnd(text, i + 1);
      if (end < 0) {
        // Try the entity-decoded form (expressions stored in the escaped `xml` format).
        const rest = text.slice(i);
        const stop = rest.search(/"\s*\/?>|<\/(set-|value|when|choose)/);
        const raw = rest.slice(0, stop < 0 ? rest.length : stop);
        const decoded = decodeEntities(raw);
        const e2 = regionEnd(decoded, 1);
        out.push({ file, line: startLine, column: startCol, source: substituteNamedValues(e2 < 0 ? decoded : decoded.slice(0, e2)), unbalanced: e2 < 0 });
        advance(i + Math.max(2, raw.length));
        continue;
      }
      out.push({ file, line: startLine, column: startCol, source: substituteNamedValues(decodeEntities(text.slice(i, end))), unbalanced: false });
      advance(end);
      continue;
    }
    advance(i + 1);
  }
  return out;
}
