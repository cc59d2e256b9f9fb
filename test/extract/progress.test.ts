// Progress output: the model's counters and ETA, the plain reporter's lines, and the ink view rendered into
// a terminal-like stream.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressModel, statusLine, tableLines } from '../../src/cli/output/progress.js';
import { inkReporter, plainReporter } from '../../src/cli/output/reporter.js';
import type { CliIO } from '../../src/cli/io.js';

function model(t0 = 0): ProgressModel {
  const m = new ProgressModel('extract', t0);
  m.phase = 'reading';
  m.setTotal('api', 4);
  m.setTotal('namedValue', 2);
  m.done('api');
  m.done('namedValue');
  m.done('namedValue');
  m.error('api');
  for (let i = 0; i < 30; i++) m.response(i % 10 === 0, 4);
  return m;
}

describe('progress', () => {
  it('counts per kind, throughput, throttling and an ETA from the done/total ratio', () => {
    const s = model().snapshot(3000);
    expect(s.rows).toEqual([
      { label: 'api', total: 4, done: 1, errors: 1 },
      { label: 'namedValue', total: 2, done: 2, errors: 0 },
    ]);
    expect(s.callsPerSecond).toBe(10);
    expect(s.etaSeconds).toBe(2); // 4 of 6 settled in 3 s → 2 left ≈ 1.5 s, rounded
    expect(statusLine(s)).toBe('extract reading: 3/6 · 30 calls (10/s) · 1 failed · 3 throttled, parallelism 4 · ETA 2s');
    expect(tableLines(s)).toEqual(['  api             1/4      1 failed', '  namedValue      2/2    ']);
  });

  it('plain lines: at most one status line per interval, failures always, a table at the end', async () => {
    let err = '';
    const io = { stderr: (t: string) => void (err += t) } as CliIO;
    let now = 0;
    const m = model();
    const r = plainReporter(io, m, () => now, 2000);
    r.update();
    now = 500;
    r.update();
    r.log('failed: /apis/x: boom');
    now = 2600;
    r.update();
    await r.stop();
    const lines = err.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('extract reading'))).toHaveLength(3); // t=0, t=2600, stop
    expect(lines).toContain('failed: /apis/x: boom');
    expect(lines.at(-1)).toBe('  namedValue      2/2'); // (trimmed)
  });

  it('the ink view draws the status line and one row per kind into a terminal stream', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, rows: 30 }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
    const m = model();
    const r = await inkReporter(m, () => 3000, stream);
    r.log('failed: /apis/x: boom');
    r.update();
    await r.stop();
    const text = out.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toContain('extract reading: 3/6');
    expect(text).toMatch(/api\s+1\/4\s+1 failed/);
    expect(text).toContain('failed: /apis/x: boom');
  });
});
