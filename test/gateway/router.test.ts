import { describe, expect, it } from 'vitest';
import { compileTemplate, matchTemplate, Router, type RoutableApi, type RoutableOperation } from '../../src/gateway/router.js';

const seg = (p: string) => p.split('/').filter(Boolean);

describe('URL templates (§4.2)', () => {
  it('captures {param} and {*rest}, and query parameters named in the template', () => {
    expect(matchTemplate(compileTemplate('/users/{id}'), seg('/users/42'), new URLSearchParams())).toEqual(new Map([['id', '42']]));
    expect(matchTemplate(compileTemplate('/files/{*path}'), seg('/files/a/b/c.txt'), new URLSearchParams())).toEqual(new Map([['path', 'a/b/c.txt']]));
    const t = compileTemplate('/user/{uid}/credentials?include={include}');
    expect(matchTemplate(t, seg('/user/1/credentials'), new URLSearchParams('include=password&hash=true'))).toEqual(new Map([['uid', '1'], ['include', 'password']]));
    expect(matchTemplate(t, seg('/user/1/credentials'), new URLSearchParams('hash=true'))).toBeUndefined();
  });
  it('matches literals case-insensitively and decodes parameters', () => {
    expect(matchTemplate(compileTemplate('/Users/{name}'), seg('/users/J%C3%BCrgen'), new URLSearchParams())).toEqual(new Map([['name', 'Jürgen']]));
    expect(matchTemplate(compileTemplate('/users/{id}'), seg('/users'), new URLSearchParams())).toBeUndefined();
    expect(matchTemplate(compileTemplate('/users/{id}'), seg('/users/1/2'), new URLSearchParams())).toBeUndefined();
  });
});

const api = (key: string, path: string, extra: Partial<RoutableApi> = {}): RoutableApi => ({ key, path, protocols: ['http', 'https'], revision: '1', isCurrent: true, ...extra });

describe('Router (§4.1)', () => {
  const ops: Record<string, RoutableOperation[]> = {
    a: [
      { key: 'a-param', method: 'GET', urlTemplate: '/items/{id}' },
      { key: 'a-literal', method: 'GET', urlTemplate: '/items/special' },
      { key: 'a-post', method: 'POST', urlTemplate: '/items' },
    ],
    b: [{ key: 'b-all', method: 'GET', urlTemplate: '/{*rest}' }],
    v2: [{ key: 'v2-op', method: 'GET', urlTemplate: '/x' }],
    v1: [{ key: 'v1-op', method: 'GET', urlTemplate: '/x' }],
    rev2: [{ key: 'rev2-op', method: 'GET', urlTemplate: '/items/{id}' }],
    https: [{ key: 'h', method: 'GET', urlTemplate: '/x' }],
  };
  const apis = [
    api('a', 'shop'),
    api('b', 'shop/admin'),
    api('rev2', 'shop', { revision: '2', isCurrent: false }),
    api('v1', 'ver', { version: { scheme: 'Segment', name: undefined, id: 'v1', setKey: 'vs' } }),
    api('v2', 'ver', { version: { scheme: 'Header', name: 'Api-Version', id: 'v2', setKey: 'vs' } }),
    api('https', 'secure', { protocols: ['https'] }),
  ];
  const router = new Router(apis, (x) => ops[x.key]!);
  const route = (url: string, method = 'GET', headers: Record<string, string> = {}) => {
    const u = new URL(url);
    const m = router.matchApi(u, { get: (n) => headers[n.toLowerCase()] });
    if (!m) return undefined;
    return { api: m.api.key, op: router.matchOperation(m.api, method, m.rest, u.searchParams)?.op.key };
  };

  it('takes the longest API path prefix on a segment boundary', () => {
    expect(route('http://h/shop/admin/anything/here')).toEqual({ api: 'b', op: 'b-all' });
    expect(route('http://h/shop/items/1')).toEqual({ api: 'a', op: 'a-param' });
    expect(route('http://h/shopping/items/1')).toBeUndefined();
  });
  it('prefers literal segments over parameters and needs the exact method', () => {
    expect(route('http://h/shop/items/special')).toEqual({ api: 'a', op: 'a-literal' });
    expect(route('http://h/shop/items', 'POST')).toEqual({ api: 'a', op: 'a-post' });
    expect(route('http://h/shop/items', 'DELETE')).toEqual({ api: 'a', op: undefined });
  });
  it('routes ;rev=n to a non-current revision', () => {
    expect(route('http://h/shop;rev=2/items/1')).toEqual({ api: 'rev2', op: 'rev2-op' });
    expect(route('http://h/shop;rev=7/items/1')).toBeUndefined();
  });
  it('routes versions by path segment and by header', () => {
    expect(route('http://h/ver/v1/x')).toEqual({ api: 'v1', op: 'v1-op' });
    expect(route('http://h/ver/x', 'GET', { 'api-version': 'v2' })).toEqual({ api: 'v2', op: 'v2-op' });
    expect(route('http://h/ver/x')).toBeUndefined();
  });
  it('honours the API protocols', () => {
    expect(route('http://h/secure/x')).toBeUndefined();
    expect(route('https://h/secure/x')).toEqual({ api: 'https', op: 'h' });
  });
});
