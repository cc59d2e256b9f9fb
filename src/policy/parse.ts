import type { Diagnostic } from '../shared/errors.js';
import { scanRegion } from './csharp-region.js';
import { decodeEntities } from './entities.js';
import { LazyAttribute, LazyComment, LazyElement, LazyExpression, LazyText } from './lazy-nodes.js';
import { LineIndex } from './positions.js';
import {
  SECTION_NAMES,
  type PolicyAttribute,
  type PolicyComment,
  type PolicyDocument,
  type PolicyElement,
  type PolicyExpressionSource,
  type PolicyNode,
  type PolicyText,
  type SectionName,
} from './types.js';

/** What parsing one policy file gives: a document when it could be read, and every problem found. */
export interface ParseResult {
  document?: PolicyDocument;
  diagnostics: Diagnostic[];
}

/** How to parse. */
export interface ParseOptions {
  /**
   * `keep` (default): every text node, as written. `drop`: leave out text nodes that are only whitespace
   * (indentation between elements). Lint uses `drop`: no rule reads indentation, and a folder's documents
   * then take a quarter fewer objects; the gateway keeps them, so text content stays exact.
   */
  whitespaceText?: 'keep' | 'drop';
  /**
   * `eager` (default): every node holds its position objects. `lazy`: nodes keep offsets and compute
   * `pos`/`endPos`/`valuePos` when read (lazy-nodes.ts) — about half the memory of a document, for a
   * consumer that reads few positions (lint). Lazy nodes are class instances: copy them with `copyNode`.
   */
  positions?: 'eager' | 'lazy';
}

/** Thrown inside the tokenizer to stop at the first structural error (it carries the position). */
class ParseStop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** XML name characters, by char code: 1 = may start a name (`A-Z a-z _ :`), 2 = may continue one (also `0-9 . -`). */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CHAR[c] = 1;
  else if (/[0-9.\-]/.test(ch)) NAME_CHAR[c] = 2;
}
const isSpaceCode = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

/**
 * Interned names and short values: a folder repeats the same few element names, attribute names,
 * attribute values and indentation thousands of times, so the AST keeps one string per distinct value
 * and the copy just sliced from the source dies young (less for the garbage collector to move).
 */
const INTERNED = new Map<string, string>();
const INTERN_MAX_LENGTH = 40;
function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const known = INTERNED.get(s);
  if (known !== undefined) return known;
  if (INTERNED.size >= 50_000) INTERNED.clear(); // bounded: a long-running process parsing many distinct values
  INTERNED.set(s, s);
  return s;
}

/**
 * Parses policy XML as APIM stores it — `rawxml` (raw C# expressions, usually not well-formed XML) or the
 * entity-escaped `xml` form — into a positioned AST (POLICY-ENGINE.md §2.2). Never throws on bad input:
 * the first structural problem becomes a diagnostic with file, line and column, and `document` is then
 * absent. Structural problems that do not stop reading (a duplicate section, an unexpected root) are
 * reported with the document.
 *
 * @example
 * const { document, diagnostics } = parsePolicyDocument('<policies><inbound><base /></inbound></policies>', 'policy.xml');
 */
export function parsePolicyDocument(text: string, file = '<policy>', options: ParseOptions = {}): ParseResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(src, file);
  const diagnostics: Diagnostic[] = [];
  const error = (offset: number, message: string): Diagnostic => {
    const p = lines.at(offset);
    return { file, line: p.line, column: p.column, message, severity: 'error', code: 'policy-parse' };
  };
  const tokenizer = new Tokenizer(src, lines, options.whitespaceText === 'drop', options.positions === 'lazy');
  let root: PolicyElement;
  try {
    root = tokenizer.document();
  } catch (e) {
    if (e instanceof ParseStop) {
      diagnostics.push(error(e.offset, e.message));
      return { diagnostics };
    }
    throw e;
  }
  const sections: Partial<Record<SectionName, PolicyElement>> = {};
  let kind: PolicyDocument['kind'];
  if (root.name === 'fragment') kind = 'fragment';
  else {
    kind = 'policies';
    if (root.name !== 'policies') {
      diagnostics.push(error(root.pos.offset, `root element must be <policies> or <fragment>, found <${root.name}>`));
    }
    for (const child of root.children) {
      if (child.type === 'text' && child.text.trim() !== '') {
        diagnostics.push(error(child.pos.offset, `text is not allowed directly inside <${root.name}>`));
      }
      if (child.type !== 'element') continue;
      if (!(SECTION_NAMES as readonly string[]).includes(child.name)) {
        diagnostics.push(
          error(child.pos.offset, `<${child.name}> is not a section: <policies> contains only <inbound>, <backend>, <outbound> and <on-error>`),
        );
        continue;
      }
      const name = child.name as SectionName;
      if (sections[name]) diagnostics.push(error(child.pos.offset, `duplicate <${name}> section`));
      else sections[name] = child;
    }
  }
  return { document: { kind, file, root, sections, comments: tokenizer.comments }, diagnostics };
}

/** Shared by every element without attributes / children: nothing in the AST is mutated after parsing. */
const NO_ATTRIBUTES: PolicyAttribute[] = Object.freeze([]) as unknown as PolicyAttribute[];
const NO_CHILDREN: PolicyNode[] = Object.freeze([]) as unknown as PolicyNode[];
const NO_COMMENTS: PolicyComment[] = Object.freeze([]) as unknown as PolicyComment[];

/** The XML state machine; one instance per file. Scans char codes, never one-character strings. */
class Tokenizer {
  i = 0;
  /** Shared empty list until the first comment (most files have none). */
  comments: PolicyComment[] = NO_COMMENTS;
  /**
   * Children and attributes are gathered here and copied out at exactly their size: an array grown by
   * `push` keeps room for 16 more, which, over a folder of documents, is most of the AST's memory.
   */
  private readonly nodes: PolicyNode[] = [];
  private readonly attrs: PolicyAttribute[] = [];
  constructor(
    private readonly src: string,
    private readonly lines: LineIndex,
    private readonly dropWhitespace: boolean,
    private readonly lazy: boolean,
  ) {}

  private code(at: number): number {
    return this.src.charCodeAt(at); // NaN past the end
  }

  private skipSpaces(): void {
    while (isSpaceCode(this.src.charCodeAt(this.i))) this.i++;
  }

  /** Reads prolog, exactly one root element and the epilogue. */
  document(): PolicyElement {
    let root: PolicyElement | undefined;
    for (;;) {
      this.skipMisc();
      if (this.i >= this.src.length) break;
      if (this.code(this.i) !== LT) {
        throw new ParseStop(this.i, root ? 'text after the root element' : 'expected "<" to start the root element');
      }
      if (this.code(this.i + 1) === SLASH) throw new ParseStop(this.i, 'closing tag without an opening tag');
      if (root) throw new ParseStop(this.i, `a second root element after </${root.name}>`);
      root = this.element();
    }
    if (!root) throw new ParseStop(this.i, 'empty policy document: expected <policies> or <fragment>');
    return root;
  }

  /** Whitespace, comments, `<?…?>` declarations and a DOCTYPE between top-level nodes. */
  private skipMisc(): void {
    for (;;) {
      this.skipSpaces();
      if (this.src.startsWith('<!--', this.i)) this.comment();
      else if (this.src.startsWith('<?', this.i)) {
        const end = this.src.indexOf('?>', this.i + 2);
        if (end < 0) throw new ParseStop(this.i, 'unterminated <?…?> declaration');
        this.i = end + 2;
      } else if (this.src.startsWith('<!DOCTYPE', this.i)) {
        throw new ParseStop(this.i, 'DOCTYPE is not allowed in a policy document');
      } else return;
    }
  }

  private comment(): PolicyComment {
    const start = this.i;
    // The first `-->` closes, even if a `<!--` appears inside (the corpus has one).
    const end = this.src.indexOf('-->', start + 4);
    if (end < 0) throw new ParseStop(start, 'unterminated comment: no "-->"');
    this.i = end + 3;
    const c: PolicyComment = this.lazy
      ? new LazyComment(this.src.slice(start + 4, end), start, this.i, this.lines)
      : {
          type: 'comment',
          text: this.src.slice(start + 4, end),
          pos: this.lines.at(start),
          endPos: this.lines.at(this.i),
        };
    if (this.comments === NO_COMMENTS) this.comments = [c];
    else this.comments.push(c);
    return c;
  }

  /** An XML name `[A-Za-z_:][A-Za-z0-9_:.-]*` at the cursor. */
  private name(what: string): string {
    const start = this.i;
    const first = this.src.charCodeAt(start);
    if (!(first < 128 && NAME_CHAR[first] === 1)) {
      const found = this.src[start];
      throw new ParseStop(start, `expected ${what}${found === undefined ? ' before the end of the file' : `, found "${found}"`}`);
    }
    let j = start + 1;
    for (let c = this.src.charCodeAt(j); c < 128 && NAME_CHAR[c]! > 0; c = this.src.charCodeAt(++j));
    this.i = j;
    return intern(this.src.slice(start, j));
  }

  /** An element starting at `<`. */
  private element(): PolicyElement {
    const start = this.i;
    this.i++;
    const name = this.name('an element name after "<"');
    const attrs = this.attrs;
    const firstAttr = attrs.length;
    let attributes = NO_ATTRIBUTES;
    for (;;) {
      const before = this.i;
      this.skipSpaces();
      const c = this.src.charCodeAt(this.i);
      if (c !== c) throw new ParseStop(start, `unterminated start tag <${name}`); // NaN: end of the text
      if (c === GT || (c === SLASH && this.src.charCodeAt(this.i + 1) === GT)) {
        if (attrs.length > firstAttr) {
          attributes = attrs.slice(firstAttr);
          attrs.length = firstAttr;
        }
        if (c === GT) {
          this.i++;
          break;
        }
        this.i += 2;
        if (this.lazy) return new LazyElement(name, attributes, NO_CHILDREN, start, this.i, this.lines);
        return { type: 'element', name, attributes, children: NO_CHILDREN, pos: this.lines.at(start), endPos: this.lines.at(this.i), selfClosing: true };
      }
      if (this.i === before) throw new ParseStop(this.i, `expected whitespace, ">" or "/>" in <${name}>, found "${this.src[this.i]}"`);
      const attr = this.attribute(name);
      for (let k = firstAttr; k < attrs.length; k++) {
        if (attrs[k]!.name === attr.name) throw new ParseStop(attr.pos.offset, `duplicate attribute "${attr.name}" on <${name}>`);
      }
      attrs.push(attr);
    }
    if (this.lazy) {
      const children = this.content(name, start);
      return new LazyElement(name, attributes, children, start, this.i, this.lines);
    }
    const pos = this.lines.at(start);
    const children = this.content(name, start);
    return { type: 'element', name, attributes, children, pos, endPos: this.lines.at(this.i), selfClosing: false };
  }

  private attribute(element: string): PolicyAttribute {
    const nameStart = this.i;
    const name = this.name(`an attribute name in <${element}>`);
    this.skipSpaces();
    if (this.src.charCodeAt(this.i) !== EQ) throw new ParseStop(this.i, `attribute "${name}" of <${element}> has no value (expected "=")`);
    this.i++;
    this.skipSpaces();
    const q = this.src.charCodeAt(this.i);
    if (q !== DQ && q !== SQ) throw new ParseStop(this.i, `value of attribute "${name}" must be quoted`);
    const quote = q === DQ ? '"' : "'";
    this.i++;
    const valueStart = this.i;
    let ws = valueStart;
    while (isSpaceCode(this.src.charCodeAt(ws))) ws++;
    if (this.isRegionStart(ws)) {
      const pos = this.lazy ? undefined : this.lines.at(nameStart);
      const valuePos = this.lazy ? undefined : this.lines.at(valueStart);
      const expression = this.region(ws);
      let j = this.i;
      while (isSpaceCode(this.src.charCodeAt(j))) j++;
      if (this.src.charCodeAt(j) !== q) {
        throw new ParseStop(
          j,
          `attribute "${name}" of <${element}>: a policy expression must be the whole value (expected ${quote} after the expression)`,
        );
      }
      this.i = j + 1;
      if (this.lazy) {
        return new LazyAttribute(name, expression.source, nameStart, valueStart, this.lines, expression);
      }
      return { name, value: expression.source, expression, pos: pos!, valuePos: valuePos! };
    }
    const end = this.src.indexOf(quote, valueStart);
    if (end < 0) throw new ParseStop(valueStart - 1, `unterminated value of attribute "${name}"`);
    this.i = end + 1;
    if (this.lazy) return new LazyAttribute(name, intern(decodeEntities(this.src.slice(valueStart, end))), nameStart, valueStart, this.lines);
    return {
      name,
      value: intern(decodeEntities(this.src.slice(valueStart, end))),
      pos: this.lines.at(nameStart),
      valuePos: this.lines.at(valueStart),
    };
  }

  /** `@(` or `@{` but not `@{{` (a `{{named value}}` right after a literal `@`). */
  private isRegionStart(j: number): boolean {
    if (this.src.charCodeAt(j) !== AT) return false;
    const n = this.src.charCodeAt(j + 1);
    return n === LPAREN || (n === LBRACE && this.src.charCodeAt(j + 2) !== LBRACE);
  }

  private region(at: number): PolicyExpressionSource {
    const r = scanRegion(this.src, at);
    if (!r.ok) throw new ParseStop(r.offset, r.message);
    this.i = r.end;
    if (this.lazy) {
      return new LazyExpression(decodeEntities(this.src.slice(at, r.end)), this.src.charCodeAt(at + 1) === LPAREN ? 'expression' : 'block', at, r.end, this.lines);
    }
    return {
      source: decodeEntities(this.src.slice(at, r.end)),
      form: this.src.charCodeAt(at + 1) === LPAREN ? 'expression' : 'block',
      pos: this.lines.at(at),
      endPos: this.lines.at(r.end),
    };
  }

  /** Children of element `name` up to and including its end tag. */
  private content(name: string, openAt: number): PolicyNode[] {
    const nodes = this.nodes;
    const first = nodes.length;
    const src = this.src;
    for (;;) {
      if (this.i >= src.length) throw new ParseStop(openAt, `<${name}> is never closed (expected </${name}>)`);
      let node: PolicyNode;
      const next = src.charCodeAt(this.i + 1);
      if (next === SLASH && src.charCodeAt(this.i) === LT) {
        const closeAt = this.i;
        this.i += 2;
        // The usual case, `</name` as opened: matched in place, without slicing the name again.
        const after = src.charCodeAt(this.i + name.length);
        const closing =
          src.startsWith(name, this.i) && !(after < 128 && NAME_CHAR[after]! > 0)
            ? ((this.i += name.length), name)
            : this.name('an element name after "</"');
        this.skipSpaces();
        if (src.charCodeAt(this.i) !== GT) throw new ParseStop(this.i, `expected ">" to end </${closing}`);
        this.i++;
        if (closing !== name) {
          const open = this.lines.at(openAt);
          throw new ParseStop(closeAt, `</${closing}> does not match <${name}> opened at line ${open.line}, column ${open.column}`);
        }
        if (nodes.length === first) return NO_CHILDREN;
        const children = nodes.slice(first);
        nodes.length = first;
        return children;
      }
      if (src.charCodeAt(this.i) !== LT) {
        if (this.dropWhitespace) {
          let j = this.i;
          while (isSpaceCode(src.charCodeAt(j))) j++;
          if (j >= src.length || src.charCodeAt(j) === LT) {
            this.i = j; // whitespace only: not kept (ParseOptions.whitespaceText)
            continue;
          }
        }
        node = this.text(name);
      } else if (next === BANG && src.startsWith('<!--', this.i)) node = this.comment();
      else if (next === BANG && src.startsWith('<![CDATA[', this.i)) node = this.cdata();
      else if (next === QUESTION) throw new ParseStop(this.i, 'processing instruction inside an element');
      else node = this.element();
      nodes.push(node);
    }
  }

  private cdata(): PolicyText {
    const start = this.i;
    const end = this.src.indexOf(']]>', start + 9);
    if (end < 0) throw new ParseStop(start, 'unterminated CDATA section: no "]]>"');
    this.i = end + 3;
    const text = this.src.slice(start + 9, end);
    const node: PolicyText = this.lazy ? new LazyText(text, true, start, this.lines) : { type: 'text', text, cdata: true, pos: this.lines.at(start) };
    const trimmed = text.trimStart();
    const lead = text.length - trimmed.length;
    if (/^@[({]/.test(trimmed) && !trimmed.startsWith('@{{')) {
      const r = scanRegion(text, lead);
      if (r.ok && text.slice(r.end).trim() === '') {
        node.expression = this.lazy
          ? new LazyExpression(text.slice(lead, r.end), text[lead + 1] === '(' ? 'expression' : 'block', start + 9 + lead, start + 9 + r.end, this.lines)
          : {
              source: text.slice(lead, r.end),
              form: text[lead + 1] === '(' ? 'expression' : 'block',
              pos: this.lines.at(start + 9 + lead),
              endPos: this.lines.at(start + 9 + r.end),
            };
      }
    }
    return node;
  }

  /** Text up to the next `<`, or a whole-text expression (which may itself contain `<`). */
  private text(parent: string): PolicyText {
    const start = this.i;
    let ws = start;
    while (isSpaceCode(this.src.charCodeAt(ws))) ws++;
    if (this.isRegionStart(ws)) {
      const pos = this.lazy ? undefined : this.lines.at(start);
      const expression = this.region(ws);
      let j = this.i;
      while (isSpaceCode(this.src.charCodeAt(j))) j++;
      if (j < this.src.length && this.src.charCodeAt(j) !== LT) {
        throw new ParseStop(j, `text of <${parent}>: a policy expression must be the whole text (found more text after it)`);
      }
      this.i = j;
      if (this.lazy) {
        return new LazyText(decodeEntities(this.src.slice(start, j)), false, start, this.lines, expression);
      }
      return { type: 'text', text: decodeEntities(this.src.slice(start, j)), expression, cdata: false, pos: pos! };
    }
    const end = this.src.indexOf('<', ws);
    this.i = end < 0 ? this.src.length : end;
    // Whitespace between elements (indentation) repeats everywhere: keep one copy of each.
    const text = ws === this.i ? intern(this.src.slice(start, this.i)) : decodeEntities(this.src.slice(start, this.i));
    if (this.lazy) return new LazyText(text, false, start, this.lines);
    return { type: 'text', text, cdata: false, pos: this.lines.at(start) };
  }
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const EQ = 61; // =
const DQ = 34; // "
const SQ = 39; // '
const AT = 64; // @
const LPAREN = 40; // (
const LBRACE = 123; // {
const BANG = 33; // !
const QUESTION = 63; // ?
