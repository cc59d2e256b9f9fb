/**
 * `apimops serve` relaunches itself in a child node with a larger young generation (src/cli/relaunch.ts,
 * SERVE_V8_FLAGS in commands/serve.ts). The built CLI as a user runs it: the serving process has the flag,
 * signals sent to the command reach the gateway (graceful stop, exit 0), and a command killed outright
 * leaves no gateway behind. Linux: processes are found through /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

/** Pids whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

async function startServe(env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; stderr: () => string; url: string }> {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'apimops.js'), 'serve', 'artifacts-sample', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, stderr: () => stderr, url };
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('apimops serve relaunch (built CLI)', () => {
  it('serves from a child node with --max-semi-space-size=32 and stops it gracefully on SIGTERM', async () => {
    const { child, stderr, url } = await startServe();
    const [gateway] = childrenOf(child.pid!);
    expect(gateway).toBeDefined();
    expect(cmdline(gateway!)).toContain('--max-semi-space-size=32');
    expect((await fetch(`${url}/status-0123456789abcdef`)).status).toBe(200);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(stderr()).toContain('apimops serve: SIGTERM: finishing in-flight requests');
    expect(stderr()).toContain('apimops serve: stopped');
    expect(existsSync(`/proc/${gateway}`)).toBe(false);
  });

  it('leaves no gateway behind when the command is killed outright', async () => {
    const { child } = await startServe();
    const [gateway] = childrenOf(child.pid!);
    expect(gateway).toBeDefined();
    const exit = exited(child);
    child.kill('SIGKILL');
    await exit;
    await expect.poll(() => existsSync(`/proc/${gateway}`), { timeout: 10_000, interval: 50 }).toBe(false);
  });

  it('serves in the one process with APIMOPS_SERVE_RELAUNCH=0', async () => {
    const { child, url } = await startServe({ APIMOPS_SERVE_RELAUNCH: '0' });
    expect(childrenOf(child.pid!)).toEqual([]);
    expect((await fetch(`${url}/status-0123456789abcdef`)).status).toBe(200);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});
