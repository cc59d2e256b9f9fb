import type { Diagnostic } from '../shared/errors.js';
import { scanRegion } from './csharp-region.js';
import { decodeEntities } from './entities.js';
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

/** Thrown inside the tokenizer to stop at the first structural error (it carries the position). */
class ParseStop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** An XML name (element or attribute), matched in place (sticky) without slicing the source. */
const NAME = /[A-Za-z_:][A-Za-z0-9_:.\-]*/y;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

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
export function parsePolicyDocument(text: string, file = '<policy>'): ParseResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(src, file);
  const diagnostics: Diagnostic[] = [];
  const error = (offset: number, message: string): Diagnostic => {
    const p = lines.at(offset);
    return { file, line: p.line, column: p.column, message, severity: 'error', code: 'policy-parse' };
  };
  const tokenizer = new Tokenizer(src, lines);
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

/** The XML state machine; one instance per file. */
class Tokenizer {
  i = 0;
  readonly comments: PolicyComment[] = [];
  constructor(
    private readonly src: string,
    private readonly lines: LineIndex,
  ) {}

  /** Reads prolog, exactly one root element and the epilogue. */
  document(): PolicyElement {
    let root: PolicyElement | undefined;
    for (;;) {
      this.skipMisc();
      if (this.i >= this.src.length) break;
      if (this.src[this.i] !== '<') {
        throw new ParseStop(this.i, root ? 'text after the root element' : 'expected "<" to start the root element');
      }
      if (this.src.startsWith('</', this.i)) throw new ParseStop(this.i, 'closing tag without an opening tag');
      if (root) throw new ParseStop(this.i, `a second root element after </${root.name}>`);
      root = this.element();
    }
    if (!root) throw new ParseStop(this.i, 'empty policy document: expected <policies> or <fragment>');
    return root;
  }

  /** Whitespace, comments, `<?…?>` declarations and a DOCTYPE between top-level nodes. */
  private skipMisc(): void {
    for (;;) {
      while (isSpace(this.src[this.i])) this.i++;
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
    const c: PolicyComment = {
      type: 'comment',
      text: this.src.slice(start + 4, end),
      pos: this.lines.at(start),
      endPos: this.lines.at(this.i),
    };
    this.comments.push(c);
    return c;
  }

  private name(what: string): string {
    const start = this.i;
    NAME.lastIndex = start;
    const m = NAME.exec(this.src);
    if (!m) {
      const found = this.src[this.i];
      throw new ParseStop(this.i, `expected ${what}${found === undefined ? ' before the end of the file' : `, found "${found}"`}`);
    }
    this.i = start + m[0].length;
    return m[0];
  }

  /** An element starting at `<`. */
  private element(): PolicyElement {
    const start = this.i;
    this.i++;
    const name = this.name('an element name after "<"');
    const attributes: PolicyAttribute[] = [];
    for (;;) {
      const before = this.i;
      while (isSpace(this.src[this.i])) this.i++;
      const c = this.src[this.i];
      if (c === undefined) throw new ParseStop(start, `unterminated start tag <${name}`);
      if (c === '>') {
        this.i++;
        break;
      }
      if (c === '/' && this.src[this.i + 1] === '>') {
        this.i += 2;
        return { type: 'element', name, attributes, children: [], pos: this.lines.at(start), endPos: this.lines.at(this.i), selfClosing: true };
      }
      if (this.i === before) throw new ParseStop(this.i, `expected whitespace, ">" or "/>" in <${name}>, found "${c}"`);
      const attr = this.attribute(name);
      if (attributes.some((a) => a.name === attr.name)) {
        throw new ParseStop(attr.pos.offset, `duplicate attribute "${attr.name}" on <${name}>`);
      }
      attributes.push(attr);
    }
    const children = this.content(name, start);
    return { type: 'element', name, attributes, children, pos: this.lines.at(start), endPos: this.lines.at(this.i), selfClosing: false };
  }

  private attribute(element: string): PolicyAttribute {
    const nameStart = this.i;
    const name = this.name(`an attribute name in <${element}>`);
    while (isSpace(this.src[this.i])) this.i++;
    if (this.src[this.i] !== '=') throw new ParseStop(this.i, `attribute "${name}" of <${element}> has no value (expected "=")`);
    this.i++;
    while (isSpace(this.src[this.i])) this.i++;
    const quote = this.src[this.i];
    if (quote !== '"' && quote !== "'") throw new ParseStop(this.i, `value of attribute "${name}" must be quoted`);
    this.i++;
    const valueStart = this.i;
    let ws = valueStart;
    while (isSpace(this.src[ws])) ws++;
    if (this.isRegionStart(ws)) {
      const expression = this.region(ws);
      let j = this.i;
      while (isSpace(this.src[j])) j++;
      if (this.src[j] !== quote) {
        throw new ParseStop(
          j,
          `attribute "${name}" of <${element}>: a policy expression must be the whole value (expected ${quote} after the expression)`,
        );
      }
      this.i = j + 1;
      return { name, value: expression.source, expression, pos: this.lines.at(nameStart), valuePos: this.lines.at(valueStart) };
    }
    const end = this.src.indexOf(quote, valueStart);
    if (end < 0) throw new ParseStop(valueStart - 1, `unterminated value of attribute "${name}"`);
    this.i = end + 1;
    return {
      name,
      value: decodeEntities(this.src.slice(valueStart, end)),
      pos: this.lines.at(nameStart),
      valuePos: this.lines.at(valueStart),
    };
  }

  /** `@(` or `@{` but not `@{{` (a `{{named value}}` right after a literal `@`). */
  private isRegionStart(j: number): boolean {
    if (this.src[j] !== '@') return false;
    const n = this.src[j + 1];
    return n === '(' || (n === '{' && this.src[j + 2] !== '{');
  }

  private region(at: number): PolicyExpressionSource {
    const r = scanRegion(this.src, at);
    if (!r.ok) throw new ParseStop(r.offset, r.message);
    this.i = r.end;
    return {
      source: decodeEntities(this.src.slice(at, r.end)),
      form: this.src[at + 1] === '(' ? 'expression' : 'block',
      pos: this.lines.at(at),
      endPos: this.lines.at(r.end),
    };
  }

  /** Children of element `name` up to and including its end tag. */
  private content(name: string, openAt: number): PolicyNode[] {
    const children: PolicyNode[] = [];
    for (;;) {
      if (this.i >= this.src.length) throw new ParseStop(openAt, `<${name}> is never closed (expected </${name}>)`);
      if (this.src.startsWith('</', this.i)) {
        const closeAt = this.i;
        this.i += 2;
        const closing = this.name('an element name after "</"');
        while (isSpace(this.src[this.i])) this.i++;
        if (this.src[this.i] !== '>') throw new ParseStop(this.i, `expected ">" to end </${closing}`);
        this.i++;
        if (closing !== name) {
          const open = this.lines.at(openAt);
          throw new ParseStop(closeAt, `</${closing}> does not match <${name}> opened at line ${open.line}, column ${open.column}`);
        }
        return children;
      }
      if (this.src.startsWith('<!--', this.i)) children.push(this.comment());
      else if (this.src.startsWith('<![CDATA[', this.i)) children.push(this.cdata());
      else if (this.src.startsWith('<?', this.i)) throw new ParseStop(this.i, 'processing instruction inside an element');
      else if (this.src[this.i] === '<') children.push(this.element());
      else children.push(this.text(name));
    }
  }

  private cdata(): PolicyText {
    const start = this.i;
    const end = this.src.indexOf(']]>', start + 9);
    if (end < 0) throw new ParseStop(start, 'unterminated CDATA section: no "]]>"');
    this.i = end + 3;
    const text = this.src.slice(start + 9, end);
    const node: PolicyText = { type: 'text', text, cdata: true, pos: this.lines.at(start) };
    const trimmed = text.trimStart();
    const lead = text.length - trimmed.length;
    if (/^@[({]/.test(trimmed) && !trimmed.startsWith('@{{')) {
      const r = scanRegion(text, lead);
      if (r.ok && text.slice(r.end).trim() === '') {
        node.expression = {
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
    while (isSpace(this.src[ws])) ws++;
    if (this.isRegionStart(ws)) {
      const expression = this.region(ws);
      let j = this.i;
      while (isSpace(this.src[j])) j++;
      if (j < this.src.length && this.src[j] !== '<') {
        throw new ParseStop(j, `text of <${parent}>: a policy expression must be the whole text (found more text after it)`);
      }
      this.i = j;
      return { type: 'text', text: decodeEntities(this.src.slice(start, j)), expression, cdata: false, pos: this.lines.at(start) };
    }
    const end = this.src.indexOf('<', start);
    this.i = end < 0 ? this.src.length : end;
    return { type: 'text', text: decodeEntities(this.src.slice(start, this.i)), cdata: false, pos: this.lines.at(start) };
  }
}
