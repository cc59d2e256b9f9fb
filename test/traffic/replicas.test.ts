/**
 * THE REPLICA TEST (issue 6): three `apimops serve` processes on one folder. With the memory store each
 * replica counts alone — APIM's self-hosted gateway without an external cache, the design notes' incident
 * (three replicas admit three times the limit). With `--store redis://…` they share one counter.
 *
 * Runs the built CLI (`npm run build` first; `npm test` does) against a real redis-server on a free
 * loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../gateway/helpers.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(repo, 'bin', 'apimops.js');
const built = existsSync(join(repo, 'dist', 'cli', 'main.js'));

/**
 * An artifact folder with three APIs sharing one backend: `rl` (rate-limit-by-key 100/60 s), `q`
 * (quota-by-key 100/hour) and `cache` (cache-lookup/cache-store). One set of replicas serves all three.
 */
function folder(serviceUrl: string): string {
  const root = mkdtempSync(join(tmpdir(), 'apimops-replicas-'));
  const w = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const apiPolicy = (inbound: string, outbound = ''): string =>
    `<policies>\n  <inbound><base />${inbound}</inbound>\n  <backend><base /></backend>\n  <outbound><base />${outbound}</outbound>\n  <on-error><base /></on-error>\n</policies>\n`;
  w('policy.xml', '<policies>\n  <inbound />\n  <backend><forward-request /></backend>\n  <outbound />\n  <on-error />\n</policies>\n');
  const apis: Record<string, string> = {
    rl: apiPolicy('<rate-limit-by-key calls="100" renewal-period="60" counter-key="replica-test" />'),
    q: apiPolicy('<quota-by-key calls="100" renewal-period="3600" counter-key="replica-quota" />'),
    cache: apiPolicy('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external" />', '<cache-store duration="60" />'),
  };
  for (const [name, policy] of Object.entries(apis)) {
    w(`apis/${name}/api.yaml`, `apiRevision: "1"\ndisplayName: ${name}\nisCurrent: true\npath: ${name}\nprotocols:\n  - http\n  - https\nserviceUrl: ${serviceUrl}\nsubscriptionRequired: false\ntype: http\n`);
    w(`apis/${name}/operations/get/operation.yaml`, 'displayName: Get\nmethod: GET\nurlTemplate: /{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n');
    w(`apis/${name}/policy.xml`, policy);
  }
  return root;
}

interface Replica {
  url: string;
  child: ChildProcess;
  stderr: string[];
}

async function startReplica(dir: string, store: string | undefined): Promise<Replica> {
  const args = [cli, 'serve', dir, '--port', '0', ...(store ? ['--store', store] : [])];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const stderr: string[] = [];
  // Every child is tracked from the start, so one that never gets ready is still stopped.
  started.push(child);
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not start within 90 s:\n${stderr.join('')}`)), 90_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr.join(''));
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited with ${code}:\n${stderr.join('')}`));
    });
  });
  return { url, child, stderr };
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function stopReplicas(replicas: Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((res) => {
          if (r.child.exitCode !== null) return res();
          r.child.once('exit', () => res());
          r.child.kill('SIGTERM');
        }),
    ),
  );
}

/** Sends `total` GETs spread round-robin over the replicas, 24 at a time; returns the status counts. */
async function spread(replicas: Replica[], total: number, path: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const r = replicas[i % replicas.length]!;
      const res = await fetch(`${r.url}${path}`);
      await res.arrayBuffer();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
  return counts;
}

const haveRedis = redisServerAvailable();

// Process start-up is slow on a loaded 2-core machine: generous timeouts, no timing assertions.
describe.skipIf(!built)('three serve replicas on one folder', { timeout: 240_000 }, () => {
  let redis: RedisServer | undefined;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let backendCalls = 0;
  const dirs: string[] = [];
  beforeAll(async () => {
    if (haveRedis) redis = await startRedis();
    backend = await startBackend((_req, res) => {
      backendCalls++;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`backend answer ${backendCalls}`);
    });
  });
  afterAll(async () => {
    await backend?.close();
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Three replicas of one fresh folder for each store, started once and shared by the cases below. */
  const sets = new Map<string, Replica[]>();
  async function replicas(store: string | undefined): Promise<Replica[]> {
    const id = store ?? 'memory';
    let set = sets.get(id);
    if (!set) {
      const dir = folder(backend.url);
      dirs.push(dir);
      set = await Promise.all([0, 1, 2].map(() => startReplica(dir, store)));
      sets.set(id, set);
    }
    return set;
  }
  afterAll(async () => {
    for (const set of sets.values()) await stopReplicas(set);
  });

  it('rate-limit-by-key, memory store: each replica counts alone, so up to 300 of 600 are admitted', async () => {
    const counts = await spread(await replicas(undefined), 600, '/rl/a');
    expect(counts.get(200)).toBe(300);
    expect(counts.get(429)).toBe(300);
  });

  it.skipIf(!haveRedis)('rate-limit-by-key, --store redis: one shared counter, at most 100 (±2%) admitted', async () => {
    const counts = await spread(await replicas(redis!.url), 600, '/rl/a');
    const admitted = counts.get(200) ?? 0;
    expect(admitted).toBeGreaterThanOrEqual(98);
    expect(admitted).toBeLessThanOrEqual(102);
    expect(admitted + (counts.get(429) ?? 0)).toBe(600);
  });

  it('quota-by-key, memory store: up to 300 admitted', async () => {
    const counts = await spread(await replicas(undefined), 600, '/q/a');
    expect(counts.get(200)).toBe(300);
    expect(counts.get(403)).toBe(300);
  });

  it.skipIf(!haveRedis)('quota-by-key, --store redis: at most 100 (±2%) admitted', async () => {
    const counts = await spread(await replicas(redis!.url), 600, '/q/a');
    const admitted = counts.get(200) ?? 0;
    expect(admitted).toBeGreaterThanOrEqual(98);
    expect(admitted).toBeLessThanOrEqual(102);
    expect(counts.get(403)).toBe(600 - admitted);
  });

  async function cacheAcross(store: string | undefined): Promise<{ first: string; second: string; calls: number }> {
    const [a, b] = await replicas(store);
    const before = backendCalls;
    const first = await (await fetch(`${a!.url}/cache/entry`)).text();
    const second = await (await fetch(`${b!.url}/cache/entry`)).text();
    return { first, second, calls: backendCalls - before };
  }

  it('cache, memory store: an entry stored through one replica is not seen by another', async () => {
    const r = await cacheAcross(undefined);
    expect(r.calls).toBe(2);
    expect(r.second).not.toBe(r.first);
  });

  it.skipIf(!haveRedis)('cache, --store redis: an entry stored through one replica is served by another', async () => {
    const r = await cacheAcross(redis!.url);
    expect(r.calls).toBe(1);
    expect(r.second).toBe(r.first);
  });
});
