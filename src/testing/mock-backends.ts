/**
 * Mock backends for one test case: one real HTTP server on 127.0.0.1 per mock, and a `BackendClient`
 * wrapper that sends every gateway call whose URL starts with a mocked prefix (a backend entity's URL, or a
 * URL written in the case) to that server over real HTTP, path and query unchanged. A call nothing mocks
 * never leaves the machine: it fails as a connection failure and is reported as unmocked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendError } from '../gateway/backend-client.js';
import type { BackendClient, OutboundRequest, OutboundResponse } from '../gateway/state.js';
import type { BackendMock, MockResponse, RecordedCall } from './types.js';

/** A started mock: its server and the URL prefix it stands in for. */
interface RunningMock {
  mock: BackendMock;
  prefix: URL;
  server: Server;
  origin: string;
  served: number;
}

/** The mocks of one case, started. */
export interface MockSet {
  /** Every call a mock received, in arrival order, and every unmocked call (`response: -1`). */
  readonly calls: RecordedCall[];
  /** Wraps the real client: mocked URLs go to the mock servers, anything else fails without a connection. */
  client(inner: BackendClient): BackendClient;
  /** The mock URL for `url` when a mock covers it (for JSON documents fetched outside the client, e.g. OIDC). */
  route(url: string): string | undefined;
  close(): Promise<void>;
}

/**
 * Starts the servers. `resolve` gives the URL a mock key stands for: the backend entity's URL for a name,
 * the key itself for a URL; undefined when the name is unknown (then the mock is an error of the case).
 */
export async function startMocks(mocks: readonly BackendMock[], resolve: (key: string) => string | undefined): Promise<MockSet> {
  const calls: RecordedCall[] = [];
  const running: RunningMock[] = [];
  try {
    for (const mock of mocks) {
      const target = resolve(mock.key);
      if (target === undefined) throw new Error(`backend mock '${mock.key}': no backend entity of that name in the folder (mock a backend by name or an absolute URL)`);
      const entry: RunningMock = { mock, prefix: new URL(target), server: undefined as unknown as Server, origin: '', served: 0 };
      entry.server = createServer((req, res) => void answer(entry, req, res, calls));
      entry.server.keepAliveTimeout = 1000;
      await new Promise<void>((ok, fail) => {
        entry.server.once('error', fail);
        entry.server.listen(0, '127.0.0.1', () => ok());
      });
      entry.origin = `http://127.0.0.1:${(entry.server.address() as AddressInfo).port}`;
      running.push(entry);
    }
  } catch (e) {
    await Promise.all(running.map((r) => closeServer(r.server)));
    throw e;
  }
  // Longest prefix first, so `https://x/api/v2` wins over `https://x/api`.
  running.sort((a, b) => b.prefix.href.length - a.prefix.href.length);
  const find = (url: URL): RunningMock | undefined => running.find((r) => covers(r.prefix, url));
  return {
    calls,
    client(inner: BackendClient): BackendClient {
      return {
        async send(req: OutboundRequest, signal?: AbortSignal): Promise<OutboundResponse> {
          const m = find(req.url);
          if (!m) {
            const body = req.body.isStream ? (await req.body.read()).toString('utf8') : req.body.text();
            calls.push({ backend: req.url.origin, method: req.method, path: req.url.pathname, query: [...req.url.searchParams], headers: headerRecord(req.headers.entries()), body, response: -1 });
            throw new BackendError('BackendConnectionFailure', `no mock backend for ${req.url.href} (test cases never call real services)`);
          }
          return inner.send({ ...req, url: new URL(req.url.pathname + req.url.search, m.origin), followRedirects: req.followRedirects }, signal);
        },
        close: () => inner.close(),
      };
    },
    route(url: string): string | undefined {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return undefined;
      }
      const m = find(u);
      return m ? new URL(u.pathname + u.search, m.origin).href : undefined;
    },
    async close() {
      await Promise.all(running.map((r) => closeServer(r.server)));
    },
  };
}

/** True when `url` is at or below `prefix` (same origin, path prefix on a segment boundary). */
export function covers(prefix: URL, url: URL): boolean {
  if (prefix.origin.toLowerCase() !== url.origin.toLowerCase()) return false;
  const p = prefix.pathname.replace(/\/+$/, '');
  return p === '' || url.pathname === p || url.pathname.startsWith(`${p}/`);
}

async function answer(m: RunningMock, req: IncomingMessage, res: ServerResponse, calls: RecordedCall[]): Promise<void> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of req) chunks.push(c as Buffer);
  } catch {
    return;
  }
  const index = m.served++;
  const r: MockResponse = m.mock.responses[Math.min(index, m.mock.responses.length - 1)]!;
  const url = new URL(req.url ?? '/', 'http://mock');
  calls.push({
    backend: m.mock.key,
    method: req.method ?? '',
    path: url.pathname,
    query: [...url.searchParams],
    headers: headerRecord(pairs(req.rawHeaders)),
    body: Buffer.concat(chunks).toString('utf8'),
    response: index,
  });
  if (r.delayMs > 0) await new Promise((ok) => setTimeout(ok, r.delayMs));
  if (r.fail === 'connection') {
    // A real connection failure: the socket closes with no response at all.
    req.socket.destroy();
    return;
  }
  if (res.destroyed) return;
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string> = { ...r.headers };
  if (r.body !== undefined && typeof r.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  res.writeHead(r.status, headers);
  res.end(body);
}

function pairs(raw: readonly string[]): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, [raw[i + 1]!]]);
  return out;
}

/** Header name (lower case) → values joined with `, `. */
function headerRecord(entries: Iterable<[string, string[]]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of entries) {
    const key = k.toLowerCase();
    out[key] = out[key] === undefined ? vs.join(', ') : `${out[key]}, ${vs.join(', ')}`;
  }
  return out;
}

function closeServer(s: Server): Promise<void> {
  return new Promise((ok) => {
    s.closeAllConnections();
    s.close(() => ok());
  });
}
