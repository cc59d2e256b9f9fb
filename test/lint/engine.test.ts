import { describe, expect, it } from 'vitest';
import { lintSource } from '../../src/lint/run.js';
import { globToRegExp, parseRuleFlags } from '../../src/lint/config.js';
import { BASE_FOLDER, apiPolicy, memorySource } from './support.js';

const noBase = '<policies>\n  <!-- apimops-disable-next-line missing-base -->\n  <inbound>\n    <set-header name="a"><value>1</value></set-header>\n  </inbound>\n  <outbound>\n    <set-header name="b"><value>1</value></set-header>\n  </outbound>\n</policies>\n';

describe('lint engine', () => {
  it('suppresses a rule on the next line with <!-- apimops-disable-next-line rule-id -->', async () => {
    const r = await lintSource(memorySource({ ...BASE_FOLDER, 'apis/orders/policy.xml': noBase }));
    expect(r.findings.map((f) => `${f.ruleId}@${f.line}`)).toEqual(['missing-base@6']);
  });

  it('a disable comment without ids suppresses every rule; other rules still report elsewhere', async () => {
    const xml = apiPolicy('    <!-- apimops-disable-next-line -->\n    <forward-request />\n    <forward-request />');
    const r = await lintSource(memorySource({ ...BASE_FOLDER, 'apis/orders/policy.xml': xml }));
    expect(r.findings.map((f) => `${f.ruleId}@${f.line}`)).toEqual(['policy-in-wrong-section@6']);
  });

  it('applies severity overrides and off', async () => {
    const files = { ...BASE_FOLDER, 'apis/orders/policy.xml': noBase.replace('missing-base', 'other-rule') };
    const r = await lintSource(memorySource(files), { rules: { 'missing-base': 'warn' } });
    expect(r.findings.map((f) => `${f.ruleId}:${f.severity}@${f.line}`)).toEqual(['missing-base:warn@3', 'missing-base:warn@6']);
    const off = await lintSource(memorySource(files), { rules: { 'missing-base': 'off' } });
    expect(off.findings).toEqual([]);
  });

  it('isolates a crashing rule', async () => {
    const boom = { id: 'boom', defaultSeverity: 'error' as const, description: 'x', help: 'y', check: () => { throw new Error('kaput'); } };
    const r = await lintSource(memorySource(BASE_FOLDER), { ruleSet: [boom] });
    expect(r.findings).toEqual([]);
    expect(r.ruleErrors[0]?.ruleId).toBe('boom');
    expect(r.ruleErrors[0]?.message).toContain('kaput');
  });

  it('walks once for every visitor rule: a visitor that throws reports one error and stops; the others see every site', async () => {
    const seen: string[] = [];
    const boom = { id: 'boom', defaultSeverity: 'error' as const, description: 'x', help: 'y', create: () => ({ policy: () => { throw new Error('kaput'); } }) };
    const names = {
      id: 'names',
      defaultSeverity: 'warn' as const,
      description: 'x',
      help: 'y',
      create: () => ({
        policy: ({ element, section }: { element: { name: string }; section?: string }) => seen.push(`${section}:${element.name}`),
        expression: ({ expression }: { expression: { source: string } }) => seen.push(`expr ${expression.source}`),
      }),
    };
    const xml = apiPolicy('    <set-header name="a"><value>@(context.RequestId)</value></set-header>\n    <choose><when condition="@(true)"><set-variable name="v" value="1" /></when></choose>');
    const r = await lintSource(memorySource({ ...BASE_FOLDER, 'apis/orders/policy.xml': xml }), { ruleSet: [boom, names] });
    expect(r.ruleErrors.map((e) => e.ruleId)).toEqual(['boom']);
    expect(r.ruleErrors[0]?.message).toContain('kaput');
    // Policy sites of every unit first (document order, into choose/when), then the expressions.
    expect(seen.filter((s) => !s.startsWith('expr')).slice(0, 4)).toEqual(['inbound:base', 'inbound:set-header', 'inbound:choose', 'inbound:set-variable']);
    expect(seen.filter((s) => s.startsWith('expr'))).toEqual(['expr @(context.RequestId)', 'expr @(true)']);
  });

  it('reports a policy reference that does not exist once, under its rule (which --rule can turn off)', async () => {
    const xml = apiPolicy('    <set-header name="x" exists-action="override"><value>{{nope}}</value></set-header>\n    <include-fragment fragment-id="nofrag" />\n    <set-backend-service backend-id="nobackend" />');
    const files = { ...BASE_FOLDER, 'apis/orders/policy.xml': xml, 'products/gold/product.yaml': 'displayName: Gold\napis:\n  - missing-api\n' };
    const r = await lintSource(memorySource(files));
    expect(r.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      'apis/orders/policy.xml:4 undefined-named-value',
      'apis/orders/policy.xml:5 undefined-fragment',
      'apis/orders/policy.xml:6 undefined-backend',
      // A link in YAML is the reader's to report.
      'products/gold/product.yaml:3 artifact-error',
    ]);
    const off = await lintSource(memorySource(files), { rules: { 'undefined-named-value': 'off', 'undefined-fragment': 'off', 'undefined-backend': 'off' } });
    expect(off.findings.map((f) => f.ruleId)).toEqual(['artifact-error']);
  });

  it('lints loose XML files standalone (no folder context: reference rules stay quiet)', async () => {
    const r = await lintSource(memorySource({ 'snippets/a.xml': '<policies><inbound><set-header name="x"><value>{{nope}}</value></set-header><foo /></inbound></policies>' }));
    expect(r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`)).toEqual(['snippets/a.xml:1:77 unknown-policy']);
  });
});

describe('lint configuration helpers', () => {
  it('parses --rule flags and rejects bad ones', () => {
    expect(parseRuleFlags(['missing-base=warn', 'hardcoded-secret=off'])).toEqual({ 'missing-base': 'warn', 'hardcoded-secret': 'off' });
    expect(() => parseRuleFlags(['missing-base=loud'])).toThrow('--rule missing-base=loud: expected <rule-id>=<error|warn|info|off>');
    expect(() => parseRuleFlags(['no-such-rule=warn'])).toThrow('--rule: unknown rule no-such-rule');
  });
  it('matches lint.ignore globs', () => {
    expect(globToRegExp('apis/legacy-*/**').test('apis/legacy-v1/operations/x/policy.xml')).toBe(true);
    expect(globToRegExp('**/policy.xml').test('policy.xml')).toBe(true);
    expect(globToRegExp('apis/*/policy.xml').test('apis/a/operations/b/policy.xml')).toBe(false);
  });
});
