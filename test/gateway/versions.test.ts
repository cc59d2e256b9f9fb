/** Version sets and revisions as the loader reads them from resources (§4.1), through `dispatch`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putResource } from '../../src/artifacts/model.js';
import { createGateway, type LocalGateway } from '../../src/gateway/index.js';
import { buildState, startBackend } from './helpers.js';

let backend: Awaited<ReturnType<typeof startBackend>>;
let gw: LocalGateway;
const tag = (v: string) => `<policies><inbound><base /><set-header name="X-Api" exists-action="override"><value>${v}</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound></policies>`;

beforeAll(async () => {
  backend = await startBackend((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ api: req.headers['x-api'], url: req.url }));
  });
  const ops = [{ name: 'get', method: 'GET', urlTemplate: '/things' }];
  const state = buildState({
    global: '<policies><inbound /><backend><forward-request follow-redirects="true" /></backend><outbound /><on-error /></policies>',
    apis: [
      { name: 'seg-v1', path: 'seg', serviceUrl: backend.url, operations: ops, policy: tag('seg-v1'), props: { apiVersion: 'v1', apiVersionSetId: '/apiVersionSets/seg' } },
      { name: 'seg-v2', path: 'seg', serviceUrl: backend.url, operations: ops, policy: tag('seg-v2'), props: { apiVersion: 'v2', apiVersionSetId: '/apiVersionSets/seg' } },
      { name: 'hdr-v1', path: 'hdr', serviceUrl: backend.url, operations: ops, policy: tag('hdr-v1'), props: { apiVersion: 'v1', apiVersionSetId: '/apiVersionSets/hdr' } },
      { name: 'qry-v1', path: 'qry', serviceUrl: backend.url, operations: ops, policy: tag('qry-v1'), props: { apiVersion: '2024-01-01', apiVersionSetId: '/apiVersionSets/qry' } },
      { name: 'rev', path: 'rev', serviceUrl: backend.url, operations: ops, policy: tag('rev-1'), props: { apiRevision: '1', isCurrent: true } },
      { name: 'rev;rev=2', path: 'rev', serviceUrl: backend.url, operations: ops, policy: tag('rev-2'), props: { apiRevision: '2', isCurrent: false } },
    ],
  });
  putResource(state, { kind: 'versionSet', key: '/apiVersionSets/seg', name: 'seg', properties: { versioningScheme: 'Segment', displayName: 'seg' } });
  putResource(state, { kind: 'versionSet', key: '/apiVersionSets/hdr', name: 'hdr', properties: { versioningScheme: 'Header', versionHeaderName: 'Api-Version', displayName: 'hdr' } });
  putResource(state, { kind: 'versionSet', key: '/apiVersionSets/qry', name: 'qry', properties: { versioningScheme: 'Query', versionQueryName: 'api-version', displayName: 'qry' } });
  gw = await createGateway({ state });
});
afterAll(async () => {
  await gw.close();
  await backend.close();
});

const api = async (path: string, headers: Record<string, string> = {}) => {
  const res = await gw.dispatch(new Request(`http://gw.local${path}`, { headers }));
  return res.status === 200 ? ((await res.json()) as { api: string }).api : res.status;
};

describe('version sets and revisions', () => {
  it('routes by path segment, header and query version', async () => {
    expect(await api('/seg/v1/things')).toBe('seg-v1');
    expect(await api('/seg/v2/things')).toBe('seg-v2');
    expect(await api('/seg/v3/things')).toBe(404);
    expect(await api('/hdr/things', { 'Api-Version': 'v1' })).toBe('hdr-v1');
    expect(await api('/hdr/things')).toBe(404);
    expect(await api('/qry/things?api-version=2024-01-01')).toBe('qry-v1');
  });
  it('routes ;rev=2 to the non-current revision and the bare path to the current one', async () => {
    expect(await api('/rev/things')).toBe('rev-1');
    expect(await api('/rev;rev=2/things')).toBe('rev-2');
  });
});
