import { describe, expect, it } from 'vitest';
import { collectExpressions, getAttribute, parsePolicyDocument, type PolicyElement } from '../../src/policy/index.js';

const el = (e: PolicyElement | undefined): PolicyElement => {
  if (!e) throw new Error('missing element');
  return e;
};

describe('parsePolicyDocument', () => {
  it('reads sections, attributes and positions', () => {
    const xml = '<policies>\n  <inbound>\n    <base />\n    <set-header name="x" exists-action=\'override\'><value>v</value></set-header>\n  </inbound>\n</policies>\n';
    const { document, diagnostics } = parsePolicyDocument(xml, 'p.xml');
    expect(diagnostics).toEqual([]);
    const inbound = el(document?.sections.inbound);
    expect(inbound.pos).toEqual({ file: 'p.xml', line: 2, column: 3, offset: 13 });
    const [base, setHeader] = inbound.children.filter((c) => c.type === 'element') as PolicyElement[];
    expect(base?.name).toBe('base');
    expect(base?.selfClosing).toBe(true);
    expect(base?.pos).toMatchObject({ line: 3, column: 5 });
    const name = getAttribute(el(setHeader), 'name');
    expect(name).toMatchObject({ value: 'x', pos: { line: 4, column: 17 }, valuePos: { line: 4, column: 23 } });
    expect(getAttribute(el(setHeader), 'exists-action')?.value).toBe('override');
    expect(el(setHeader).endPos).toMatchObject({ line: 4, column: 80 });
  });

  it('lexes raw (rawxml) expressions with quotes, < and && inside attribute values and text', () => {
    const xml = [
      '<policies><inbound>',
      '<choose><when condition="@(context.Request.Method == "POST" && context.Request.Body.As<JObject>(preserveContent: true) != null)">',
      '<set-body>@{ var s = "a)\\"}"; /* ) */ // }',
      ' return $"x{(s.Length < 2 ? "{" : "}")}{{y}}"; }</set-body>',
      '</when></choose></inbound></policies>',
    ].join('\n');
    const { document, diagnostics } = parsePolicyDocument(xml, 'raw.xml');
    expect(diagnostics).toEqual([]);
    const exprs = collectExpressions(el(document?.root));
    expect(exprs.map((e) => e.expression.source)).toEqual([
      '@(context.Request.Method == "POST" && context.Request.Body.As<JObject>(preserveContent: true) != null)',
      '@{ var s = "a)\\"}"; /* ) */ // }\n return $"x{(s.Length < 2 ? "{" : "}")}{{y}}"; }',
    ]);
    expect(exprs[0]?.expression.pos).toMatchObject({ line: 2, column: 26 });
    expect(exprs[0]?.attribute?.name).toBe('condition');
    expect(exprs[1]?.expression).toMatchObject({ form: 'block', pos: { line: 3, column: 11 } });
  });

  it('decodes entities in text, attributes and the escaped (xml) form of expressions', () => {
    const xml = '<policies><inbound><set-variable name="a&amp;b" value="@(&quot;x)&quot; + &apos;&lt;&apos;)" /><set-header name="h"><value>1 &lt; 2 &#65;&#x42;</value></set-header></inbound></policies>';
    const { document, diagnostics } = parsePolicyDocument(xml, 'esc.xml');
    expect(diagnostics).toEqual([]);
    const [sv, sh] = el(document?.sections.inbound).children as PolicyElement[];
    expect(getAttribute(el(sv), 'name')?.value).toBe('a&b');
    expect(getAttribute(el(sv), 'value')?.expression?.source).toBe('@("x)" + \'<\')');
    const value = (el(sh).children[0] as PolicyElement).children[0];
    expect(value).toMatchObject({ type: 'text', text: '1 < 2 AB' });
  });

  it('treats text that merely contains @ as literal, and @{{ as a literal followed by a named value', () => {
    const xml = '<policies><inbound><set-header name="a"><value>mail@example.com</value></set-header><set-header name="b"><value>@{{nv}}</value></set-header></inbound></policies>';
    const { document, diagnostics } = parsePolicyDocument(xml);
    expect(diagnostics).toEqual([]);
    expect(collectExpressions(el(document?.root))).toEqual([]);
  });

  it('keeps comments (first --> closes), skips <?xml?> and a BOM, reads CDATA verbatim', () => {
    const xml = '\ufeff<?xml version="1.0"?>\n<!-- a <!-- b -->\n<fragment><!-- apimops-disable-next-line missing-base --><set-body><![CDATA[<a>&amp;</a>]]></set-body></fragment>';
    const { document, diagnostics } = parsePolicyDocument(xml, 'f.xml');
    expect(diagnostics).toEqual([]);
    expect(document?.kind).toBe('fragment');
    expect(document?.comments.map((c) => [c.text, c.pos.line, c.pos.column])).toEqual([
      [' a <!-- b ', 2, 1],
      [' apimops-disable-next-line missing-base ', 3, 11],
    ]);
    const body = el(document?.root).children[1] as PolicyElement;
    expect(body.children[0]).toMatchObject({ type: 'text', cdata: true, text: '<a>&amp;</a>' });
  });

  it.each([
    ['<policies><inbound></policies>', 1, 20, '</policies> does not match <inbound> opened at line 1, column 11'],
    ['<policies>\n<inbound>\n', 2, 1, '<inbound> is never closed (expected </inbound>)'],
    ['<policies><inbound><set-variable name="x" value="@(a("b)" /></inbound></policies>', 1, 53, 'unterminated policy expression: no matching ")"'],
    ['<policies><inbound><set-variable name="x" value="@(1) + 2" /></inbound></policies>', 1, 55, 'attribute "value" of <set-variable>: a policy expression must be the whole value (expected " after the expression)'],
    ['<policies><inbound><a b /></inbound></policies>', 1, 25, 'attribute "b" of <a> has no value (expected "=")'],
    ['<policies><inbound><a b="1" b="2"/></inbound></policies>', 1, 29, 'duplicate attribute "b" on <a>'],
    ['', 1, 1, 'empty policy document: expected <policies> or <fragment>'],
    ['<policies/><policies/>', 1, 12, 'a second root element after </policies>'],
    ['<policies><inbound><set-body>@{ return "x; }</set-body></inbound></policies>', 1, 40, 'unterminated string literal in policy expression'],
    ['<!-- x', 1, 1, 'unterminated comment: no "-->"'],
  ])('reports a positioned error for %j', (xml, line, column, message) => {
    const { document, diagnostics } = parsePolicyDocument(xml, 'bad.xml');
    expect(document).toBeUndefined();
    expect(diagnostics).toEqual([{ file: 'bad.xml', line, column, message, severity: 'error', code: 'policy-parse' }]);
  });

  it('reports structural problems but still returns the document', () => {
    const xml = '<policies>\n<inbound/>\n<inbound/>\n<outbnd/>\n</policies>';
    const { document, diagnostics } = parsePolicyDocument(xml, 's.xml');
    expect(document?.sections.inbound?.pos.line).toBe(2);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '3:1 duplicate <inbound> section',
      '4:1 <outbnd> is not a section: <policies> contains only <inbound>, <backend>, <outbound> and <on-error>',
    ]);
  });
});
