import { describe, expect, it } from 'vitest';
import {
  composePolicies,
  findNamedValueReferences,
  findNamedValueReferencesInElement,
  inlineFragments,
  parsePolicyDocument,
  substituteNamedValues,
  type PolicyDocument,
  type ScopePolicy,
} from '../../src/policy/index.js';

const doc = (xml: string, file = 'x.xml'): PolicyDocument => {
  const r = parsePolicyDocument(xml, file);
  if (!r.document) throw new Error(JSON.stringify(r.diagnostics));
  return r.document;
};
const names = (scopes: ScopePolicy[], section: 'inbound' | 'backend' | 'outbound' | 'on-error') =>
  composePolicies(scopes, section).map((p) => `${p.scope}:${p.element.name}`);

describe('composePolicies (POLICY-ENGINE.md §3.2)', () => {
  const global = doc('<policies><inbound><validate-jwt header-name="Authorization"/></inbound><backend><forward-request/></backend><outbound/></policies>', 'policy.xml');
  const product = doc('<policies><inbound><base/><rate-limit calls="5" renewal-period="60"/></inbound></policies>', 'products/p/policy.xml');

  it('the docs example: API inbound <cross-domain/><base/><find-and-replace/> runs cross-domain, then the broader scopes, then find-and-replace', () => {
    const api = doc('<policies><inbound><cross-domain/><base/><find-and-replace from="a" to="b"/></inbound></policies>');
    expect(names([{ scope: 'global', document: global }, { scope: 'product', document: product }, { scope: 'api', document: api }], 'inbound')).toEqual([
      'api:cross-domain',
      'global:validate-jwt',
      'product:rate-limit',
      'api:find-and-replace',
    ]);
  });

  it('omitting <base/> drops every broader policy of that section, including the global forward-request', () => {
    const api = doc('<policies><inbound><set-header name="a"/></inbound><backend><set-variable name="v" value="1"/></backend></policies>');
    const chain = [{ scope: 'global', document: global }, { scope: 'api', document: api }];
    expect(names(chain, 'inbound')).toEqual(['api:set-header']);
    expect(names(chain, 'backend')).toEqual(['api:set-variable']);
  });

  it('an absent document or section inherits; <base/> in global is a no-op; a second <base/> is ignored', () => {
    const op = doc('<policies><inbound><base/><base/><set-header name="o"/></inbound></policies>');
    const g2 = doc('<policies><inbound><base/><set-header name="g"/></inbound></policies>');
    const chain = [{ scope: 'global', document: g2 }, { scope: 'api' }, { scope: 'op', document: op }];
    expect(names(chain, 'inbound')).toEqual(['global:set-header', 'op:set-header']);
    expect(names([{ scope: 'global', document: global }, { scope: 'op', document: op }], 'backend')).toEqual(['global:forward-request']);
    expect(composePolicies([{ scope: 'global', document: global }, { scope: 'op', document: op }], 'backend', { absentSection: 'empty' })).toEqual([]);
    expect(composePolicies([{ scope: 'global', document: global }, { scope: 'op', document: op }], 'outbound')).toEqual([]);
  });

  it('keeps the origin scope index of every element', () => {
    const api = doc('<policies><backend><base/></backend></policies>');
    const [p] = composePolicies([{ scope: 'global', document: global }, { scope: 'api', document: api }], 'backend');
    expect(p).toMatchObject({ scope: 'global', scopeIndex: 0, element: { name: 'forward-request', pos: { file: 'policy.xml' } } });
  });
});

describe('inlineFragments (§3.3)', () => {
  it('replaces include-fragment at any depth with the fragment policies, marked with their origin', () => {
    const frag = doc('<fragment><set-header name="f"/><!-- c --><set-variable name="v" value="1"/></fragment>', 'policyFragments/std/policy.xml');
    const d = doc('<policies><inbound><include-fragment fragment-id="std"/><choose><when condition="true"><include-fragment fragment-id="std"/><include-fragment fragment-id="nope"/></when></choose></inbound></policies>');
    const { document, missing } = inlineFragments(d, new Map([['std', frag]]));
    expect(missing.map((m) => [m.fragmentId, m.include.pos.column])).toEqual([['nope', 125]]);
    const inbound = document.sections.inbound!;
    const kids = inbound.children.filter((c) => c.type === 'element').map((c) => c.type === 'element' && c.name);
    expect(kids).toEqual(['set-header', 'set-variable', 'choose']);
    const first = inbound.children[0];
    expect(first?.type === 'element' && first.includedFrom?.fragmentId).toBe('std');
    expect(first?.type === 'element' && first.pos.file).toBe('policyFragments/std/policy.xml');
    expect(d.sections.inbound?.children[0]).toMatchObject({ name: 'include-fragment' }); // input untouched
  });
});

describe('named values (§2.4)', () => {
  it('finds references with offsets, ignoring C# braces', () => {
    expect(findNamedValueReferences('a {{TenantId}} $"{{ x }}" {{Storage.Account-1}}')).toEqual([
      { name: 'TenantId', start: 2, end: 14 },
      { name: 'Storage.Account-1', start: 26, end: 47 },
    ]);
  });
  it('substitutes textually, once, and reports unknown names', () => {
    const r = substituteNamedValues('$"https://login/{{TenantId}}/{{missing}}" {{loop}}', (n) => ({ TenantId: 't1', loop: '{{TenantId}}' })[n]);
    expect(r.text).toBe('$"https://login/t1/{{missing}}" {{TenantId}}');
    expect(r.unknown).toEqual([{ name: 'missing', start: 29, end: 40 }]);
  });
  it('positions references inside attributes, text and expressions', () => {
    const d = doc('<policies><inbound>\n<set-header name="h{{a}}"><value>@("{{b}}")</value></set-header>\n<set-body><![CDATA[x{{c}}]]></set-body></inbound></policies>', 'n.xml');
    expect(findNamedValueReferencesInElement(d.root).map((r) => `${r.name}@${r.pos.line}:${r.pos.column}`)).toEqual(['a@2:20', 'b@2:37', 'c@3:21']);
  });
});
