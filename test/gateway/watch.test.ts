/**
 * `--watch` with last-known-good, end to end through the folder reader: a broken change keeps the previous
 * configuration serving (and reports positions), a fixed change is picked up by the same server without
 * dropping the keep-alive connection.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEffectiveState } from '../../src/artifacts/effective.js';
import { createGateway, GatewayLoadError, type LocalGateway } from '../../src/gateway/index.js';
import { startServer, type RunningServer } from '../../src/gateway/server.js';
import { watchFolder, type FolderWatcher } from '../../src/gateway/watch.js';
import { startBackend } from './helpers.js';

let dir: string;
let backend: Awaited<ReturnType<typeof startBackend>>;
let gw: LocalGateway;
let server: RunningServer;
let watcher: FolderWatcher;
const events: string[] = [];
let reloaded: () => void = () => {};
let connections = 0;

const policy = (value: string) => `<policies><inbound><set-header name="X-Version" exists-action="override"><value>${value}</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>\n`;

beforeAll(async () => {
  backend = await startBackend();
  dir = mkdtempSync(join(tmpdir(), 'apimops-watch-'));
  mkdirSync(join(dir, 'apis', 'a', 'operations', 'get'), { recursive: true });
  writeFileSync(join(dir, 'policy.xml'), policy('one'));
  writeFileSync(join(dir, 'apis', 'a', 'api.yaml'), `displayName: A\npath: a\nprotocols:\n  - http\nserviceUrl: ${backend.url}\nsubscriptionRequired: false\n`);
  writeFileSync(join(dir, 'apis', 'a', 'operations', 'get', 'operation.yaml'), 'displayName: Get\nmethod: GET\nurlTemplate: /x\n');
  const load = () => loadEffectiveState({ cwd: dir, env: {}, folder: dir });
  gw = await createGateway({ state: (await load()).state });
  server = await startServer(gw, { port: 0 });
  server.server.on('connection', () => connections++);
  watcher = watchFolder(dir, async () => {
    try {
      gw.reload((await load()).state);
      events.push('reloaded');
    } catch (e) {
      events.push(e instanceof GatewayLoadError ? `failed ${e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`).join(',')}` : `failed ${(e as Error).message}`);
    }
    reloaded();
  }, 50);
});
afterAll(async () => {
  watcher.close();
  await server.close();
  await gw.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function change(file: string, text: string): Promise<void> {
  const done = new Promise<void>((r) => (reloaded = r));
  writeFileSync(join(dir, file), text);
  return done;
}

describe('serve --watch', () => {
  it('keeps serving the last good configuration through a broken change, then picks up the fix on the same connection', async () => {
    const agent = new Agent({ connections: 1, pipelining: 1 });
    const version = async () => {
      const res = await request(`${server.url}/a/x`, { dispatcher: agent });
      const body = (await res.body.json()) as { headers: Record<string, string> };
      return body.headers['x-version'];
    };
    expect(await version()).toBe('one');
    await change('policy.xml', '<policies><inbound><set-header name="X-Version">\n  <value>@(1 +)</value></set-header></inbound></policies>\n');
    expect(events.at(-1)).toMatch(/^failed policy\.xml:2:\d+$/);
    expect(await version()).toBe('one');
    await change('policy.xml', policy('two'));
    expect(events.at(-1)).toBe('reloaded');
    expect(await version()).toBe('two');
    expect(backend.requests.length).toBeGreaterThanOrEqual(3);
    expect(connections).toBe(1);
    await agent.close();
  });
});
