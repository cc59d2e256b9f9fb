/**
 * Test helpers: build an `ApimState` in memory, load it into a gateway with real services (memory store,
 * undici client), and start real backends on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emptyState, putResource, type ApimState } from '../../src/artifacts/model.js';
import type { ResourceKind } from '../../src/artifacts/kinds.js';
import { createGateway, type CreateGatewayOptions } from '../../src/gateway/index.js';
import type { LocalGateway } from '../../src/gateway/index.js';

export interface StateSpec {
  global?: string;
  apis?: { name: string; path: string; serviceUrl?: string; policy?: string; spec?: string; subscriptionRequired?: boolean; operations?: { name: string; method: string; urlTemplate: string; policy?: string }[]; props?: Record<string, unknown> }[];
  products?: { name: string; apis: string[]; subscriptionRequired?: boolean; policy?: string }[];
  subscriptions?: { name: string; scope: string; primaryKey: string; secondaryKey?: string; state?: string }[];
  namedValues?: Record<string, string>;
  fragments?: Record<string, string>;
  backends?: Record<string, Record<string, unknown>>;
}

function put(state: ApimState, kind: ResourceKind, key: string, name: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  putResource(state, { kind, key, name, properties, ...extra } as never);
}

/** Builds a state from a compact description. */
export function buildState(spec: StateSpec): ApimState {
  const s = emptyState();
  if (spec.global !== undefined) put(s, 'servicePolicy', '/policies/policy', 'policy', {}, { policy: { text: spec.global, origin: { file: 'policy.xml' } } });
  for (const [name, value] of Object.entries(spec.namedValues ?? {})) put(s, 'namedValue', `/namedValues/${name}`, name, { displayName: name, value });
  for (const [name, text] of Object.entries(spec.fragments ?? {})) {
    put(s, 'policyFragment', `/policyFragments/${name}`, name, {}, { policy: { text, origin: { file: `policyFragments/${name}/policy.xml` } } });
  }
  for (const [name, props] of Object.entries(spec.backends ?? {})) put(s, 'backend', `/backends/${name}`, name, props);
  for (const a of spec.apis ?? []) {
    const key = `/apis/${a.name}`;
    put(s, 'api', key, a.name, { path: a.path, serviceUrl: a.serviceUrl, protocols: ['http', 'https'], subscriptionRequired: a.subscriptionRequired ?? false, displayName: a.name, ...a.props }, a.spec ? { specification: { format: a.spec.trimStart().startsWith('{') ? 'openapi+json' : 'openapi+yaml', content: a.spec } } : {});
    if (a.policy) put(s, 'apiPolicy', `${key}/policies/policy`, 'policy', {}, { parent: key, policy: { text: a.policy, origin: { file: `apis/${a.name}/policy.xml` } } });
    for (const o of a.operations ?? []) {
      const okey = `${key}/operations/${o.name}`;
      put(s, 'apiOperation', okey, o.name, { method: o.method, urlTemplate: o.urlTemplate, displayName: o.name }, { parent: key });
      if (o.policy) put(s, 'apiOperationPolicy', `${okey}/policies/policy`, 'policy', {}, { parent: okey, policy: { text: o.policy, origin: { file: `apis/${a.name}/operations/${o.name}/policy.xml` } } });
    }
  }
  for (const p of spec.products ?? []) {
    const key = `/products/${p.name}`;
    put(s, 'product', key, p.name, { apis: p.apis, subscriptionRequired: p.subscriptionRequired ?? true, displayName: p.name, state: 'published' });
    if (p.policy) put(s, 'productPolicy', `${key}/policies/policy`, 'policy', {}, { parent: key, policy: { text: p.policy, origin: { file: `products/${p.name}/policy.xml` } } });
  }
  for (const sub of spec.subscriptions ?? []) {
    put(s, 'subscription', `/subscriptions/${sub.name}`, sub.name, { scope: sub.scope, primaryKey: sub.primaryKey, secondaryKey: sub.secondaryKey, state: sub.state ?? 'active', displayName: sub.name });
  }
  return s;
}

/** A gateway over a state with deterministic services; close it with `gateway.close()`. */
export async function gatewayFor(spec: StateSpec, options: Partial<CreateGatewayOptions> = {}): Promise<LocalGateway> {
  let n = 0;
  const g = await createGateway({
    state: buildState(spec),
    uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...options,
  });
  return g;
}

/** A real backend on 127.0.0.1 that echoes what it got as JSON (or runs `handler`). */
export async function startBackend(handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; server: Server; close(): Promise<void>; requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[] }> {
  const requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler) return handler(req, res, body);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Powered-By', 'test-backend');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export const SIMPLE_GLOBAL = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>';
