/**
 * Re-running this CLI invocation in a child `node` with V8 flags that only take effect when a process starts
 * (`v8.setFlagsFromString` cannot resize a heap that exists). `apimops serve` uses it for a larger young
 * generation; see `SERVE_V8_FLAGS` in commands/serve.ts for why and what it measured.
 *
 * The parent only waits: it passes SIGINT, SIGTERM and SIGHUP on and exits with the child's code. The child
 * runs in its own process group (a terminal's Ctrl-C reaches it once, through the parent, not twice) and has
 * an IPC channel to the parent: when the parent dies without passing a signal on (SIGKILL), the channel
 * closes and the child stops as on SIGTERM, so no gateway is left running without its parent.
 */
import { spawn } from 'node:child_process';

/** Set in the child's environment: it was relaunched and must not relaunch again. */
const RELAUNCHED = 'APIMOPS_RELAUNCHED';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Whether this process was started with the V8 flag `name` (on the command line or in NODE_OPTIONS). */
export function startedWithV8Flag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const given = (a: string) => a === name || a.startsWith(`${name}=`) || a === name.replace(/-/g, '_') || a.startsWith(`${name.replace(/-/g, '_')}=`);
  return process.execArgv.some(given) || (env.NODE_OPTIONS ?? '').split(/\s+/).some(given);
}

/** Whether this process is a relaunched child (it must not relaunch again). */
export function isRelaunched(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[RELAUNCHED] === '1';
}

/** Runs this process's command line again in a child with `v8Flags` first; resolves with the child's exit code. */
export function relaunchWithV8Flags(v8Flags: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...v8Flags, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [RELAUNCHED]: '1' },
      // Own process group on POSIX (see above); on Windows `detached` would open a new console instead.
      detached: process.platform !== 'win32',
    });
    const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
    const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    child.once('error', (e) => {
      process.stderr.write(`apimops: could not start ${process.execPath}: ${e.message}\n`);
      resolve(2);
    });
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal ? 2 : 0));
    });
  });
}

/** In a relaunched child: stop as on SIGTERM when the parent goes away. A no-op in any other process. */
export function stopWhenParentExits(): void {
  if (process.env[RELAUNCHED] !== '1' || !process.send) return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep the child alive on its own once the server has stopped.
  process.channel?.unref();
}
