/**
 * A fast path for the YAML of information files: block mappings and block sequences of plain, quoted and
 * simple typed scalars — what `apimops extract` writes and what people write by hand in `api.yaml`. It is a
 * strict subset of YAML 1.2 read exactly as the `yaml` package (core schema) reads it, and it gives up
 * (returns `NOT_SIMPLE`) on anything else — anchors, flow collections, block scalars, multi-line scalars,
 * escapes, comments after values, floats, dates, duplicate keys, tabs — so the caller falls back to the full
 * parser, which also reports syntax errors with positions. 20–30× faster than `parseDocument` + `toJS` on
 * these small files, which matters when a folder has tens of thousands of them.
 */

/** The fast path did not understand the text with certainty: use the full parser. */
export const NOT_SIMPLE: unique symbol = Symbol('not-simple-yaml');

interface Line {
  indent: number;
  /** The line without its indentation and trailing spaces. */
  content: string;
}

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

/**
 * `key:` or `key: value` (`/^([A-Za-z_][A-Za-z0-9_.\-/]*):(?: +(.*))?$/`); keys are plain identifier-like words
 * only. Scanned by char code: every line of every information file of a folder is one, and a regex match
 * allocates an array and its groups per line.
 */
const KEY_CHAR = new Uint8Array(128); // 1: may start a key, 2: may only continue one
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) KEY_CHAR[c] = 1;
  else if (/[0-9.\-/]/.test(ch)) KEY_CHAR[c] = 2;
}
const SPACE = 32;
const COLON = 58;

/** The offset of the colon when `content` is a key line, else -1. */
function keyLineColon(content: string): number {
  const first = content.charCodeAt(0);
  if (!(first < 128 && KEY_CHAR[first] === 1)) return -1;
  let j = 1;
  for (let c = content.charCodeAt(j); c < 128 && KEY_CHAR[c]! > 0; c = content.charCodeAt(++j));
  if (content.charCodeAt(j) !== COLON) return -1;
  return j + 1 === content.length || content.charCodeAt(j + 1) === SPACE ? j : -1;
}

/** What follows a key line's colon and its spaces (undefined for `key:` alone). */
function valueAfter(content: string, colon: number): string | undefined {
  if (colon + 1 === content.length) return undefined;
  let j = colon + 1;
  while (content.charCodeAt(j) === SPACE) j++;
  return content.slice(j);
}
/** Keys the core schema would read as something other than the same string, or that are special in JS. */
const SPECIAL_KEYS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '__proto__']);
const UNSURE_CHARS = /[\x00-\x09\x0b-\x1f\x7f\x85\ufeff\u2028\u2029]/;
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
const SIMPLE_INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
/** First characters that make a plain scalar something else (or need care): indicators, numbers, signs. */
const SPECIAL_START = /^[-?:,[\]{}#&*!|>'"%@`0-9+.~]/;

/**
 * The plain JS value of `text` (what `YAML.parse(text, { uniqueKeys: true })` gives), or `NOT_SIMPLE` when
 * the text uses anything outside the subset this reader is sure about.
 */
export function parseSimpleYaml(text: string): unknown {
  try {
    const lines = splitLines(text);
    if (lines.length === 0) return null;
    if (lines[0]!.indent !== 0) return NOT_SIMPLE;
    const [value, next] = block(lines, 0, 0);
    return next === lines.length ? value : NOT_SIMPLE;
  } catch (err) {
    if (err instanceof Bail) return NOT_SIMPLE;
    throw err;
  }
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  // Tabs, CR, control characters, BOM and Unicode line separators: the full parser decides.
  if (UNSURE_CHARS.test(text)) bail();
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    let end = raw.length;
    while (end > indent && raw.charCodeAt(end - 1) === 32) end--;
    const content = raw.slice(indent, end);
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('---') || content.startsWith('...') || content.startsWith('%')) bail();
    out.push({ indent, content });
  }
  return out;
}

function isItem(line: Line): boolean {
  return line.content === '-' || line.content.startsWith('- ');
}

/** The block (mapping or sequence) whose first line is `lines[i]`, at `indent`. */
function block(lines: Line[], i: number, indent: number): [unknown, number] {
  return isItem(lines[i]!) ? sequence(lines, i, indent) : mapping(lines, i, indent);
}

function mapping(lines: Line[], i: number, indent: number, first?: string): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  let content = first;
  for (;;) {
    if (content === undefined) {
      const line = lines[i];
      if (!line || line.indent < indent) break;
      if (line.indent > indent || isItem(line)) bail();
      content = line.content;
    }
    const colon = keyLineColon(content);
    if (colon < 0) bail();
    const key = content.slice(0, colon);
    if (SPECIAL_KEYS.has(key) || Object.prototype.hasOwnProperty.call(out, key)) bail();
    const rest = valueAfter(content, colon);
    i++;
    content = undefined;
    const next = lines[i];
    if (rest === undefined || rest === '') {
      if (next && next.indent > indent) [out[key], i] = block(lines, i, next.indent);
      else if (next && next.indent === indent && isItem(next)) [out[key], i] = sequence(lines, i, indent);
      else out[key] = null;
    } else {
      // A more indented line after a scalar would continue it (a multi-line scalar): not ours.
      if (next && next.indent > indent) bail();
      out[key] = scalar(rest);
    }
  }
  return [out, i];
}

function sequence(lines: Line[], i: number, indent: number): [unknown[], number] {
  const out: unknown[] = [];
  for (;;) {
    const line = lines[i];
    if (!line || line.indent < indent || !isItem(line)) break;
    if (line.indent > indent) bail();
    const rest = line.content.slice(1).replace(/^ +/, '');
    if (rest === '' || isItem({ indent: 0, content: rest })) bail();
    const itemIndent = indent + (line.content.length - rest.length);
    if (keyLineColon(rest) >= 0) {
      // `- key: value` starts a mapping whose keys are at the column of `key`.
      const [value, next] = mapping(lines, i, itemIndent, rest);
      out.push(value);
      i = next;
      continue;
    }
    i++;
    const next = lines[i];
    if (next && next.indent > indent) bail();
    out.push(scalar(rest));
  }
  return [out, i];
}

function scalar(s: string): unknown {
  const c = s[0];
  if (c === '"') {
    const inner = s.slice(1, -1);
    if (s.length < 2 || !s.endsWith('"') || inner.includes('"') || inner.includes('\\')) bail();
    return inner;
  }
  if (c === "'") {
    const inner = s.slice(1, -1);
    if (s.length < 2 || !s.endsWith("'") || inner.replace(/''/g, '').includes("'")) bail();
    return inner.replace(/''/g, "'");
  }
  if (s === '[]') return [];
  if (s === '{}') return {};
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (SIMPLE_INT.test(s)) return s === '-0' ? -0 : Number(s);
  if (isDashedWord(s)) return s;
  if (SPECIAL_START.test(s) || s.includes(' #') || s.includes(': ') || s.endsWith(':')) bail();
  return s;
}

/**
 * A word of digits, letters and dashes that starts with a digit and has a dash not after `e`/`E`: a GUID (a
 * subscription or tenant id), a date. No number of the core schema has a dash there (only a float's exponent
 * does), so the core schema reads it as the string it is.
 */
function isDashedWord(s: string): boolean {
  const first = s.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return false;
  let dash = false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 45 /* - */) {
      const before = s.charCodeAt(i - 1);
      if (before !== 101 /* e */ && before !== 69 /* E */) dash = true;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return dash;
}
