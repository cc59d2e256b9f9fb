import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyNode, inlineFragments, parsePolicyDocument, type PolicyNode } from '../../src/policy/index.js';
import { CORPUS_DIR } from '../support/shared.js';

function listXml(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listXml(join(dir, f)) : f.endsWith('.xml') ? [join(dir, f)] : []))
    .sort();
}

/** A node as plain data, reading every field (positions through their getters for lazy nodes). */
function plain(n: PolicyNode): unknown {
  const pos = (p: { file: string; line: number; column: number; offset: number }) => ({ file: p.file, line: p.line, column: p.column, offset: p.offset });
  const expr = (e: { source: string; form: string; pos: never; endPos: never } | undefined) =>
    e && { source: e.source, form: e.form, pos: pos(e.pos), endPos: pos(e.endPos) };
  if (n.type === 'comment') return { type: n.type, text: n.text, pos: pos(n.pos), endPos: pos(n.endPos) };
  if (n.type === 'text') return { type: n.type, text: n.text, cdata: n.cdata, pos: pos(n.pos), expression: expr(n.expression as never) };
  return {
    type: n.type,
    name: n.name,
    selfClosing: n.selfClosing,
    pos: pos(n.pos),
    endPos: pos(n.endPos),
    attributes: n.attributes.map((a) => ({ name: a.name, value: a.value, pos: pos(a.pos), valuePos: pos(a.valuePos), expression: expr(a.expression as never) })),
    children: n.children.map(plain),
  };
}

/** Drops whitespace-only text nodes, as `whitespaceText: 'drop'` does. */
function withoutIndentation(n: unknown): unknown {
  const node = n as { type: string; text?: string; cdata?: boolean; expression?: unknown; children?: unknown[] };
  if (node.type !== 'element') return node;
  return {
    ...node,
    children: node.children!.filter((c) => {
      const t = c as typeof node;
      return !(t.type === 'text' && !t.cdata && !t.expression && /^[ \t\r\n]*$/.test(t.text!));
    }).map(withoutIndentation),
  };
}

describe('parse options', () => {
  const files = listXml(join(CORPUS_DIR, 'examples')).map((f) => ({ rel: relative(CORPUS_DIR, f), text: readFileSync(f, 'utf8') }));

  it('lazy positions read the same as eager ones, on every corpus file', () => {
    for (const { rel, text } of files) {
      const eager = parsePolicyDocument(text, rel);
      const lazy = parsePolicyDocument(text, rel, { positions: 'lazy' });
      expect(lazy.diagnostics).toEqual(eager.diagnostics);
      if (!eager.document) continue;
      expect(plain(lazy.document!.root)).toEqual(plain(eager.document.root));
      expect(lazy.document!.comments.map(plain)).toEqual(eager.document.comments.map(plain));
      expect(Object.keys(lazy.document!.sections)).toEqual(Object.keys(eager.document.sections));
    }
  });

  it("whitespaceText 'drop' leaves out exactly the indentation-only text nodes", () => {
    for (const { rel, text } of files) {
      const keep = parsePolicyDocument(text, rel);
      const drop = parsePolicyDocument(text, rel, { whitespaceText: 'drop' });
      expect(drop.diagnostics).toEqual(keep.diagnostics);
      if (keep.document) expect(plain(drop.document!.root)).toEqual(withoutIndentation(plain(keep.document.root)));
    }
    const { document } = parsePolicyDocument('<policies>\n  <inbound>\n    <set-body> x </set-body>\n    <set-body>  </set-body>\n  </inbound>\n</policies>', 'p.xml', {
      whitespaceText: 'drop',
    });
    const [a, b] = document!.sections.inbound!.children;
    expect(a).toMatchObject({ name: 'set-body', children: [{ type: 'text', text: ' x ' }] });
    expect(b).toMatchObject({ name: 'set-body', children: [] });
  });

  it('copyNode keeps lazy positions (a spread would drop them) and inlined fragments keep theirs', () => {
    const frag = parsePolicyDocument('<fragment>\n  <set-header name="a" exists-action="skip" />\n</fragment>', 'f.xml', { positions: 'lazy' }).document!;
    const doc = parsePolicyDocument('<policies>\n  <inbound>\n    <include-fragment fragment-id="f" />\n  </inbound>\n</policies>', 'p.xml', { positions: 'lazy' }).document!;
    const inlined = inlineFragments(doc, new Map([['f', frag]])).document;
    const header = inlined.sections.inbound!.children.find((c) => c.type === 'element');
    expect(header).toMatchObject({ name: 'set-header', includedFrom: { fragmentId: 'f' } });
    expect(header!.pos).toEqual({ file: 'f.xml', line: 2, column: 3, offset: 13 });
    expect(inlined.sections.inbound!.pos).toEqual({ file: 'p.xml', line: 2, column: 3, offset: 13 });
    const copy = copyNode(doc.root, { name: 'renamed' });
    expect(copy.name).toBe('renamed');
    expect(copy.pos).toEqual(doc.root.pos);
    expect(doc.root.name).toBe('policies');
  });
});
