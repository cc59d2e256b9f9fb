/**
 * `parseArtifactPath` remembers its answer per path shape (folder names at collection positions + file name)
 * and builds only the key per path. Every answer must be the one worked out from the path alone: checked for
 * every file of artifacts-sample and a set of odd paths, each asked twice (the second from the memo).
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyPairs, kindOfKey, kindOfPairs, parseArtifactPath, parsePathOfShape } from '../../src/artifacts/paths.js';

const REPO = join(import.meta.dirname, '..', '..');

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

const ODD = [
  'policy.xml', 'apis/a/policy.xml', 'apis/b/policy.xml', 'apis/a/api.yaml', 'apis/a;rev=2/api.yaml', 'apis/a/specification.yml',
  'apis/a/specification.graphql', 'apis/a/operations/o/policy.xml', 'apis/a/operations/o/operation.yaml', 'apis//api.yaml',
  'apis/a/', 'apis/a', 'apis', '', 'versionSets/v/versionSet.yaml', 'apiVersionSets/v/versionSet.yaml', 'products/p/policy.xml',
  'policyFragments/f/policy.xml', 'policyFragments/f/policyFragment.yaml', 'workspaces/w/policy.xml', 'workspaces/w/apis/a/policy.xml',
  'workspaces/w/policyFragments/f/policy.xml', 'workspaces/w/namedValues/n/namedValue.yaml', 'policies/policy/policy.xml',
  'policies/x/policy.xml', 'apis/a/policies/policy/policy.xml', 'apis/a/policies/other/policy.xml', 'unknown/x/thing.yaml',
  'apis/a/operations/o/api.yaml', 'gateways/g/gateway.yaml', 'tags/t/tag.yaml', 'apis/a/releases/r/release.yaml',
];

describe('parseArtifactPath by shape', () => {
  it('answers every path as worked out alone, also when the shape is remembered', () => {
    const paths = [...filesOf(join(REPO, 'artifacts-sample')), ...ODD];
    const alone = paths.map((p) => parsePathOfShape(p));
    expect(alone.filter(Boolean).length).toBeGreaterThan(20);
    for (let round = 0; round < 2; round++) {
      for (const [i, p] of paths.entries()) expect(parseArtifactPath(p), p).toStrictEqual(alone[i]);
    }
    // Same shape, other names: the key follows the names.
    expect(parseArtifactPath('apis/one/operations/get/policy.xml')).toEqual({ kind: 'apiOperationPolicy', key: '/apis/one/operations/get/policies/policy', role: 'policy' });
    expect(parseArtifactPath('apis/two/operations/put/policy.xml')).toEqual({ kind: 'apiOperationPolicy', key: '/apis/two/operations/put/policies/policy', role: 'policy' });
    expect(parseArtifactPath('versionSets/v1/versionSet.yaml')?.key).toBe('/apiVersionSets/v1');
    expect(parseArtifactPath('versionSets/v2/versionSet.yaml')?.key).toBe('/apiVersionSets/v2');
    expect(parseArtifactPath('apis/x/specification.yml')).toEqual({ kind: 'api', key: '/apis/x', role: 'specification', format: 'openapi+yaml' });
    expect(parseArtifactPath('policyFragments/f2/policy.xml')).toEqual({ kind: 'policyFragment', key: '/policyFragments/f2', role: 'policy' });
    expect(parseArtifactPath('apis//api.yaml')).toBeUndefined();
    expect(parseArtifactPath('apis/a/policies/other/policy.xml')).toBeUndefined();
  });
});

describe('kindOfKey by shape', () => {
  it('answers every key as worked out from its pairs, also when the shape is remembered', () => {
    const keys = [
      '/apis/a', '/apis/b', '/apis/a/operations/o', '/apis/a/policies/policy', '/apis/a/policies/other', '/apis/a/operations/o/policies/policy',
      '/policies/policy', '/policies/x', '/products/p', '/products/p/policies/policy', '/policyFragments/f', '/workspaces/w', '/workspaces/w/policies/policy',
      '/workspaces/w/apis/a', '/workspaces/w/apis/a/policies/policy', '/workspaces/w/namedValues/n', '/apiVersionSets/v', '/versionSets/v',
      '/apis//x', 'apis/a', '/apis', '', '/unknown/x', '/apis/a/releases/r', '/apis/a/diagnostics/d', '/gateways/g', '/tags/t',
    ];
    const alone = keys.map((k) => {
      const pairs = keyPairs(k);
      return pairs ? kindOfPairs(pairs) : undefined;
    });
    expect(alone.filter(Boolean).length).toBeGreaterThan(12);
    for (let round = 0; round < 2; round++) for (const [i, k] of keys.entries()) expect(kindOfKey(k), k).toBe(alone[i]);
  });
});
