import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/artifacts/folder-source.js';
import { applyOverrides, mergeDeep, parseOverrides } from '../../src/artifacts/overrides.js';
import { readArtifacts } from '../../src/artifacts/reader.js';
import { formatDiagnostic, type Diagnostic } from '../../src/shared/errors.js';

const FOLDER = {
  'policy.xml': '<policies><inbound /></policies>\n',
  'namedValues/key/namedValue.yaml': 'displayName: Key\nsecret: true\ntags:\n  - a\n  - b\n',
  'backends/b/backend.yaml': 'url: http://old\nprotocol: http\ntls:\n  validateCertificateChain: true\n  validateCertificateName: true\n',
  'apis/a/api.yaml': 'displayName: A\npath: a\napiRevision: "1"\nisCurrent: true\n',
  'apis/a/policy.xml': '<policies><inbound><base /></inbound></policies>\n',
  'apis/a/specification.yaml': 'openapi: 3.0.1\ninfo: {title: a, version: "1"}\npaths:\n  /x:\n    get:\n      operationId: get-x\n',
  'apis/a/operations/get-x/policy.xml': '<policies><inbound><base /></inbound></policies>\n',
  'apis/a/diagnostics/ai/diagnostic.yaml': 'loggerId: /loggers/l\nsampling:\n  percentage: 100\n  samplingType: fixed\n',
  'loggers/l/logger.yaml': 'loggerType: applicationInsights\n',
  'products/p/product.yaml': 'displayName: P\napis:\n  - a\n',
  'products/p/policy.xml': '<policies />\n',
  'workspaces/w/workspace.yaml': 'displayName: W\n',
  'workspaces/w/namedValues/n/namedValue.yaml': 'displayName: N\nvalue: ws\n',
  'workspaces/w/policy.xml': '<policies />\n',
};

const OVERRIDES = `namedValues:
  - name: key
    properties:
      value: "{#KEY#}"
      tags: [c]
backends:
  - name: b
    properties:
      url: http://127.0.0.1:9091
      tls:
        validateCertificateChain: false
apis:
  - name: a
    properties:
      displayName: A (dev)
      apiRevision: "9"
      isCurrent: false
    policies:
      - name: policy
        properties:
          format: rawxml
          value: "<policies><inbound><base /><mock-response /></inbound></policies>"
    operations:
      - name: get-x
        policies:
          - name: policy
            properties:
              value: "<policies />"
      - name: nope-op
        properties: {}
    diagnostics:
      - name: ai
        properties:
          sampling:
            percentage: 10
policies:
  - name: policy
    properties:
      value: "<policies><inbound><set-variable name=\\"env\\" value=\\"dev\\" /></inbound></policies>"
products:
  - name: p
    properties:
      apis: []
  - name: missing-product
    properties:
      displayName: X
workspaces:
  - name: w
    properties:
      description: team workspace
    namedValues:
      - name: n
        properties:
          value: ws-dev
    policies:
      - name: policy
        properties:
          value: "<policies><inbound /></policies>"
  - name: nope-ws
apimServiceName: apim-dev
`;

describe('configuration.<env>.yaml overrides (APIOps semantics)', () => {
  it('merges objects, replaces arrays and scalars, nests apis/operations/policies/diagnostics and workspaces', async () => {
    const { state } = await readArtifacts(memorySource(FOLDER));
    const { overrides, diagnostics: parse } = parseOverrides('configuration.dev.yaml', OVERRIDES);
    expect(parse).toEqual([]);
    const diagnostics: Diagnostic[] = [];
    const out = applyOverrides(state, overrides, diagnostics);

    expect(out.namedValue.get('/namedValues/key')!.properties).toEqual({ displayName: 'Key', secret: true, tags: ['c'], value: '{#KEY#}' });
    expect(out.backend.get('/backends/b')!.properties).toEqual({ url: 'http://127.0.0.1:9091', protocol: 'http', tls: { validateCertificateChain: false, validateCertificateName: true } });
    // apiRevision and isCurrent cannot be overridden (APIOps strips them).
    expect(out.api.get('/apis/a')!.properties).toMatchObject({ displayName: 'A (dev)', apiRevision: '1', isCurrent: true });
    expect(out.apiPolicy.get('/apis/a/policies/policy')!.policy!.text).toBe('<policies><inbound><base /><mock-response /></inbound></policies>');
    expect(out.apiOperationPolicy.get('/apis/a/operations/get-x/policies/policy')!.policy!.text).toBe('<policies />');
    expect(out.apiDiagnostic.get('/apis/a/diagnostics/ai')!.properties.sampling).toEqual({ percentage: 10, samplingType: 'fixed' });
    expect(out.servicePolicy.get('/policies/policy')!.policy!.text).toContain('set-variable name="env"');
    expect(out.product.get('/products/p')!.properties.apis).toEqual([]);
    expect(out.workspace.get('/workspaces/w')!.properties).toEqual({ displayName: 'W', description: 'team workspace' });
    expect(out.namedValue.get('/workspaces/w/namedValues/n')!.properties.value).toBe('ws-dev');
    expect(out.workspacePolicy.get('/workspaces/w/policies/policy')!.policy!.text).toBe('<policies><inbound /></policies>');

    // The input state is untouched.
    expect(state.backend.get('/backends/b')!.properties.url).toBe('http://old');
    expect(state.apiPolicy.get('/apis/a/policies/policy')!.policy!.text).toBe('<policies><inbound><base /></inbound></policies>\n');

    expect(diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual([
      "warn configuration.dev.yaml:29:15: override for apiOperation 'nope-op' in '/apis/a', which does not exist",
      "warn configuration.dev.yaml:44:11: override for product 'missing-product', which does not exist",
      "warn configuration.dev.yaml:59:11: override for workspace 'nope-ws', which does not exist",
    ]);
  });

  it('rejects a malformed overrides file with positions', () => {
    const { diagnostics } = parseOverrides('configuration.x.yaml', 'namedValue:\n  - name: a\nbackends:\n  - properties: {}\n');
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "configuration.x.yaml:1:1: unknown property 'namedValue' (did you mean 'namedValues'?)",
      "configuration.x.yaml:4:5: missing required property 'backends[0].name'",
    ]);
  });

  it('checks each override\'s properties against its kind\'s schema (nothing required), so typos are caught', () => {
    const text = 'namedValues:\n  - name: a\n    properties:\n      valu: x\n      secret: "no"\napis:\n  - name: a\n    diagnostics:\n      - name: d\n        properties:\n          samplin: {}\n';
    expect(parseOverrides('c.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([
      "c.yaml:4:7: unknown property 'namedValues[0].properties.valu' (did you mean 'value'?)",
      "c.yaml:5:15: 'namedValues[0].properties.secret' must be boolean",
      "c.yaml:11:11: unknown property 'apis[0].diagnostics[0].properties.samplin' (did you mean 'sampling'?)",
    ]);
  });

  it('the sample\'s override files are valid', async () => {
    const { readFileSync } = await import('node:fs');
    for (const env of ['local', 'dev', 'prod']) {
      const file = `configuration.${env}.yaml`;
      expect(parseOverrides(file, readFileSync(new URL(`../../artifacts-sample/${file}`, import.meta.url), 'utf8')).diagnostics).toEqual([]);
    }
  });

  it('mergeDeep: objects merge key by key, arrays and scalars replace, null removes', () => {
    expect(mergeDeep({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] }, d: null });
    expect(mergeDeep([1], { a: 1 })).toEqual({ a: 1 });
  });
});
