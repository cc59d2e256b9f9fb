/**
 * The Liquid dialect of `set-body template="liquid"` (POLICY-ENGINE.md §5.2). APIM runs DotLiquid in "C# mode":
 * filter names are PascalCase (`Upcase`, `Date: "yyyy-MM-dd"` with .NET format strings); tags are the
 * standard ones. A template is parsed ONCE, at load, into a tree of closures; `render` only walks closures
 * (no parsing per request). A template that does not parse throws a `LiquidSyntaxError` carrying the offset
 * of the offending tag, which `set-body` turns into a file:line:column load error.
 *
 * Supported:
 * - output `{{ value | Filter: arg, arg }}`; values are paths (`body.items[0].name`, `vars['k']`,
 *   `context.Variables["x"]`, `.size`/`.first`/`.last`), string/number literals, `true`/`false`/`nil`/`empty`/`blank`;
 * - `if`/`elsif`/`else`, `unless`, `case`/`when`/`else` with `== != <> < > <= >= contains`, `and`/`or`
 *   (right to left, as Liquid evaluates them); truthiness as Liquid (only nil and false are false);
 * - `for x in coll` with `limit:`, `offset:`, `reversed`, ranges `(1..n)`, `forloop.*`, `else` for empty,
 *   `break`/`continue`; APIM's `JSONArrayFor` (a for loop whose iterations are joined with `,`);
 * - `assign`, `capture`, `comment`, `raw`, `{% # note %}`, whitespace control `{%- -%}` / `{{- -}}`.
 *
 * Values coming from the pipeline (JObject/JArray/JValue, CsDictionary, HeaderBag, CsList, CsDouble) are read
 * through `member`/`items`, so a JSON body, `context.Variables` and header bags are all walkable. Member names
 * fall back to a case-insensitive match (APIM's SOAP-to-REST templates write `body.envelope.body` for
 * `soap:Envelope/soap:Body`) [INF].
 */
import { Buffer } from 'node:buffer';
import { CsDateTime, CsDictionary, CsDouble, CsKeyValuePair, CsList } from '../../expressions/values.js';
import { JArray, JObject, JProperty, JToken, JValue } from '../../expressions/json.js';
import { formatDateTime, parseDateTime } from '../../expressions/dates.js';
import { roundDotNet } from '../../expressions/numbers.js';

/** A compiled template. */
export interface LiquidTemplate {
  /**
   * Renders with `scope` as the root variables (`body`, `context`). `now` serves the `Date` filter's
   * `"now"`/`"today"` (the gateway's clock).
   */
  render(scope: Record<string, unknown>, options?: { now?: () => number }): string;
}

/** A template that does not parse; `offset` is where the offending tag or output starts in the text. */
export class LiquidSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'LiquidSyntaxError';
  }
}

// ------------------------------------------------------------------------------------------------- tokens

type Token =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'output'; markup: string; offset: number }
  | { kind: 'tag'; name: string; markup: string; offset: number };

const OPENER = /\{\{|\{%/g;
const RAW_END = /\{%-?\s*endraw\s*-?%\}/g;
const COMMENT_TAG = /\{%-?\s*(comment|endcomment)\b[\s\S]*?-?%\}/g;

/** Splits a template into text, output and tag tokens, applying whitespace control. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let trimNext = false;
  const pushText = (text: string, offset: number): void => {
    const t = trimNext ? text.replace(/^\s+/, '') : text;
    trimNext = false;
    if (t.length > 0) out.push({ kind: 'text', text: t, offset });
  };
  const trimPrevious = (): void => {
    const last = out[out.length - 1];
    if (last?.kind === 'text') {
      last.text = last.text.replace(/\s+$/, '');
      if (last.text.length === 0) out.pop();
    }
  };
  OPENER.lastIndex = 0;
  for (let m = OPENER.exec(src); m; m = OPENER.exec(src)) {
    const start = m.index;
    pushText(src.slice(pos, start), pos);
    const isOutput = m[0] === '{{';
    const close = src.indexOf(isOutput ? '}}' : '%}', start + 2);
    if (close < 0) throw new LiquidSyntaxError(isOutput ? `Liquid output "{{" is not closed with "}}"` : `Liquid tag "{%" is not closed with "%}"`, start);
    let inner = src.slice(start + 2, close);
    if (inner.startsWith('-')) {
      trimPrevious();
      inner = inner.slice(1);
    }
    let trimAfter = false;
    if (inner.endsWith('-')) {
      trimAfter = true;
      inner = inner.slice(0, -1);
    }
    pos = close + 2;
    if (isOutput) {
      out.push({ kind: 'output', markup: inner.trim(), offset: start });
    } else {
      const markup = inner.trim();
      const nm = /^(#|[A-Za-z_]\w*)/.exec(markup);
      if (!nm) throw new LiquidSyntaxError(`Liquid tag "{%${inner}%}" has no name`, start);
      const name = nm[1]!;
      const rest = markup.slice(name.length).trim();
      if (name === 'raw') {
        RAW_END.lastIndex = pos;
        const end = RAW_END.exec(src);
        if (!end) throw new LiquidSyntaxError('Liquid tag "raw" is not closed with "{% endraw %}"', start);
        trimNext = trimAfter;
        pushText(src.slice(pos, end.index), pos);
        pos = end.index + end[0].length;
        trimNext = end[0].endsWith('-%}');
        OPENER.lastIndex = pos;
        continue;
      }
      if (name === 'comment') {
        // Everything up to the matching endcomment (comments nest) is dropped unparsed.
        COMMENT_TAG.lastIndex = pos;
        let depth = 1;
        let end: RegExpExecArray | null = null;
        for (let c = COMMENT_TAG.exec(src); c; c = COMMENT_TAG.exec(src)) {
          depth += c[1] === 'comment' ? 1 : -1;
          if (depth === 0) {
            end = c;
            break;
          }
        }
        if (!end) throw new LiquidSyntaxError('Liquid tag "comment" is not closed with "{% endcomment %}"', start);
        pos = end.index + end[0].length;
        trimNext = end[0].endsWith('-%}');
        OPENER.lastIndex = pos;
        continue;
      }
      if (name !== '#') out.push({ kind: 'tag', name, markup: rest, offset: start });
    }
    trimNext = trimAfter;
    OPENER.lastIndex = pos;
  }
  pushText(src.slice(pos), pos);
  return out;
}

// --------------------------------------------------------------------------------------- markup lexing

type MTok = { t: 'str'; v: string } | { t: 'num'; v: number | CsDouble } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'p'; v: string };

const MARKUP = /\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)(?![\w])|([A-Za-z_][\w-]*\??)|(==|!=|<>|<=|>=|<|>)|(\.\.|[.[\]():,|=]))/y;

function lexMarkup(src: string, offset: number): MTok[] {
  const toks: MTok[] = [];
  MARKUP.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    MARKUP.lastIndex = i;
    const m = MARKUP.exec(src);
    if (!m) throw new LiquidSyntaxError(`Liquid: unexpected "${src.slice(i).trim().slice(0, 20)}" in "${src}"`, offset);
    i = MARKUP.lastIndex;
    if (m[1] !== undefined) toks.push({ t: 'str', v: m[1] });
    else if (m[2] !== undefined) toks.push({ t: 'str', v: m[2] });
    else if (m[3] !== undefined) toks.push({ t: 'num', v: m[3].includes('.') ? new CsDouble(Number(m[3])) : Number(m[3]) });
    else if (m[4] !== undefined) toks.push({ t: 'id', v: m[4] });
    else if (m[5] !== undefined) toks.push({ t: 'op', v: m[5] });
    else toks.push({ t: 'p', v: m[6]! });
  }
  return toks;
}

/** A cursor over markup tokens, with the tag's offset for errors. */
class Markup {
  private i = 0;
  constructor(
    readonly toks: MTok[],
    readonly src: string,
    readonly offset: number,
  ) {}
  static of(src: string, offset: number): Markup {
    return new Markup(lexMarkup(src, offset), src, offset);
  }
  peek(k = 0): MTok | undefined {
    return this.toks[this.i + k];
  }
  next(): MTok | undefined {
    return this.toks[this.i++];
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  isP(v: string): boolean {
    const t = this.peek();
    return t?.t === 'p' && t.v === v;
  }
  isId(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v === v;
  }
  expectP(v: string): void {
    if (!this.isP(v)) this.fail(`expected "${v}"`);
    this.i++;
  }
  expectId(): string {
    const t = this.next();
    if (t?.t !== 'id') this.fail('expected a name');
    return (t as { v: string }).v;
  }
  end(): void {
    if (!this.done()) this.fail(`unexpected "${describe(this.peek()!)}"`);
  }
  fail(message: string): never {
    throw new LiquidSyntaxError(`Liquid: ${message} in "${this.src}"`, this.offset);
  }
}

function describe(t: MTok): string {
  return t.t === 'str' ? `"${t.v}"` : String(plain(t.v));
}

// ------------------------------------------------------------------------------------------------ values

/** Render-time state: assigned variables over the root scope, and the clock. */
interface Ctx {
  readonly root: Record<string, unknown>;
  readonly vars: Map<string, unknown>;
  readonly now: () => number;
  /** Loop iterations left in this render (a request body cannot make a template spin forever). */
  steps: number;
}

/** Loop iterations (and range elements) one render may use; beyond it the render fails. */
export const LIQUID_MAX_STEPS = 1_000_000;

function spend(c: Ctx, n: number): void {
  c.steps -= n;
  if (c.steps < 0) throw new Error(`Liquid: the template exceeded ${LIQUID_MAX_STEPS} loop iterations`);
}

type Expr = (c: Ctx) => unknown;

const EMPTY = Symbol('empty');
const BLANK = Symbol('blank');

/** value := literal | range | path. */
function parseValue(m: Markup): Expr {
  const t = m.next();
  if (!t) return m.fail('expected a value');
  if (t.t === 'str') return constant(t.v);
  if (t.t === 'num') return constant(t.v);
  if (t.t === 'p' && t.v === '(') {
    const from = parseValue(m);
    m.expectP('..');
    const to = parseValue(m);
    m.expectP(')');
    return (c) => {
      const a = Math.trunc(toNumber(from(c)));
      const b = Math.trunc(toNumber(to(c)));
      if (b >= a) spend(c, b - a + 1);
      const out: number[] = [];
      for (let i = a; i <= b; i++) out.push(i);
      return out;
    };
  }
  if (t.t === 'p' && t.v === '[') {
    // `[ "key" ]` at the start: a lookup in the root scope.
    const key = parseValue(m);
    m.expectP(']');
    return parsePathRest(m, (c) => lookup(c, toText(key(c))));
  }
  if (t.t !== 'id') return m.fail(`unexpected "${describe(t)}"`);
  const name = t.v;
  const followed = m.isP('.') || m.isP('[');
  if (!followed) {
    switch (name) {
      case 'true': return constant(true);
      case 'false': return constant(false);
      case 'nil':
      case 'null': return constant(null);
      case 'empty': return constant(EMPTY);
      case 'blank': return constant(BLANK);
    }
  }
  return parsePathRest(m, (c) => lookup(c, name));
}

function parsePathRest(m: Markup, head: Expr): Expr {
  const steps: (string | Expr)[] = [];
  for (;;) {
    if (m.isP('.')) {
      m.next();
      steps.push(m.expectId());
    } else if (m.isP('[')) {
      m.next();
      const k = m.peek();
      // Constant keys are resolved now, not per render.
      if ((k?.t === 'str' || k?.t === 'num') && m.peek(1)?.t === 'p' && (m.peek(1) as { v: string }).v === ']') {
        m.next();
        m.next();
        steps.push(k.t === 'str' ? k.v : constant(k.v));
      } else {
        steps.push(parseValue(m));
        m.expectP(']');
      }
    } else break;
  }
  if (steps.length === 0) return head;
  return (c) => {
    let cur = head(c);
    for (const s of steps) cur = typeof s === 'string' ? member(cur, s) : member(cur, s(c));
    return cur;
  };
}

function constant(v: unknown): Expr {
  return () => v;
}

function lookup(c: Ctx, name: string): unknown {
  if (c.vars.has(name)) return c.vars.get(name);
  return member(c.root, name);
}

/** A value as Liquid sees it: JValue → primitive, CsDouble → number, bigint → number. */
function plain(v: unknown): unknown {
  if (v instanceof JValue) return plain(v.value);
  if (v instanceof JProperty) return plain(v.value);
  if (v instanceof CsDouble) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** `obj.key` / `obj[key]` over every container the pipeline hands to a template. */
function member(obj: unknown, key: unknown): unknown {
  const o = plain(obj);
  if (o === null || o === undefined) return undefined;
  const k = plain(key);
  if (typeof k === 'number') {
    const list = items(o);
    if (list) return plain(list[k < 0 ? list.length + k : k]);
  }
  const name = String(k);
  if (o instanceof JObject) {
    const hit = o.get(name) ?? caseInsensitive(o.props.keys(), name, (n) => o.get(n));
    if (hit !== null && hit !== undefined) return plain(hit);
    return special(o, name);
  }
  if (o instanceof CsDictionary) {
    if (o.has(name)) return plain(joinIfMulti(o.get(name), o.multiValue));
    return special(o, name);
  }
  if (o instanceof Map) {
    if (o.has(name)) return plain(o.get(name));
    return special(o, name);
  }
  if (isHeaderBag(o)) {
    if (o.has(name)) return o.get(name);
    return special(o, name);
  }
  if (o instanceof CsKeyValuePair) {
    if (name === 'Key' || name === 'key') return plain(o.Key);
    if (name === 'Value' || name === 'value') return plain(joinIfMulti(o.Value, Array.isArray(o.Value)));
    return undefined;
  }
  if (typeof o === 'string' || Array.isArray(o) || o instanceof JArray || o instanceof CsList) return special(o, name);
  if (typeof o === 'object') {
    const rec = o as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(rec, name)) return plain(rec[name]);
    const ci = caseInsensitive(Object.keys(rec), name, (n) => rec[n]);
    if (ci !== undefined) return plain(ci);
    return special(o, name);
  }
  return undefined;
}

function caseInsensitive<T>(names: Iterable<string>, name: string, get: (n: string) => T): T | undefined {
  const lower = name.toLowerCase();
  for (const n of names) if (n.toLowerCase() === lower) return get(n);
  return undefined;
}

function joinIfMulti(v: unknown, multi: boolean): unknown {
  return multi && Array.isArray(v) ? v.join(',') : v;
}

/** `size`, `first`, `last` on collections and strings (Liquid's special members). */
function special(o: unknown, name: string): unknown {
  if (name !== 'size' && name !== 'first' && name !== 'last') return undefined;
  if (typeof o === 'string') return name === 'size' ? o.length : undefined;
  const list = items(o);
  if (list) return name === 'size' ? list.length : plain(name === 'first' ? list[0] : list[list.length - 1]);
  if (name === 'size') return sizeOfMap(o);
  return undefined;
}

function sizeOfMap(o: unknown): number | undefined {
  if (o instanceof JObject) return o.props.size;
  if (o instanceof CsDictionary || o instanceof Map) return o.size;
  if (isHeaderBag(o)) return o.size;
  if (o && typeof o === 'object') return Object.keys(o).length;
  return undefined;
}

interface HeaderBagLike {
  has(n: string): boolean;
  get(n: string): string | undefined;
  entries(): IterableIterator<[string, string[]]>;
  readonly size: number;
  getAll(n: string): string[];
}
function isHeaderBag(o: unknown): o is HeaderBagLike {
  return typeof o === 'object' && o !== null && typeof (o as HeaderBagLike).getAll === 'function' && typeof (o as HeaderBagLike).entries === 'function';
}

/** The elements of a collection, or undefined for a non-collection. Maps iterate as Key/Value pairs. */
function items(v: unknown): unknown[] | undefined {
  const o = plain(v);
  if (Array.isArray(o)) return o;
  if (o instanceof JArray) return o.items;
  if (o instanceof CsList) return o.items;
  if (o instanceof JObject) return [...o.props.values()].map((p) => new CsKeyValuePair(p.name, p.value));
  if (o instanceof CsDictionary) return [...o.entries()].map(([k, x]) => new CsKeyValuePair(k, joinIfMulti(x, o.multiValue)));
  if (o instanceof Map) return [...o.entries()].map(([k, x]) => new CsKeyValuePair(k, x));
  if (isHeaderBag(o)) return [...o.entries()].map(([k, x]) => new CsKeyValuePair(k, x.join(',')));
  return undefined;
}

function iterable(v: unknown): unknown[] {
  const o = plain(v);
  if (o === null || o === undefined || o === false) return [];
  if (typeof o === 'string') return o.length === 0 ? [] : [o];
  const list = items(o);
  if (list) return list;
  if (typeof o === 'object') return Object.entries(o as Record<string, unknown>).map(([k, x]) => new CsKeyValuePair(k, x));
  return [o];
}

/** Output text: booleans lowercase (DotLiquid), arrays joined with nothing, JSON containers as JSON. */
function toText(v: unknown): string {
  const o = plain(v);
  if (o === null || o === undefined || o === EMPTY || o === BLANK) return '';
  if (typeof o === 'string') return o;
  if (typeof o === 'boolean') return o ? 'true' : 'false';
  if (typeof o === 'number') return Number.isFinite(o) ? String(o) : o > 0 ? 'Infinity' : o < 0 ? '-Infinity' : 'NaN';
  if (o instanceof JToken) return o.toJson(false);
  if (o instanceof CsDateTime) return formatDateTime(o, undefined);
  if (o instanceof CsKeyValuePair) return `${toText(o.Key)}${toText(o.Value)}`;
  const list = items(o);
  if (list && !(o instanceof CsDictionary) && !(o instanceof Map) && !isHeaderBag(o)) return list.map(toText).join('');
  if (o instanceof Uint8Array) return Buffer.from(o).toString('utf8');
  if (typeof o === 'object') {
    try {
      return JSON.stringify(o);
    } catch {
      return String(o);
    }
  }
  return String(o);
}

function toNumber(v: unknown): number {
  const o = plain(v);
  if (typeof o === 'number') return o;
  if (typeof o === 'string') {
    const n = Number(o.trim());
    return o.trim() === '' || Number.isNaN(n) ? 0 : n;
  }
  if (typeof o === 'boolean') return o ? 1 : 0;
  return 0;
}

function truthy(v: unknown): boolean {
  const o = plain(v);
  return o !== null && o !== undefined && o !== false;
}

function isEmpty(o: unknown): boolean {
  if (o === '' ) return true;
  const list = items(o);
  if (list) return list.length === 0;
  return false;
}

function isBlank(o: unknown): boolean {
  if (o === null || o === undefined || o === false) return true;
  if (typeof o === 'string') return o.trim() === '';
  return isEmpty(o);
}

function equal(a: unknown, b: unknown): boolean {
  const x = plain(a);
  const y = plain(b);
  if (x === EMPTY || y === EMPTY) return isEmpty(x === EMPTY ? y : x);
  if (x === BLANK || y === BLANK) return isBlank(x === BLANK ? y : x);
  if ((x === null || x === undefined) && (y === null || y === undefined)) return true;
  if (typeof x === typeof y) return x === y || (typeof x === 'object' && toText(x) === toText(y));
  // DotLiquid converts the right side to the left side's type: "1" == 1 holds [INF].
  if (typeof x === 'number' && typeof y === 'string') return y.trim() !== '' && Number(y) === x;
  if (typeof x === 'string' && typeof y === 'number') return x.trim() !== '' && Number(x) === y;
  return false;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==': return equal(a, b);
    case '!=':
    case '<>': return !equal(a, b);
    case 'contains': {
      const x = plain(a);
      const y = plain(b);
      if (x === null || x === undefined) return false;
      if (typeof x === 'string') return x.includes(toText(y));
      if (x instanceof JObject) return x.props.has(toText(y));
      if (x instanceof CsDictionary || x instanceof Map) return x.has(toText(y));
      if (isHeaderBag(x)) return x.has(toText(y));
      const list = items(x);
      return list ? list.some((e) => equal(e, y)) : false;
    }
  }
  const x = plain(a);
  const y = plain(b);
  let d: number;
  if (typeof x === 'number' && typeof y === 'number') d = x - y;
  else if (typeof x === 'string' && typeof y === 'string') d = x < y ? -1 : x > y ? 1 : 0;
  else if ((typeof x === 'number' || typeof x === 'string') && (typeof y === 'number' || typeof y === 'string') && String(x).trim() !== '' && String(y).trim() !== '' && !Number.isNaN(Number(x)) && !Number.isNaN(Number(y))) d = Number(x) - Number(y);
  else return false;
  switch (op) {
    case '<': return d < 0;
    case '>': return d > 0;
    case '<=': return d <= 0;
    case '>=': return d >= 0;
  }
  return false;
}

/** condition := comparison (("and" | "or") comparison)*, evaluated right to left like Liquid. */
function parseCondition(m: Markup): Expr {
  const parts: Expr[] = [];
  const ops: string[] = [];
  for (;;) {
    parts.push(parseComparison(m));
    if (m.isId('and') || m.isId('or')) ops.push((m.next() as { v: string }).v);
    else break;
  }
  m.end();
  if (parts.length === 1) return parts[0]!;
  return (c) => {
    let acc = truthy(parts[parts.length - 1]!(c));
    for (let i = parts.length - 2; i >= 0; i--) {
      const left = truthy(parts[i]!(c));
      acc = ops[i] === 'and' ? left && acc : left || acc;
    }
    return acc;
  };
}

function parseComparison(m: Markup): Expr {
  const left = parseValue(m);
  const t = m.peek();
  let op: string | undefined;
  if (t?.t === 'op') op = t.v;
  else if (t?.t === 'id' && t.v === 'contains') op = 'contains';
  if (!op) return left;
  m.next();
  const right = parseValue(m);
  const o = op;
  return (c) => compare(o, left(c), right(c));
}

/** value ( "|" Filter (":" arg ("," arg)*)? )* */
function parseFiltered(m: Markup): Expr {
  let expr = parseValue(m);
  while (m.isP('|')) {
    m.next();
    const name = m.expectId();
    const args: Expr[] = [];
    if (m.isP(':')) {
      m.next();
      args.push(parseValue(m));
      while (m.isP(',')) {
        m.next();
        args.push(parseValue(m));
      }
    }
    const f = FILTERS.get(name.toLowerCase().replace(/_/g, ''));
    if (!f) m.fail(`unknown filter "${name}"`);
    const input = expr;
    const fn = f!;
    expr = (c) => fn(input(c), args.map((a) => a(c)), c);
  }
  m.end();
  return expr;
}

// ----------------------------------------------------------------------------------------------- filters

type Filter = (input: unknown, args: unknown[], c: Ctx) => unknown;

const str = (v: unknown): string => toText(v);
const num = (v: unknown): number => toNumber(v);
/** A float literal (`10.0`) or a JSON float stays a float: `10.0 | DividedBy: 4` is 2.5, `10 | DividedBy: 4` is 2. */
const isInt = (v: unknown): boolean => !(v instanceof CsDouble) && !(v instanceof JValue && v.valueType === 'Float') && Number.isInteger(plain(v));

function listOf(v: unknown): unknown[] {
  const o = plain(v);
  if (o === null || o === undefined) return [];
  return items(o) ?? [o];
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function dateOf(v: unknown, c: Ctx): CsDateTime | undefined {
  const o = plain(v);
  if (o instanceof CsDateTime) return o;
  if (typeof o === 'string') {
    const t = o.trim().toLowerCase();
    if (t === 'now' || t === 'today') return CsDateTime.fromEpochMs(c.now());
    try {
      return parseDateTime(o);
    } catch {
      return undefined;
    }
  }
  if (typeof o === 'number') return CsDateTime.fromEpochMs(o * 1000);
  return undefined;
}

/** Liquid's standard filters under DotLiquid's C# names (matched case-insensitively, `_` ignored). */
const FILTERS = new Map<string, Filter>([
  ['abs', (v) => Math.abs(num(v))],
  ['append', (v, [a]) => str(v) + str(a)],
  ['atleast', (v, [a]) => Math.max(num(v), num(a))],
  ['atmost', (v, [a]) => Math.min(num(v), num(a))],
  ['capitalize', (v) => { const t = str(v); return t.charAt(0).toUpperCase() + t.slice(1); }],
  ['ceil', (v) => Math.ceil(num(v))],
  ['compact', (v) => listOf(v).filter((x) => plain(x) !== null && plain(x) !== undefined)],
  ['currency', (v) => `¤${num(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`],
  ['date', (v, [fmt], c) => {
    const d = dateOf(v, c);
    if (!d) return v;
    const f = fmt === undefined ? undefined : str(fmt);
    return f === undefined || f === '' ? str(v) : formatDateTime(d, f);
  }],
  ['default', (v, [d]) => { const o = plain(v); return o === null || o === undefined || o === false || o === '' || (items(o)?.length === 0) ? d : v; }],
  ['dividedby', (v, [d]) => {
    const b = num(d);
    if (b === 0) return 0;
    return isInt(v) && isInt(d) ? Math.trunc(num(v) / b) : num(v) / b;
  }],
  ['downcase', (v) => str(v).toLowerCase()],
  ['escape', (v) => htmlEscape(str(v))],
  ['h', (v) => htmlEscape(str(v))],
  ['first', (v) => { const o = plain(v); return typeof o === 'string' ? o.charAt(0) : plain(listOf(o)[0]); }],
  ['floor', (v) => Math.floor(num(v))],
  ['join', (v, [sep]) => listOf(v).map(str).join(sep === undefined ? ' ' : str(sep))],
  ['last', (v) => { const o = plain(v); if (typeof o === 'string') return o.charAt(o.length - 1); const l = listOf(o); return plain(l[l.length - 1]); }],
  ['lstrip', (v) => str(v).replace(/^\s+/, '')],
  ['map', (v, [p]) => listOf(v).map((x) => member(x, str(p)))],
  ['minus', (v, [a]) => num(v) - num(a)],
  ['modulo', (v, [a]) => { const b = num(a); return b === 0 ? 0 : num(v) % b; }],
  ['newlinetobr', (v) => str(v).replace(/\r?\n/g, '<br />\n')],
  // DotLiquid: a string input is concatenated, not added ("5" | Plus: 1 is "51") — XML values are strings [INF].
  ['plus', (v, [a]) => (typeof plain(v) === 'string' ? str(v) + str(a) : num(v) + num(a))],
  ['prepend', (v, [a]) => str(a) + str(v)],
  ['remove', (v, [a]) => str(v).split(str(a)).join('')],
  ['removefirst', (v, [a]) => str(v).replace(str(a), '')],
  ['replace', (v, [a, b]) => str(v).split(str(a)).join(str(b))],
  ['replacefirst', (v, [a, b]) => { const s = str(v); const i = s.indexOf(str(a)); return i < 0 ? s : s.slice(0, i) + str(b) + s.slice(i + str(a).length); }],
  ['reverse', (v) => [...listOf(v)].reverse()],
  // .NET Math.Round: halves go to the even neighbour (2.5 → 2).
  ['round', (v, [d]) => roundDotNet(num(v), Math.max(0, Math.trunc(num(d ?? 0))))],
  ['rstrip', (v) => str(v).replace(/\s+$/, '')],
  ['size', (v) => { const o = plain(v); if (typeof o === 'string') return o.length; return items(o)?.length ?? sizeOfMap(o) ?? 0; }],
  ['slice', (v, [s, l]) => {
    const o = plain(v);
    const len = l === undefined ? 1 : num(l);
    if (typeof o === 'string') { const st = num(s) < 0 ? o.length + num(s) : num(s); return o.slice(st, st + len); }
    const list = listOf(o);
    const st = num(s) < 0 ? list.length + num(s) : num(s);
    return list.slice(st, st + len);
  }],
  ['sort', (v, [p]) => {
    const key = p === undefined ? (x: unknown) => plain(x) : (x: unknown) => member(x, str(p));
    return [...listOf(v)].sort((a, b) => { const x = key(a) as never; const y = key(b) as never; return x < y ? -1 : x > y ? 1 : 0; });
  }],
  ['split', (v, [sep]) => { const s = str(v); return s === '' ? [] : s.split(str(sep)); }],
  ['strip', (v) => str(v).trim()],
  ['striphtml', (v) => str(v).replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<!--[\s\S]*?-->|<[^>]*>/gi, '')],
  ['stripnewlines', (v) => str(v).replace(/\r?\n/g, '')],
  // DotLiquid: a string times an integer repeats it [INF].
  ['times', (v, [a]) => (typeof plain(v) === 'string' && isInt(a) ? Array.from({ length: Math.max(0, num(a)) }, () => str(v)) : num(v) * num(a))],
  ['truncate', (v, [l, e]) => {
    const s = str(v);
    const len = l === undefined ? 50 : num(l);
    const ell = e === undefined ? '...' : str(e);
    if (s.length <= len) return s;
    return s.slice(0, Math.max(0, len - ell.length)) + ell;
  }],
  ['truncatewords', (v, [l, e]) => {
    const words = str(v).split(/\s+/).filter((w) => w.length > 0);
    const len = Math.max(1, l === undefined ? 15 : num(l));
    return words.length <= len ? words.join(' ') : words.slice(0, len).join(' ') + (e === undefined ? '...' : str(e));
  }],
  ['uniq', (v) => { const seen: unknown[] = []; for (const x of listOf(v)) if (!seen.some((y) => equal(x, y))) seen.push(x); return seen; }],
  ['upcase', (v) => str(v).toUpperCase()],
  ['urldecode', (v) => { try { return decodeURIComponent(str(v).replace(/\+/g, ' ')); } catch { return str(v); } }],
  // WebUtility.UrlEncode: space as +, and ~ ' encoded (encodeURIComponent leaves them).
  ['urlencode', (v) => encodeURIComponent(str(v)).replace(/%20/g, '+').replace(/~/g, '%7E').replace(/'/g, '%27')],
]);

// ------------------------------------------------------------------------------------------------- nodes

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Signal = typeof NORMAL | typeof BREAK | typeof CONTINUE;

/** A compiled node appends to `out.s` and says whether a `break`/`continue` is unwinding. */
type Node = (c: Ctx, out: { s: string }) => Signal;

function block(nodes: Node[]): Node {
  if (nodes.length === 1) return nodes[0]!;
  return (c, out) => {
    for (const n of nodes) {
      const s = n(c, out);
      if (s !== NORMAL) return s;
    }
    return NORMAL;
  };
}

/** Parses tokens into nodes until one of `stops` (an end/else tag) is met; returns the nodes and the stop. */
class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parseAll(): Node {
    const { nodes, stop } = this.until([]);
    if (stop) throw new LiquidSyntaxError(`Liquid: unexpected "{% ${stop.name} %}"`, stop.offset);
    return block(nodes);
  }

  private until(stops: readonly string[]): { nodes: Node[]; stop: Extract<Token, { kind: 'tag' }> | undefined } {
    const nodes: Node[] = [];
    while (this.i < this.toks.length) {
      const t = this.toks[this.i++]!;
      if (t.kind === 'text') {
        const text = t.text;
        nodes.push((_c, out) => ((out.s += text), NORMAL));
      } else if (t.kind === 'output') {
        if (t.markup === '') continue;
        const e = parseFiltered(Markup.of(t.markup, t.offset));
        nodes.push((c, out) => ((out.s += toText(e(c))), NORMAL));
      } else {
        if (stops.includes(t.name)) return { nodes, stop: t };
        nodes.push(this.tag(t));
      }
    }
    return { nodes, stop: undefined };
  }

  /** Reads a body up to one of `stops`; a missing end tag is an error at the opening tag. */
  private body(open: Extract<Token, { kind: 'tag' }>, stops: readonly string[]): { node: Node; stop: Extract<Token, { kind: 'tag' }> } {
    const { nodes, stop } = this.until(stops);
    if (!stop) throw new LiquidSyntaxError(`Liquid tag "${open.name}" is not closed with "{% ${stops[stops.length - 1]} %}"`, open.offset);
    return { node: block(nodes), stop };
  }

  private tag(t: Extract<Token, { kind: 'tag' }>): Node {
    switch (t.name) {
      case 'if':
      case 'unless':
        return this.ifTag(t);
      case 'case':
        return this.caseTag(t);
      case 'for':
        return this.forTag(t, false);
      case 'JSONArrayFor':
        return this.forTag(t, true);
      case 'break': {
        Markup.of(t.markup, t.offset).end();
        return () => BREAK;
      }
      case 'continue': {
        Markup.of(t.markup, t.offset).end();
        return () => CONTINUE;
      }
      case 'assign': {
        const m = Markup.of(t.markup, t.offset);
        const name = m.expectId();
        m.expectP('=');
        const e = parseFiltered(m);
        return (c) => (c.vars.set(name, e(c)), NORMAL);
      }
      case 'capture': {
        const m = Markup.of(t.markup, t.offset);
        const name = m.peek()?.t === 'str' ? (m.next() as { v: string }).v : m.expectId();
        m.end();
        const { node } = this.body(t, ['endcapture']);
        return (c) => {
          const inner = { s: '' };
          node(c, inner);
          c.vars.set(name, inner.s);
          return NORMAL;
        };
      }
      default:
        if (/^end/.test(t.name) || ['else', 'elsif', 'when'].includes(t.name)) {
          throw new LiquidSyntaxError(`Liquid: "{% ${t.name} %}" without an opening tag`, t.offset);
        }
        throw new LiquidSyntaxError(`Liquid tag "${t.name}" is not supported (supported: if, unless, case, for, JSONArrayFor, assign, capture, comment, raw, break, continue)`, t.offset);
    }
  }

  private ifTag(open: Extract<Token, { kind: 'tag' }>): Node {
    const end = open.name === 'if' ? 'endif' : 'endunless';
    const branches: { cond: Expr; node: Node }[] = [];
    let otherwise: Node | undefined;
    let cond: Expr | undefined = parseCondition(Markup.of(open.markup, open.offset));
    if (open.name === 'unless') {
      const c0 = cond;
      cond = (c) => !truthy(c0(c));
    }
    for (;;) {
      const { node, stop } = this.body(open, ['elsif', 'else', end]);
      if (cond) branches.push({ cond, node });
      else otherwise = node;
      if (stop.name === end) break;
      if (!cond) throw new LiquidSyntaxError(`Liquid: "{% ${stop.name} %}" after "{% else %}"`, stop.offset);
      if (stop.name === 'elsif') {
        cond = parseCondition(Markup.of(stop.markup, stop.offset));
      } else {
        Markup.of(stop.markup, stop.offset).end();
        cond = undefined;
      }
    }
    return (c, out) => {
      for (const b of branches) if (truthy(b.cond(c))) return b.node(c, out);
      return otherwise ? otherwise(c, out) : NORMAL;
    };
  }

  private caseTag(open: Extract<Token, { kind: 'tag' }>): Node {
    const m = Markup.of(open.markup, open.offset);
    const subject = parseValue(m);
    m.end();
    // Text between `case` and the first `when` is ignored, as in Liquid.
    const first = this.body(open, ['when', 'else', 'endcase']);
    let stop = first.stop;
    const whens: { values: Expr[]; node: Node }[] = [];
    let otherwise: Node | undefined;
    while (stop.name !== 'endcase') {
      if (stop.name === 'when') {
        if (otherwise) throw new LiquidSyntaxError('Liquid: "{% when %}" after "{% else %}"', stop.offset);
        const wm = Markup.of(stop.markup, stop.offset);
        const values = [parseValue(wm)];
        while (wm.isP(',') || wm.isId('or')) {
          wm.next();
          values.push(parseValue(wm));
        }
        wm.end();
        const next = this.body(open, ['when', 'else', 'endcase']);
        whens.push({ values, node: next.node });
        stop = next.stop;
      } else {
        Markup.of(stop.markup, stop.offset).end();
        const next = this.body(open, ['when', 'else', 'endcase']);
        otherwise = next.node;
        stop = next.stop;
        if (stop.name === 'when') throw new LiquidSyntaxError('Liquid: "{% when %}" after "{% else %}"', stop.offset);
      }
    }
    return (c, out) => {
      const v = subject(c);
      for (const w of whens) if (w.values.some((x) => equal(v, x(c)))) return w.node(c, out);
      return otherwise ? otherwise(c, out) : NORMAL;
    };
  }

  private forTag(open: Extract<Token, { kind: 'tag' }>, jsonArray: boolean): Node {
    const m = Markup.of(open.markup, open.offset);
    const name = m.expectId();
    if (!m.isId('in')) m.fail('expected "in"');
    m.next();
    const coll = parseValue(m);
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    let reversed = false;
    while (!m.done()) {
      if (m.isId('reversed')) {
        m.next();
        reversed = true;
      } else if (m.isId('limit') || m.isId('offset')) {
        const which = (m.next() as { v: string }).v;
        m.expectP(':');
        const v = parseValue(m);
        if (which === 'limit') limit = v;
        else offset = v;
      } else m.fail(`unexpected "${describe(m.peek()!)}"`);
    }
    const end = jsonArray ? 'endJSONArrayFor' : 'endfor';
    const stops = jsonArray ? [end] : ['else', end];
    const first = this.body(open, stops);
    let otherwise: Node | undefined;
    if (first.stop.name === 'else') {
      Markup.of(first.stop.markup, first.stop.offset).end();
      otherwise = this.body(open, [end]).node;
    }
    const body = first.node;
    return (c, out) => {
      let list = iterable(coll(c));
      const from = offset ? Math.max(0, Math.trunc(num(offset(c)))) : 0;
      const to = limit ? from + Math.max(0, Math.trunc(num(limit(c)))) : list.length;
      list = list.slice(from, to);
      if (reversed) list = [...list].reverse();
      if (list.length === 0) return otherwise ? otherwise(c, out) : NORMAL;
      const hadVar = c.vars.has(name);
      const savedVar = c.vars.get(name);
      const hadLoop = c.vars.has('forloop');
      const savedLoop = c.vars.get('forloop');
      const length = list.length;
      try {
        for (let i = 0; i < length; i++) {
          spend(c, 1);
          c.vars.set(name, list[i]);
          c.vars.set('forloop', { index: i + 1, index0: i, rindex: length - i, rindex0: length - i - 1, first: i === 0, last: i === length - 1, length });
          if (jsonArray && i > 0) out.s += ',';
          const s = body(c, out);
          if (s === BREAK) break;
        }
      } finally {
        if (hadVar) c.vars.set(name, savedVar);
        else c.vars.delete(name);
        if (hadLoop) c.vars.set('forloop', savedLoop);
        else c.vars.delete('forloop');
      }
      return NORMAL;
    };
  }
}

/** Compiles a template once; throws `LiquidSyntaxError` (with the offset of the bad tag) when it does not parse. */
export function compileLiquid(text: string): LiquidTemplate {
  const root = new Parser(tokenize(text)).parseAll();
  return {
    render(scope, options) {
      const out = { s: '' };
      root({ root: scope, vars: new Map(), now: options?.now ?? Date.now, steps: LIQUID_MAX_STEPS }, out);
      return out.s;
    },
  };
}
