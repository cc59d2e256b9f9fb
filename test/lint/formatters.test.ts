import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { FORMATTERS } from '../../src/lint/formatters/index.js';
import { ruleById } from '../../src/lint/rules/index.js';
import { lintSource } from '../../src/lint/run.js';
import { RULES } from '../../src/lint/rules/index.js';
import type { Finding, LintRule } from '../../src/lint/types.js';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { CORPUS_DIR } from '../support/shared.js';

const findings: Finding[] = [
  { ruleId: 'missing-base', severity: 'error', message: '<inbound> of API orders has no <base />: drops validate-jwt from global inbound', file: 'apis/orders/policy.xml', line: 2, column: 3, resource: '/apis/orders/policies/policy' },
  { ruleId: 'validate-jwt-clock-skew', severity: 'warn', message: 'a "quoted" <message>, with: 50% & more\nsecond line', file: 'apis/orders/policy.xml', line: 14, column: 11 },
  { ruleId: 'hardcoded-secret', severity: 'info', message: 'a JWT is written literally', file: 'policy fragments/a b.xml', line: 1, column: 1 },
];
const rules = ['missing-base', 'validate-jwt-clock-skew', 'hardcoded-secret'].map((id) => ruleById(id)!) as LintRule[];
const files = ['apis/orders/api.yaml', 'apis/orders/policy.xml', 'policy fragments/a b.xml'];
const input = { findings, rules, files, version: '0.1.0' };

describe('formatters (pinned output)', () => {
  it('stylish', () => {
    expect(FORMATTERS.stylish(input)).toBe(
      [
        'apis/orders/policy.xml',
        '  2:3    error    <inbound> of API orders has no <base />: drops validate-jwt from global inbound  missing-base',
        '  14:11  warning  a "quoted" <message>, with: 50% & more\nsecond line  validate-jwt-clock-skew',
        '',
        'policy fragments/a b.xml',
        '  1:1    info     a JWT is written literally  hardcoded-secret',
        '',
        '✖ 3 problems (1 error, 1 warning, 1 info)',
        '',
      ].join('\n'),
    );
    expect(FORMATTERS.stylish({ ...input, findings: [] })).toBe('');
    expect(FORMATTERS.stylish({ ...input, findings: findings.slice(0, 1), color: true })).toContain('\u001b[31merror\u001b[0m');
  });

  it('json', () => {
    const doc = JSON.parse(FORMATTERS.json(input));
    expect(doc.summary).toEqual({ errors: 1, warnings: 1, infos: 1, files: 3 });
    expect(doc.findings[0]).toEqual({
      ruleId: 'missing-base',
      severity: 'error',
      message: '<inbound> of API orders has no <base />: drops validate-jwt from global inbound',
      file: 'apis/orders/policy.xml',
      line: 2,
      column: 3,
      resource: '/apis/orders/policies/policy',
    });
    expect(FORMATTERS.json(input).endsWith('}\n')).toBe(true);
  });

  it('github', () => {
    expect(FORMATTERS.github(input)).toBe(
      '::error file=apis/orders/policy.xml,line=2,col=3,title=apimops missing-base::<inbound> of API orders has no <base />: drops validate-jwt from global inbound\n' +
        '::warning file=apis/orders/policy.xml,line=14,col=11,title=apimops validate-jwt-clock-skew::a "quoted" <message>, with: 50%25 & more%0Asecond line\n' +
        '::notice file=policy fragments/a b.xml,line=1,col=1,title=apimops hardcoded-secret::a JWT is written literally\n',
    );
  });

  it('junit', () => {
    expect(FORMATTERS.junit(input)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="apimops lint" tests="4" failures="3" errors="0">',
        '  <testsuite name="apis/orders/api.yaml" tests="1" failures="0" errors="0">',
        '    <testcase classname="apis/orders/api.yaml" name="apimops lint"/>',
        '  </testsuite>',
        '  <testsuite name="apis/orders/policy.xml" tests="2" failures="2" errors="0">',
        '    <testcase classname="apis/orders/policy.xml" name="missing-base 2:3">',
        '      <failure type="error" message="&lt;inbound&gt; of API orders has no &lt;base /&gt;: drops validate-jwt from global inbound">apis/orders/policy.xml:2:3: error: &lt;inbound&gt; of API orders has no &lt;base /&gt;: drops validate-jwt from global inbound (missing-base)</failure>',
        '    </testcase>',
        '    <testcase classname="apis/orders/policy.xml" name="validate-jwt-clock-skew 14:11">',
        '      <failure type="warn" message="a &quot;quoted&quot; &lt;message&gt;, with: 50% &amp; more&#10;second line">apis/orders/policy.xml:14:11: warn: a &quot;quoted&quot; &lt;message&gt;, with: 50% &amp; more\nsecond line (validate-jwt-clock-skew)</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="policy fragments/a b.xml" tests="1" failures="1" errors="0">',
        '    <testcase classname="policy fragments/a b.xml" name="hardcoded-secret 1:1">',
        '      <failure type="info" message="a JWT is written literally">policy fragments/a b.xml:1:1: info: a JWT is written literally (hardcoded-secret)</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('sarif: pinned shape', () => {
    const doc = JSON.parse(FORMATTERS.sarif(input));
    expect(doc.version).toBe('2.1.0');
    const run = doc.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['missing-base', 'validate-jwt-clock-skew', 'hardcoded-secret']);
    expect(run.tool.driver.rules[0]).toMatchObject({
      id: 'missing-base',
      name: 'MissingBase',
      defaultConfiguration: { level: 'error' },
      help: { text: ruleById('missing-base')!.help },
    });
    expect(run.results[1]).toEqual({
      ruleId: 'validate-jwt-clock-skew',
      ruleIndex: 1,
      level: 'warning',
      message: { text: 'a "quoted" <message>, with: 50% & more\nsecond line' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'apis/orders/policy.xml', uriBaseId: '%SRCROOT%' }, region: { startLine: 14, startColumn: 11 } } }],
    });
    expect(run.results[2].locations[0].physicalLocation.artifactLocation.uri).toBe('policy%20fragments/a%20b.xml');
    expect(run.results[2].level).toBe('note');
  });
});

describe('sarif validates against the official SARIF 2.1.0 schema', () => {
  // The schema ships in @microsoft/jest-sarif (a devDependency); nothing is downloaded. It is draft-04:
  // ajv 8 reads it once `id` is `$id` and the draft-04 `$schema` line is dropped (no draft-04-only keywords are used).
  const require = createRequire(import.meta.url);
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const { $schema: _ignored, id, ...rest } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile({ ...rest, $id: id as string });

  it('for the pinned input and an empty run', () => {
    expect(validate(JSON.parse(FORMATTERS.sarif(input))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(FORMATTERS.sarif({ ...input, findings: [], rules: RULES })))).toBe(true);
  });

  it('for the whole policy corpus with every rule', async () => {
    const result = await lintSource(folderSource(CORPUS_DIR));
    const doc = JSON.parse(FORMATTERS.sarif({ findings: result.findings, rules: RULES, files: [] }));
    expect(doc.runs[0].results.length).toBeGreaterThan(0);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects a broken log (the validator is not vacuous)', () => {
    const doc = JSON.parse(FORMATTERS.sarif(input));
    doc.runs[0].results[0].level = 'fatal';
    expect(validate(doc)).toBe(false);
  });
});
