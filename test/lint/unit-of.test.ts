import { describe, expect, it } from 'vitest';
import { unitOf } from '../../src/lint/model.js';

describe('unitOf: a policy resource key → its unit', () => {
  it.each([
    ['/policies/policy', { kind: 'global', label: 'global' }],
    ['/workspaces/team-a/policies/policy', { kind: 'workspace', label: 'workspace team-a', workspace: 'team-a' }],
    ['/apis/orders/policies/policy', { kind: 'api', label: 'API orders', api: 'orders' }],
    ['/workspaces/team-a/apis/orders;rev=2/policies/policy', { kind: 'api', label: 'API orders;rev=2', workspace: 'team-a', api: 'orders;rev=2' }],
    ['/apis/orders/operations/create/policies/policy', { kind: 'operation', label: 'operation orders/create', api: 'orders', operation: 'create' }],
    ['/workspaces/w/apis/a/operations/o/policies/policy', { kind: 'operation', label: 'operation a/o', workspace: 'w', api: 'a', operation: 'o' }],
    ['/products/gold/policies/policy', { kind: 'product', label: 'product gold', product: 'gold' }],
    ['/policyFragments/std-edge', { kind: 'fragment', label: 'fragment std-edge', fragment: 'std-edge' }],
    ['/workspaces/w/policyFragments/f', { kind: 'fragment', label: 'fragment f', workspace: 'w', fragment: 'f' }],
  ])('%s', (key, expected) => {
    const unit = unitOf(key)!;
    expect(Object.fromEntries(Object.entries(unit).filter(([, v]) => v !== undefined))).toEqual({ key, ...expected });
  });

  it.each([
    'policies/policy',
    '/apis/orders',
    '/apis//policies/policy',
    '/apis/orders/operations/policies/policy',
    '/apis/orders/diagnostics/d/policies/policy',
    '/workspaces/policies/policy',
    '/namedValues/x',
    '/policies/other',
  ])('%s is no unit', (key) => {
    expect(unitOf(key)).toBeUndefined();
  });
});
