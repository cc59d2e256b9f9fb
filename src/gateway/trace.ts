/**
 * The request trace (`Ocp-Apim-Trace: true` → `Ocp-Apim-Trace-Location`, CLI.md): which policies ran at
 * which scope, in order, with values and time spent. Recorded only when tracing is on for the request, so the
 * normal path pays nothing.
 */

export interface TraceEntry {
  /** Milliseconds since the request started. */
  at: number;
  section: string;
  scope: string;
  /** The policy element (`set-header`), a built-in step (`api-inspector`, `forward-request`), or a `trace` source. */
  source: string;
  message: string;
  data?: Record<string, unknown>;
  /** Time the policy took, ms. */
  ms?: number;
}

export class TraceRecorder {
  readonly entries: TraceEntry[] = [];
  constructor(private readonly startedAt: number, private readonly now: () => number = () => performance.now()) {}

  add(entry: Omit<TraceEntry, 'at'>): void {
    this.entries.push({ at: Math.round((this.now() - this.startedAt) * 1000) / 1000, ...entry });
  }

  /** Milliseconds since the request started (for `ms` fields). */
  elapsed(): number {
    return this.now() - this.startedAt;
  }
}
