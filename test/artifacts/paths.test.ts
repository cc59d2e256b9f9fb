import { describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, type ResourceKind } from '../../src/artifacts/kinds.js';
import { infoPathOf, kindOfKey, parentKeyOf, parseArtifactPath, policyPathOf, specificationPathOf } from '../../src/artifacts/paths.js';

/** One key per kind (and the same in a workspace where the kind can live there) with its file. */
const TABLE: [ResourceKind, string, string][] = [
  ['servicePolicy', '/policies/policy', 'policy.xml'],
  ['namedValue', '/namedValues/tenant-id', 'namedValues/tenant-id/namedValue.yaml'],
  ['logger', '/loggers/appinsights', 'loggers/appinsights/logger.yaml'],
  ['backend', '/backends/payments', 'backends/payments/backend.yaml'],
  ['policyFragment', '/policyFragments/std-edge', 'policyFragments/std-edge/policyFragment.yaml'],
  ['versionSet', '/apiVersionSets/payments', 'versionSets/payments/versionSet.yaml'],
  ['tag', '/tags/payments', 'tags/payments/tag.yaml'],
  ['group', '/groups/partners', 'groups/partners/group.yaml'],
  ['gateway', '/gateways/onprem', 'gateways/onprem/gateway.yaml'],
  ['workspace', '/workspaces/team-a', 'workspaces/team-a/workspace.yaml'],
  ['workspacePolicy', '/workspaces/team-a/policies/policy', 'workspaces/team-a/policy.xml'],
  ['diagnostic', '/diagnostics/applicationinsights', 'diagnostics/applicationinsights/diagnostic.yaml'],
  ['api', '/apis/payments-api', 'apis/payments-api/api.yaml'],
  ['api', '/apis/payments-api;rev=2', 'apis/payments-api;rev=2/api.yaml'],
  ['apiPolicy', '/apis/payments-api;rev=2/policies/policy', 'apis/payments-api;rev=2/policy.xml'],
  ['apiOperation', '/apis/legacy/operations/get-x', 'apis/legacy/operations/get-x/operation.yaml'],
  ['apiOperationPolicy', '/apis/a/operations/op/policies/policy', 'apis/a/operations/op/policy.xml'],
  ['apiDiagnostic', '/apis/a/diagnostics/applicationinsights', 'apis/a/diagnostics/applicationinsights/diagnostic.yaml'],
  ['apiRelease', '/apis/a/releases/r1', 'apis/a/releases/r1/release.yaml'],
  ['product', '/products/premium', 'products/premium/product.yaml'],
  ['productPolicy', '/products/premium/policies/policy', 'products/premium/policy.xml'],
  ['subscription', '/subscriptions/demo', 'subscriptions/demo/subscription.yaml'],
  ['api', '/workspaces/team-a/apis/orders', 'workspaces/team-a/apis/orders/api.yaml'],
  ['apiOperationPolicy', '/workspaces/team-a/apis/orders/operations/o/policies/policy', 'workspaces/team-a/apis/orders/operations/o/policy.xml'],
  ['versionSet', '/workspaces/team-a/apiVersionSets/v', 'workspaces/team-a/versionSets/v/versionSet.yaml'],
  ['namedValue', '/workspaces/team-a/namedValues/n', 'workspaces/team-a/namedValues/n/namedValue.yaml'],
];

describe('the path table', () => {
  it('covers every kind', () => {
    expect(new Set(TABLE.map(([k]) => k))).toEqual(new Set(RESOURCE_KINDS));
  });

  it.each(TABLE)('%s %s ⇄ %s', (kind, key, path) => {
    expect(kindOfKey(key)).toBe(kind);
    const isPolicy = path.endsWith('policy.xml');
    expect(isPolicy ? policyPathOf(key) : infoPathOf(key)).toBe(path);
    expect(parseArtifactPath(path)).toEqual({ kind, key, role: isPolicy ? 'policy' : 'info' });
  });

  it('places a fragment\'s XML beside its YAML and an API\'s specification by format', () => {
    expect(policyPathOf('/policyFragments/std-edge')).toBe('policyFragments/std-edge/policy.xml');
    expect(parseArtifactPath('policyFragments/std-edge/policy.xml')).toEqual({ kind: 'policyFragment', key: '/policyFragments/std-edge', role: 'policy' });
    expect(specificationPathOf('/apis/a', 'openapi+json')).toBe('apis/a/specification.json');
    expect(specificationPathOf('/apis/g', 'graphql')).toBe('apis/g/specification.graphql');
    expect(parseArtifactPath('apis/s/specification.wsdl')).toEqual({ kind: 'api', key: '/apis/s', role: 'specification', format: 'wsdl' });
  });

  it('knows owners, and rejects what is not the layout', () => {
    expect(parentKeyOf('/apis/a/operations/b/policies/policy')).toBe('/apis/a/operations/b');
    expect(parentKeyOf('/workspaces/w/policies/policy')).toBe('/workspaces/w');
    expect(parentKeyOf('/workspaces/w/apis/a')).toBeUndefined();
    for (const p of ['apis/a/apiInformation.json', 'apiVersionSets/v/versionSet.yaml', 'apis/a/extra/x/api.yaml', 'named values/n/namedValue.yaml', 'apis/a/operation.yaml', 'notes.txt']) {
      expect(parseArtifactPath(p), p).toBeUndefined();
    }
    expect(kindOfKey('/gateways/g/apis/a')).toBeUndefined(); // a link, not a resource
    expect(kindOfKey('/workspaces/w/gateways/g')).toBeUndefined(); // gateways are service-level only
  });
});
