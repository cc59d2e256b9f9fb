// Shared by the HTTP benchmarks (gateway, gateway-traffic): flags, child processes that log to files, wrk.
// Not a benchmark itself (bench/run.mjs skips files starting with `_`).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `--name <number>` from argv, else `dflt`. */
export const numberArg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

/**
 * Child processes of one benchmark run, stopped when this process exits. Their output goes to log files,
 * not pipes: this process blocks in spawnSync(wrk) while measuring, so a pipe would fill with access-log
 * lines and stall the target.
 */
export function processGroup(prefix, { startTimeoutMs = 60_000 } = {}) {
  const children = [];
  const logDir = mkdtempSync(join(tmpdir(), `${prefix}-logs-`));
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('exit', stopAll);
  process.on('SIGINT', () => process.exit(130));
  /** Starts a target and resolves with `{ child, url }` once `pattern` (group 1 = its URL) is in its output. */
  function start(cmd, args, pattern, opts = {}) {
    const log = join(logDir, `${children.length}.log`);
    const fd = openSync(log, 'w');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], ...opts });
    closeSync(fd);
    children.push(child);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const out = readFileSync(log, 'utf8');
        const m = pattern.exec(out);
        if (m) {
          clearInterval(poll);
          resolve({ child, url: m[1] });
        } else if (child.exitCode !== null || Date.now() - started > startTimeoutMs) {
          clearInterval(poll);
          reject(new Error(`${cmd} ${args.join(' ')} did not start:\n${out}`));
        }
      }, 50);
    });
  }
  return { start, children, logDir, stopAll };
}

/** CPU time (user + system) of a process so far, µs, from /proc (Linux). */
export function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

const toMs = (v, u) => (u === 'us' ? v / 1000 : u === 's' ? v * 1000 : v);

/**
 * One wrk run (one thread): req/s, p50/p99 in ms, non-2xx count, and — when `pid` is given — the CPU the
 * target spent per request, which is robust against a busy machine, unlike req/s.
 */
export function wrk(url, { seconds, connections, headers = [], pid } = {}) {
  const cpu0 = pid ? cpuMicros(pid) : NaN;
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  const r = spawnSync('wrk', [...args, url], { encoding: 'utf8' });
  const cpu1 = pid ? cpuMicros(pid) : NaN;
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? toMs(Number(m[1]), m[2]) : NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    p50: pct(50),
    p99: pct(99),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0),
    cpuUs: requests > 0 ? (cpu1 - cpu0) / requests : NaN,
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
