import { describe, expect, it } from 'vitest';
import { emptyState, putResource, type ApimState, type Resource } from '../../src/artifacts/model.js';
import { diffStates } from '../../src/diff/diff.js';
import { planChanges } from '../../src/publish/plan.js';
import { policyReferences } from '../../src/publish/references.js';

function state(...resources: Resource[]): ApimState {
  const s = emptyState();
  for (const r of resources) putResource(s, r);
  return s;
}
const r = (kind: Resource['kind'], key: string, properties: Record<string, unknown> = {}, extra: Partial<Resource> = {}): Resource => ({
  kind,
  key,
  name: key.split('/').pop()!,
  properties,
  ...extra,
});
const levelsOf = (plan: ReturnType<typeof planChanges>) =>
  plan.levels.map((l) => `${l.label}: ${l.steps.map((s) => `${s.change.op} ${s.change.key}`).join(', ')}`);

describe('policyReferences', () => {
  it('finds named values, fragments, backends, loggers and semantic-cache backends', () => {
    const xml = `<policies><inbound><base /><include-fragment fragment-id="std-edge" />
      <set-backend-service backend-id="payments" /><set-header name="k"><value>{{ BackendApiKey }}</value></set-header>
      <set-backend-service backend-id="@(context.Variables["b"])" />
      <azure-openai-semantic-cache-lookup score-threshold="0.8" embeddings-backend-id="embed" />
      </inbound><outbound><log-to-eventhub logger-id="hub">@(context.RequestId)</log-to-eventhub></outbound></policies>`;
    expect(policyReferences(xml)).toEqual([
      { kind: 'namedValue', target: 'BackendApiKey' },
      { kind: 'policyFragment', target: 'std-edge' },
      { kind: 'backend', target: 'payments' },
      { kind: 'logger', target: 'hub' },
      { kind: 'backend', target: 'embed' },
    ]);
  });
});

describe('planChanges', () => {
  it('orders a new API after the named value, fragment and backend its policy uses', () => {
    const target = state(
      r('namedValue', '/namedValues/key', { displayName: 'ApiKey', value: 'x' }),
      r('policyFragment', '/policyFragments/edge', {}, { policy: { text: '<fragment><set-header name="a"><value>{{ApiKey}}</value></set-header></fragment>' } }),
      r('policyFragment', '/policyFragments/outer', {}, { policy: { text: '<fragment><include-fragment fragment-id="edge" /></fragment>' } }),
      r('backend', '/backends/b1', { url: 'https://b1', protocol: 'http' }),
      r('backend', '/backends/pool', { type: 'Pool', pool: { services: [{ id: '/backends/b1' }] } }),
      r('api', '/apis/a', { path: 'a', displayName: 'A' }),
      r('apiPolicy', '/apis/a/policies/policy', {}, { parent: '/apis/a', policy: { text: '<policies><inbound><include-fragment fragment-id="outer" /><set-backend-service backend-id="pool" /></inbound></policies>' } }),
      r('product', '/products/p', { displayName: 'P', apis: ['a'] }),
    );
    const plan = planChanges(diffStates(emptyState(), target), emptyState(), target);
    expect(levelsOf(plan)).toEqual([
      'level 0: create /namedValues/key',
      'level 1: create /backends/b1, create /policyFragments/edge',
      'level 2: create /apis/a, create /backends/pool, create /policyFragments/outer',
      'level 3: create /products/p',
      'level 4: create /apis/a/policies/policy',
    ]);
  });

  it('deletes an API after its policies and after the product stops linking it', () => {
    const api = r('api', '/apis/a', { path: 'a', displayName: 'A' });
    const pol = r('apiPolicy', '/apis/a/policies/policy', {}, { parent: '/apis/a', policy: { text: '<policies/>' } });
    const opPol = r('apiOperationPolicy', '/apis/a/operations/o/policies/policy', {}, { parent: '/apis/a/operations/o', policy: { text: '<policies/>' } });
    const op = r('apiOperation', '/apis/a/operations/o', { method: 'GET', urlTemplate: '/' }, { parent: '/apis/a' });
    const current = state(api, pol, op, opPol, r('product', '/products/p', { displayName: 'P', apis: ['a'] }));
    const target = state(r('product', '/products/p', { displayName: 'P', apis: [] }));
    const plan = planChanges(diffStates(current, target), current, target);
    expect(levelsOf(plan)).toEqual([
      'level 2: update /products/p',
      'delete level 0: delete /apis/a/operations/o/policies/policy, delete /apis/a/policies/policy',
      'delete level 1: delete /apis/a/operations/o',
      'delete level 2: delete /apis/a',
    ]);
  });

  it('deletes a renamed product right before creating its successor', () => {
    const current = state(r('product', '/products/starter', { displayName: 'Starter', state: 'published' }));
    const target = state(r('product', '/products/basic', { displayName: 'Starter', state: 'published' }));
    const plan = planChanges(diffStates(current, target), current, target);
    expect(levelsOf(plan)).toEqual(['renames before level 2: delete /products/starter', 'level 2: create /products/basic']);
    expect(plan.levels[0]!.steps[0]!.renamedTo).toBe('/products/basic');
  });

  it('rejects a dependency cycle with the cycle in the message', () => {
    const target = state(
      r('policyFragment', '/policyFragments/a', {}, { policy: { text: '<fragment><include-fragment fragment-id="b" /></fragment>' } }),
      r('policyFragment', '/policyFragments/b', {}, { policy: { text: '<fragment><include-fragment fragment-id="a" /></fragment>' } }),
    );
    expect(() => planChanges(diffStates(emptyState(), target), emptyState(), target)).toThrow(/dependency cycle: \/policyFragments\/a → \/policyFragments\/b → \/policyFragments\/a/);
  });
});
