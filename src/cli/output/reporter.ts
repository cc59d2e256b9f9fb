/**
 * Progress reporters: an ink view on an interactive terminal, plain lines in CI/pipes, nothing with
 * `--output json` (stdout then carries exactly one JSON document). All of them render `ProgressModel`
 * snapshots, so any command that feeds a model gets all three.
 */
import type { CliIO } from '../io.js';
import { statusLine, tableLines, type ProgressModel, type ProgressSnapshot } from './progress.js';

export interface ProgressReporter {
  /** Something changed; the reporter decides when to draw. */
  update(): void;
  /** A line that must be seen (a failure), printed above the live view. */
  log(line: string): void;
  /** Final draw; stops timers and the live view. */
  stop(): Promise<void>;
}

/** Plain lines on stderr: a status line at most every `intervalMs`, log lines as they come. */
export function plainReporter(io: CliIO, model: ProgressModel, now: () => number, intervalMs = 2000): ProgressReporter {
  let last = -Infinity;
  return {
    update() {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      io.stderr(`${statusLine(model.snapshot(t))}\n`);
    },
    log(line) {
      io.stderr(`${line}\n`);
    },
    async stop() {
      const s = model.snapshot(now());
      io.stderr(`${statusLine(s)}\n${tableLines(s).join('\n')}\n`);
    },
  };
}

/** No progress at all (`--output json`, or `--quiet`-like uses). */
export function silentReporter(): ProgressReporter {
  return { update() {}, log() {}, async stop() {} };
}

/**
 * The ink view (per kind: done/total, errors; throughput, throttling, ETA), redrawn at most 10×/s.
 * ink is loaded lazily so non-interactive runs never pay for React.
 */
export async function inkReporter(model: ProgressModel, now: () => number, stream: NodeJS.WriteStream = process.stderr): Promise<ProgressReporter> {
  const [{ render, Box, Text, Static }, React] = await Promise.all([import('ink'), import('react')]);
  const h = React.createElement;
  const logs: string[] = [];
  const View = ({ s, lines }: { s: ProgressSnapshot; lines: string[] }) =>
    h(
      Box,
      { flexDirection: 'column' },
      h(Static, { items: lines, children: (line: string, i: number) => h(Text, { key: i, color: 'red' }, line) } as never),
      h(Text, { bold: true }, statusLine(s)),
      ...s.rows.map((r) =>
        h(
          Box,
          { key: r.label },
          h(Text, null, `  ${r.label.padEnd(20)} `),
          h(Text, { color: r.errors ? 'red' : r.total > 0 && r.done >= r.total ? 'green' : 'yellow' }, `${r.done}/${r.total}`),
          r.errors ? h(Text, { color: 'red' }, `  ${r.errors} failed`) : null,
        ),
      ),
    );
  const instance = render(h(View, { s: model.snapshot(now()), lines: [] }), { stdout: stream, patchConsole: false, exitOnCtrlC: true });
  let pending = false;
  const draw = () => {
    pending = false;
    instance.rerender(h(View, { s: model.snapshot(now()), lines: [...logs] }));
  };
  const timer = setInterval(() => pending && draw(), 100);
  return {
    update() {
      pending = true;
    },
    log(line) {
      logs.push(line);
      pending = true;
    },
    async stop() {
      clearInterval(timer);
      draw();
      instance.unmount();
    },
  };
}

/** Picks the reporter for a run: json → silent, interactive terminal → ink, else plain lines. */
export async function createReporter(io: CliIO, model: ProgressModel, output: 'text' | 'json', now: () => number = () => performance.now()): Promise<ProgressReporter> {
  if (output === 'json') return silentReporter();
  // a terminal that reports no width (some ptys, `script`) would make ink wrap every character
  if (io.interactive && (process.stderr.columns ?? 0) >= 40) {
    try {
      return await inkReporter(model, now);
    } catch {
      // a terminal ink cannot drive: fall back to lines
    }
  }
  return plainReporter(io, model, now);
}
