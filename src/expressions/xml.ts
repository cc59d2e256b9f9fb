/**
 * `System.Xml.Linq` basics: `XDocument.Parse`, `XElement.Parse`, `Name`, `Value`, `Attribute(n)`,
 * `Element(n)`, `Elements()`, `Descendants()`, `ToString()`. Namespaces are kept as part of the local
 * name's `{ns}` form only when prefixed names are used (enough for the one corpus file that needs XML).
 */
import { CsException } from './errors.js';

export class XAttribute {
  constructor(
    readonly name: string,
    public value: string,
  ) {}
}

export class XText {
  constructor(public value: string) {}
}

export class XElement {
  readonly attributes: XAttribute[] = [];
  readonly nodes: (XElement | XText)[] = [];
  parent: XElement | null = null;
  constructor(public name: string) {}
  /** Concatenated text of all descendants (`XElement.Value`). */
  get value(): string {
    return this.nodes.map((n) => (n instanceof XText ? n.value : n.value)).join('');
  }
  elements(name?: string): XElement[] {
    return this.nodes.filter((n): n is XElement => n instanceof XElement && (name === undefined || localMatch(n.name, name)));
  }
  descendants(name?: string): XElement[] {
    const out: XElement[] = [];
    const walk = (e: XElement) => {
      for (const c of e.nodes) if (c instanceof XElement) {
        if (name === undefined || localMatch(c.name, name)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  attribute(name: string): XAttribute | null {
    return this.attributes.find((a) => a.name === name) ?? null;
  }
  toXml(indent = ''): string {
    const attrs = this.attributes.map((a) => ` ${a.name}="${escapeXml(a.value, true)}"`).join('');
    if (this.nodes.length === 0) return `${indent}<${this.name}${attrs} />`;
    if (this.nodes.every((n) => n instanceof XText)) return `${indent}<${this.name}${attrs}>${escapeXml(this.value, false)}</${this.name}>`;
    const inner = this.nodes.map((n) => (n instanceof XText ? indent + '  ' + escapeXml(n.value, false) : n.toXml(indent + '  '))).join('\r\n');
    return `${indent}<${this.name}${attrs}>\r\n${inner}\r\n${indent}</${this.name}>`;
  }
}

export class XDocument {
  constructor(readonly root: XElement) {}
}

function localMatch(actual: string, wanted: string): boolean {
  return actual === wanted || actual.replace(/^.*:/, '') === wanted.replace(/^\{[^}]*\}/, '');
}

function escapeXml(s: string, attr: boolean): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : attr ? '&quot;' : c));
}

const ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };
function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? m),
  );
}

/** Parses a well-formed XML document (`XDocument.Parse`); throws `XmlException` otherwise. */
export function parseXml(text: string): XDocument {
  let i = 0;
  const s = text.replace(/^\uFEFF/, '');
  const fail = (msg: string): never => {
    throw new CsException('XmlException', msg);
  };
  const skipMisc = () => {
    for (;;) {
      while (/\s/.test(s[i] ?? '')) i++;
      if (s.startsWith('<?', i)) i = s.indexOf('?>', i) + 2;
      else if (s.startsWith('<!--', i)) i = s.indexOf('-->', i) + 3;
      else if (s.startsWith('<!DOCTYPE', i)) i = s.indexOf('>', i) + 1;
      else return;
      if (i <= 1) fail('Unexpected end of file.');
    }
  };
  const element = (): XElement => {
    if (s[i] !== '<') fail(`Data at the root level is invalid. Line 1, position ${i + 1}.`);
    i++;
    const nm = /^[\w:.-]+/.exec(s.slice(i));
    if (!nm) fail(`Name cannot begin with the '${s[i] ?? ''}' character.`);
    const el = new XElement(nm![0]);
    i += nm![0].length;
    for (;;) {
      while (/\s/.test(s[i] ?? '')) i++;
      if (s.startsWith('/>', i)) { i += 2; return el; }
      if (s[i] === '>') { i++; break; }
      const an = /^([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/.exec(s.slice(i));
      if (!an) fail(`'${s[i] ?? 'EOF'}' is an unexpected token.`);
      el.attributes.push(new XAttribute(an![1]!, decode(an![3] ?? an![4] ?? '')));
      i += an![0].length;
    }
    for (;;) {
      if (i >= s.length) fail(`Unexpected end of file has occurred. The following elements are not closed: ${el.name}.`);
      if (s.startsWith('</', i)) {
        const end = s.indexOf('>', i);
        const closing = s.slice(i + 2, end).trim();
        if (closing !== el.name) fail(`The '${el.name}' start tag does not match the end tag of '${closing}'.`);
        i = end + 1;
        return el;
      }
      if (s.startsWith('<!--', i)) { i = s.indexOf('-->', i) + 3; continue; }
      if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i);
        el.nodes.push(new XText(s.slice(i + 9, end)));
        i = end + 3;
        continue;
      }
      if (s[i] === '<') {
        const child = element();
        child.parent = el;
        el.nodes.push(child);
        continue;
      }
      const next = s.indexOf('<', i);
      const t = s.slice(i, next < 0 ? s.length : next);
      i = next < 0 ? s.length : next;
      if (t.trim() !== '' || el.nodes.length === 0) el.nodes.push(new XText(decode(t)));
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i < s.length) fail('There are multiple root elements.');
  // Whitespace-only text between child elements is not significant (LoadOptions.None).
  const prune = (e: XElement) => {
    if (e.nodes.some((n) => n instanceof XElement)) {
      for (let k = e.nodes.length - 1; k >= 0; k--) {
        const n = e.nodes[k]!;
        if (n instanceof XText && n.value.trim() === '') e.nodes.splice(k, 1);
      }
    }
    for (const c of e.nodes) if (c instanceof XElement) prune(c);
  };
  prune(root);
  return new XDocument(root);
}
