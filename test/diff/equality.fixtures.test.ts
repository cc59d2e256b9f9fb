/**
 * The normalisation table tested on the official ARM examples: for every PUT example of a kind we diff, the
 * request body (what a folder holds) and the response body (what APIM gives back, defaults filled in) must
 * compare equal. Examples where upstream changed a value on purpose or by mistake are listed with the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ResourceKind } from '../../src/artifacts/kinds.js';
import type { Resource } from '../../src/artifacts/model.js';
import { compareResources, normalizeProperties } from '../../src/diff/equality.js';
import { SECRET_FIELDS } from '../../src/artifacts/kinds.js';
import { ARM_FIXTURES_DIR } from '../support/shared.js';

const FIXTURES = ARM_FIXTURES_DIR;
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest-2024-05-01.json'), 'utf8')) as {
  examples: { file: string; operationId: string; method: string }[];
};

const KIND_OF_OPERATION: Record<string, ResourceKind> = {
  Api_CreateOrUpdate: 'api',
  ApiOperation_CreateOrUpdate: 'apiOperation',
  ApiPolicy_CreateOrUpdate: 'apiPolicy',
  ApiOperationPolicy_CreateOrUpdate: 'apiOperationPolicy',
  ApiDiagnostic_CreateOrUpdate: 'apiDiagnostic',
  ApiRelease_CreateOrUpdate: 'apiRelease',
  ApiVersionSet_CreateOrUpdate: 'versionSet',
  Backend_CreateOrUpdate: 'backend',
  Diagnostic_CreateOrUpdate: 'diagnostic',
  Gateway_CreateOrUpdate: 'gateway',
  Group_CreateOrUpdate: 'group',
  Logger_CreateOrUpdate: 'logger',
  NamedValue_CreateOrUpdate: 'namedValue',
  Policy_CreateOrUpdate: 'servicePolicy',
  PolicyFragment_CreateOrUpdate: 'policyFragment',
  Product_CreateOrUpdate: 'product',
  ProductPolicy_CreateOrUpdate: 'productPolicy',
  Subscription_CreateOrUpdate: 'subscription',
  Tag_CreateOrUpdate: 'tag',
  Workspace_CreateOrUpdate: 'workspace',
};

const IMPORTED = 'an import: displayName, serviceUrl… come from the definition (a folder holds them in api.yaml)';

/** Examples whose response really differs from the request: not a normalisation gap. */
const REAL_DIFFERENCES: Record<string, string> = {
  'ApiManagementCreateApiPolicyNonXmlEncoded.json': 'request is rawxml, response is the xml encoding (=> becomes =&gt;)',
  'ApiManagementCreateProductPolicy.json': 'request is rawxml, response is the xml encoding',
  'ApiManagementCreateBackendProxyBackend.json': 'upstream example answers tls validation false for true',
  'ApiManagementCreateDiagnostic.json': 'upstream example answers another logger than the one sent',
  'ApiManagementCreateAILogger.json': 'response drops the description the request sent',
  'ApiManagementCreateApiRevisionFromExistingApi.json': 'a revision copies fields from its source API',
  'ApiManagementCreateApiUsingImportOverrideServiceUrl.json': IMPORTED,
  'ApiManagementCreateApiUsingOai3Import.json': IMPORTED,
  'ApiManagementCreateApiUsingOai3ImportWithTranslateRequiredQueryParametersConduct.json': IMPORTED,
  'ApiManagementCreateApiUsingSwaggerImport.json': IMPORTED,
  'ApiManagementCreateApiUsingWadlImport.json': IMPORTED,
  'ApiManagementCreateSoapPassThroughApiUsingWsdlImport.json': IMPORTED,
  'ApiManagementCreateSoapToRestApiUsingWsdlImport.json': IMPORTED,
  'ApiManagementCreateGatewayApi.json': 'not a resource PUT: a link, answered with the API',
};

function toResource(kind: ResourceKind, props: Record<string, unknown>): Resource {
  const r: Resource = { kind, key: `/x/${kind}`, name: 'x', properties: { ...props } };
  if (kind.endsWith('olicy') || kind === 'policyFragment') {
    if (typeof props.value === 'string') r.policy = { text: props.value };
    delete r.properties.value;
    delete r.properties.format;
  }
  return r;
}

const cases = manifest.examples
  .filter((e) => e.method === 'PUT' && KIND_OF_OPERATION[e.operationId])
  .map((e) => ({ file: e.file, kind: KIND_OF_OPERATION[e.operationId]! }));

describe('equality table on the ARM examples', () => {
  it('covers the kinds we publish', () => {
    expect(new Set(cases.map((c) => c.kind)).size).toBeGreaterThanOrEqual(15);
  });

  for (const { file, kind } of cases) {
    const ex = JSON.parse(readFileSync(join(FIXTURES, '2024-05-01', file), 'utf8')) as {
      parameters: { parameters?: { properties?: Record<string, unknown> } };
      responses: Record<string, { body?: { properties?: Record<string, unknown> } }>;
    };
    const req = ex.parameters.parameters?.properties;
    const res = (ex.responses['200'] ?? ex.responses['201'])?.body?.properties;
    if (!req || !res) continue;
    const reason = REAL_DIFFERENCES[file];
    it(`${file} (${kind}) ${reason ? `differs: ${reason}` : 'request == response'}`, () => {
      const fields = compareResources(toResource(kind, req), toResource(kind, res), {
        secretFields: SECRET_FIELDS[kind],
        parseSpec: parseYaml,
      });
      if (reason) expect(fields.length).toBeGreaterThan(0);
      else expect(fields).toEqual([]);
    });
  }
});

describe('normalizeProperties', () => {
  it('drops ARM defaults only when they equal the default', () => {
    expect(normalizeProperties('product', { displayName: 'P', state: 'notPublished', approvalRequired: false })).toEqual({ displayName: 'P' });
    expect(normalizeProperties('product', { displayName: 'P', state: 'published' })).toEqual({ displayName: 'P', state: 'published' });
    expect(normalizeProperties('product', { displayName: 'P', groups: [], apis: ['b', 'a'] })).toEqual({ displayName: 'P', apis: ['a', 'b'] });
  });
  it('makes ARM ids service-relative and sorts set-like arrays', () => {
    expect(
      normalizeProperties('api', {
        path: 'p',
        protocols: ['https', 'http'],
        apiVersionSetId: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s/apiVersionSets/vs',
      }),
    ).toEqual({ path: 'p', protocols: ['http', 'https'], apiVersionSetId: '/apiVersionSets/vs' });
  });
});
