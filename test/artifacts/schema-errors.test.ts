import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/artifacts/folder-source.js';
import { loadArtifacts, readArtifacts } from '../../src/artifacts/reader.js';
import { DiagnosticsError, formatDiagnostic } from '../../src/shared/errors.js';
import { BAD_FOLDER } from './bad-folder.js';

/** Every problem of the bad folder, in one run, as the CLI prints them (severity added). */
const EXPECTED = [
  "error apis/bad-xml/api.yaml:3:12: 'protocols' must be a list",
  'error apis/bad-xml/policy.xml:4:3: </outbound> does not match <inbound> opened at line 2, column 3',
  'error apis/broken/api.yaml:3:1: Missing closing "quote',
  "error apis/ghost/policy.xml: this policy belongs to api 'ghost', which has no api.yaml",
  'error apis/listy/api.yaml:1:1: api.yaml must be a mapping of properties',
  "error apis/orders/api.yaml:2:1: unknown property 'displayNme' (did you mean 'displayName'?)",
  "error apis/orders/api.yaml:4:23: 'subscriptionRequired' must be boolean",
  "error apis/orders/api.yaml:6:5: 'protocols[0]' must be one of: http, https, ws, wss",
  "error apis/orders/api.yaml:7:18: 'apiVersionSetId' refers to version set '/apiVersionSets/missing', which does not exist",
  "warn apis/orders/apiInformation.json: unknown file: 'apiInformation.json' is an Azure/apiops file; run `apimops convert` to migrate the folder",
  "error apis/orders/diagnostics/appinsights/diagnostic.yaml:2:11: 'loggerId' refers to logger '/loggers/nope', which does not exist",
  "error apis/orders/policy.xml:4:65: policy uses named value '{{NoSuchValue}}', which does not exist",
  "error apis/orders/policy.xml:5:5: include-fragment uses fragment 'no-such-fragment', which does not exist",
  "error apis/orders/policy.xml:6:5: set-backend-service uses backend 'no-such-backend', which does not exist",
  'error apis/twice/api.yaml:3:1: Map keys must be unique',
  "error backends/b1/backend.yaml:6:7: unknown property 'circuitBreaker.rules[0].tripDuraton' (did you mean 'tripDuration'?)",
  "error backends/b1/backend.yaml:10:18: 'circuitBreaker.rules[0].failureCondition.statusCodeRanges[0].min' must be >= 200",
  "error diagnostics/d1/diagnostic.yaml:1:1: missing required property 'loggerId'",
  "error diagnostics/d1/diagnostic.yaml:1:12: 'verbosity' must be one of: verbose, information, error",
  "error gateways/gw/gateway.yaml:4:5: gateway 'gw' lists API 'nope-api', which does not exist",
  "error namedValues/nv1/namedValue.yaml:1:14: 'displayName' must match ^[A-Za-z0-9-._]+$",
  "error products/gold/product.yaml:3:5: product 'gold' lists API 'nope-api', which does not exist",
  "error products/gold/product.yaml:7:5: product 'gold' lists group 'nope-group', which does not exist",
  'warn random.txt: unknown file: not part of the artifact layout (ARTIFACT-FORMAT.md), ignored',
  "error subscriptions/s1/subscription.yaml:2:8: 'scope' refers to product '/products/nope', which does not exist",
];

describe('bad input: every problem, with file, line, column and the field', () => {
  it('reports all of them in one run, in file order', async () => {
    const { diagnostics } = await readArtifacts(memorySource(BAD_FOLDER));
    expect(diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual(EXPECTED);
  });

  it('the built-in group "developers" is not a dangling link', async () => {
    const { diagnostics } = await readArtifacts(memorySource(BAD_FOLDER));
    expect(diagnostics.some((d) => d.message.includes("'developers'"))).toBe(false);
  });

  it('loadArtifacts throws one DiagnosticsError (exit 2) carrying all of them', async () => {
    const err = await loadArtifacts(memorySource(BAD_FOLDER, 'bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticsError);
    const d = err as DiagnosticsError;
    expect(d.code).toBe('E_ARTIFACT');
    expect(d.message).toBe('23 problems in bad');
    expect(d.diagnostics).toHaveLength(EXPECTED.length);
  });

  it('matches a named value by display name or by name, and warnings alone do not fail a load', async () => {
    const folder = {
      'namedValues/tenant-id/namedValue.yaml': 'displayName: TenantId\nvalue: t\n',
      'policy.xml': '<policies><inbound><set-header name="a" exists-action="override"><value>{{TenantId}}{{tenant-id}}</value></set-header></inbound></policies>\n',
      'loggers/l/logger.yaml': 'loggerType: applicationInsights\ncredentials:\n  instrumentationKey: "{{missing-key}}"\n',
      'extra.json': '{}\n',
    };
    const { diagnostics } = await readArtifacts(memorySource(folder));
    expect(diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual([
      'warn extra.json: unknown file: not part of the artifact layout (ARTIFACT-FORMAT.md), ignored',
      "error loggers/l/logger.yaml:3:23: 'credentials.instrumentationKey' uses named value '{{missing-key}}', which does not exist",
    ]);
    delete (folder as Record<string, string>)['loggers/l/logger.yaml'];
    const ok = await loadArtifacts(memorySource(folder));
    expect(ok.diagnostics).toHaveLength(1);
  });

  it('reports a specification that does not parse, and two specifications for one API', async () => {
    const { diagnostics, state } = await readArtifacts(
      memorySource({
        'apis/x/api.yaml': 'displayName: X\npath: x\n',
        'apis/x/specification.json': '{"openapi": "3.0.1", "paths": {',
        'apis/y/api.yaml': 'displayName: Y\npath: y\n',
        'apis/y/specification.graphql': 'type Query { a: Int }\n',
        'apis/y/specification.yaml': 'openapi: 3.0.1\npaths: {}\n',
      }),
    );
    expect(diagnostics.map((d) => `${d.severity} ${d.file}: ${d.message.replace(/parse: .*/, 'parse: …')}`)).toEqual([
      'error apis/x/specification.json: specification does not parse: …',
      'error apis/y/specification.yaml: API \'y\' has more than one specification file (specification.graphql, specification.yaml)',
    ]);
    expect(state.api.get('/apis/x')!.specification!.content).toBe('{"openapi": "3.0.1", "paths": {');
  });

  it('an Azure/apiops folder gets the same checks, with positions in its JSON and marker files', async () => {
    const { layout, diagnostics } = await readArtifacts(
      memorySource({
        'apis/a/apiInformation.json': '{\n  "properties": {\n    "displayNme": "A",\n    "path": "a"\n  }\n}\n',
        'apis/a/diagnostics/d/diagnosticInformation.json': '{\n  "properties": {\n    "loggerId": "/loggers/nope"\n  }\n}\n',
        'products/p/productInformation.json': '{ "properties": { "displayName": "P", "subscriptionRequired": "yes" } }\n',
        'products/p/apis/ghost/productApiInformation.json': '{}\n',
        'groups/g/groupInformation.json': '{ "properties": { "displayName": "G", }\n',
      }),
    );
    expect(layout).toBe('apiops');
    expect(diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual([
      "error apis/a/apiInformation.json:3:5: unknown property 'properties.displayNme' (did you mean 'displayName'?)",
      "error apis/a/diagnostics/d/diagnosticInformation.json:3:17: 'loggerId' refers to logger '/loggers/nope', which does not exist",
      'error groups/g/groupInformation.json:2:1: invalid JSON: Flow map must end with a }',
      "error products/p/apis/ghost/productApiInformation.json: product 'p' lists API 'ghost', which does not exist",
      "error products/p/productInformation.json:1:63: 'properties.subscriptionRequired' must be boolean",
    ]);
  });

  it('resolves workspace references inside the workspace, and checks operations against the specification', async () => {
    const folder = {
      'workspaces/team/workspace.yaml': 'displayName: Team\n',
      'workspaces/team/apis/orders/api.yaml': 'displayName: Orders\npath: orders\n',
      'workspaces/team/apis/orders/specification.yaml': 'openapi: 3.0.1\ninfo: {title: o, version: "1"}\npaths:\n  /orders:\n    get:\n      operationId: list-orders\n',
      'workspaces/team/apis/orders/operations/list-orders/policy.xml': '<policies><inbound><base /></inbound></policies>\n',
      'workspaces/team/apis/orders/operations/not-in-spec/policy.xml': '<policies><inbound><base /></inbound></policies>\n',
      'workspaces/team/products/p/product.yaml': 'displayName: P\napis:\n  - orders\n',
      'workspaces/other/apis/x/api.yaml': 'displayName: X\npath: x\n',
    };
    const { state, diagnostics } = await readArtifacts(memorySource(folder));
    expect(state.apiOperation.get('/workspaces/team/apis/orders/operations/list-orders')).toMatchObject({
      fromSpecification: true,
      workspace: 'team',
      parent: '/workspaces/team/apis/orders',
      properties: { method: 'GET', urlTemplate: '/orders', displayName: 'list-orders' },
    });
    expect(diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual([
      "error workspaces/other/apis/x/api.yaml: api 'x' belongs to workspace 'other', which has no workspace.yaml",
      "error workspaces/team/apis/orders/operations/not-in-spec/policy.xml: this policy belongs to operation 'not-in-spec', which is not in workspaces/team/apis/orders/specification.yaml",
    ]);
  });
});
