/**
 * A progress model any long-running command can feed (extract now, publish later): rows per resource kind
 * with counters (listed / fetched / written / errors), plus request throughput and an ETA. Pure: events in,
 * a snapshot out; the reporters (plain lines, ink) only render snapshots.
 */

/** One row: a resource kind (or any label) and its counters. */
export interface ProgressRow {
  label: string;
  /** Known total (listed). */
  total: number;
  /** Done so far (fetched). */
  done: number;
  errors: number;
}

export interface ProgressSnapshot {
  title: string;
  rows: ProgressRow[];
  calls: number;
  throttled: number;
  /** Current allowed parallelism (drops on throttling). */
  limit?: number;
  elapsedMs: number;
  callsPerSecond: number;
  /** Seconds left, from the done/total ratio and the elapsed time; undefined until it means something. */
  etaSeconds?: number;
  phase: string;
}

/** Accumulates counters; `snapshot(now)` gives what to render. */
export class ProgressModel {
  private rows = new Map<string, ProgressRow>();
  calls = 0;
  throttled = 0;
  limit?: number;
  phase = 'starting';

  constructor(
    readonly title: string,
    private readonly startedAt: number,
  ) {}

  private row(label: string): ProgressRow {
    let r = this.rows.get(label);
    if (!r) this.rows.set(label, (r = { label, total: 0, done: 0, errors: 0 }));
    return r;
  }

  /** Sets the known total of a row (totals only grow: dependency closure adds resources). */
  setTotal(label: string, total: number): void {
    const r = this.row(label);
    r.total = Math.max(r.total, total);
  }
  done(label: string): void {
    const r = this.row(label);
    r.done++;
    r.total = Math.max(r.total, r.done);
  }
  error(label: string): void {
    this.row(label).errors++;
  }
  response(throttled: boolean, limit?: number): void {
    this.calls++;
    if (throttled) this.throttled++;
    if (limit !== undefined) this.limit = limit;
  }

  snapshot(now: number): ProgressSnapshot {
    const elapsedMs = Math.max(0, now - this.startedAt);
    const rows = [...this.rows.values()].sort((a, b) => a.label.localeCompare(b.label));
    const total = rows.reduce((n, r) => n + r.total, 0);
    const done = rows.reduce((n, r) => n + r.done + r.errors, 0);
    const etaSeconds = done > 0 && total > done && elapsedMs > 500 ? Math.round(((total - done) * elapsedMs) / done / 1000) : undefined;
    return {
      title: this.title,
      rows: rows.map((r) => ({ ...r })),
      calls: this.calls,
      throttled: this.throttled,
      limit: this.limit,
      elapsedMs,
      callsPerSecond: elapsedMs > 0 ? Math.round((this.calls * 1000) / elapsedMs) : 0,
      etaSeconds,
      phase: this.phase,
    };
  }
}

/** One status line: `extract 120/340 · 45 calls/s · 3 throttled · ETA 6s`. */
export function statusLine(s: ProgressSnapshot): string {
  const total = s.rows.reduce((n, r) => n + r.total, 0);
  const done = s.rows.reduce((n, r) => n + r.done, 0);
  const errors = s.rows.reduce((n, r) => n + r.errors, 0);
  const parts = [`${s.title} ${s.phase}: ${done}/${total}`, `${s.calls} calls (${s.callsPerSecond}/s)`];
  if (errors) parts.push(`${errors} failed`);
  if (s.throttled) parts.push(`${s.throttled} throttled${s.limit !== undefined ? `, parallelism ${s.limit}` : ''}`);
  if (s.etaSeconds !== undefined) parts.push(`ETA ${s.etaSeconds}s`);
  return parts.join(' · ');
}

/** The per-row table as aligned text lines (plain reporter's final table, ink's fallback). */
export function tableLines(s: ProgressSnapshot): string[] {
  const width = Math.max(4, ...s.rows.map((r) => r.label.length));
  return s.rows.map((r) => `  ${r.label.padEnd(width)}  ${String(r.done).padStart(5)}/${String(r.total).padEnd(5)}${r.errors ? `  ${r.errors} failed` : ''}`);
}
