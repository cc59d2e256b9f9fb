import { describe, expect, it } from 'vitest';
import { emptyState, putResource, type ApimState, type Resource } from '../../src/artifacts/model.js';
import { diffStates } from '../../src/diff/diff.js';
import { normalizePolicyXml } from '../../src/diff/equality.js';

function state(...resources: Resource[]): ApimState {
  const s = emptyState();
  for (const r of resources) putResource(s, r);
  return s;
}
const api = (name: string, props: Record<string, unknown> = {}): Resource => ({
  kind: 'api',
  key: `/apis/${name}`,
  name,
  properties: { displayName: name, path: name, ...props },
});
const apiPolicy = (name: string, text: string): Resource => ({
  kind: 'apiPolicy',
  key: `/apis/${name}/policies/policy`,
  name: 'policy',
  parent: `/apis/${name}`,
  properties: {},
  policy: { text },
});

describe('diffStates', () => {
  it('creates, updates and deletes with the fields that differ', () => {
    const current = state(api('a'), api('b', { serviceUrl: 'https://old' }), api('gone'));
    const target = state(api('a'), api('b', { serviceUrl: 'https://new' }), api('new'));
    const cs = diffStates(current, target);
    expect(cs.changes.map((c) => [c.op, c.key])).toEqual([
      ['update', '/apis/b'],
      ['delete', '/apis/gone'],
      ['create', '/apis/new'],
    ]);
    expect(cs.changes[0]!.fields).toEqual([{ path: 'properties.serviceUrl', before: 'https://old', after: 'https://new' }]);
    expect(cs.summary).toEqual({ created: 1, updated: 1, deleted: 1, total: 3 });
  });

  it('does not delete without deletes: true (publish without --prune)', () => {
    const cs = diffStates(state(api('a'), api('extra')), state(api('a')), { deletes: false });
    expect(cs.changes).toEqual([]);
  });

  it('ignores ARM defaults and server fields', () => {
    const live = api('a', { apiRevision: '1', isCurrent: true, isOnline: true, provisioningState: 'Succeeded', type: 'http' });
    expect(diffStates(state(live), state(api('a'))).changes).toEqual([]);
  });

  it('compares policy XML without whitespace-only differences', () => {
    const folder = '<policies>\n  <inbound>\n    <base />\n    <set-header name="x" exists-action="override"><value>a</value></set-header>\n  </inbound>\n</policies>\n';
    const live = '<policies>\r\n\t<inbound>\r\n\t\t<base/>\r\n\t\t<set-header name="x" exists-action="override">\r\n\t\t\t<value>a</value>\r\n\t\t</set-header>\r\n\t</inbound>\r\n</policies>';
    expect(normalizePolicyXml(folder)).toBe(normalizePolicyXml(live));
    expect(diffStates(state(api('a'), apiPolicy('a', live)), state(api('a'), apiPolicy('a', folder))).changes).toEqual([]);
    const changed = folder.replace('<value>a</value>', '<value>a  b</value>');
    const cs = diffStates(state(api('a'), apiPolicy('a', folder)), state(api('a'), apiPolicy('a', changed)));
    expect(cs.changes.map((c) => [c.op, c.key, c.fields.map((f) => f.path)])).toEqual([
      ['update', '/apis/a/policies/policy', ['policy']],
    ]);
  });

  it('treats a secret hidden by APIM as unknown, and a known secret change as a change', () => {
    const nv = (value?: string): Resource => ({
      kind: 'namedValue',
      key: '/namedValues/k',
      name: 'k',
      properties: { displayName: 'K', secret: true, ...(value !== undefined ? { value } : {}) },
    });
    expect(diffStates(state(nv()), state(nv('s3cret'))).changes).toEqual([]);
    expect(diffStates(state(nv('old')), state(nv('new'))).changes.map((c) => c.op)).toEqual(['update']);
  });

  it('never deletes built-in groups, the master subscription or the deployment marker', () => {
    const live = state(
      { kind: 'group', key: '/groups/administrators', name: 'administrators', properties: { builtIn: true, type: 'system' } },
      { kind: 'subscription', key: '/subscriptions/master', name: 'master', properties: { scope: '/' } },
      { kind: 'namedValue', key: '/namedValues/apimops-last-deployed', name: 'apimops-last-deployed', properties: { displayName: 'x', value: 'abc' } },
      { kind: 'namedValue', key: '/namedValues/5f28745bbebeeb13cc3f7301', name: '5f28745bbebeeb13cc3f7301', properties: { displayName: 'Logger-Credentials-5f28745bbebeeb13cc3f7301', secret: true } },
    );
    expect(diffStates(live, emptyState()).changes).toEqual([]);
  });

  it('leaves operations of an API with a specification to the import', () => {
    const withSpec: Resource = { ...api('a'), specification: { format: 'openapi+yaml', content: 'openapi: 3.0.1\n' } };
    const op: Resource = { kind: 'apiOperation', key: '/apis/a/operations/get', name: 'get', parent: '/apis/a', properties: { method: 'GET', urlTemplate: '/' } };
    expect(diffStates(state(withSpec, op), state(withSpec)).changes).toEqual([]);
    expect(diffStates(state(api('a'), op), state(api('a'))).changes.map((c) => [c.op, c.key])).toEqual([['delete', '/apis/a/operations/get']]);
  });

  it('compares specifications structurally', () => {
    const a = { ...api('a'), specification: { format: 'openapi+yaml' as const, content: 'openapi: 3.0.1\ninfo: {title: T, version: "1"}\n' } };
    const b = { ...api('a'), specification: { format: 'openapi+yaml' as const, content: 'info:\n  version: "1"\n  title: T\nopenapi: 3.0.1\n' } };
    expect(diffStates(state(a), state(b)).changes).toEqual([]);
    const c = { ...api('a'), specification: { format: 'openapi+yaml' as const, content: 'openapi: 3.0.1\ninfo: {title: T2, version: "1"}\n' } };
    expect(diffStates(state(a), state(c)).changes[0]!.fields.map((f) => f.path)).toEqual(['specification']);
  });
});
