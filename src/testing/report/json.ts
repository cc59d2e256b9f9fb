/** The `json` report: one JSON document with every case, its failures and the requests it made. */
import type { RunResult } from '../types.js';

/** Serialises a run; stable field order, positions as `file:line:column` strings. */
export function formatJson(result: RunResult): string {
  const doc = {
    summary: { passed: result.passed, failed: result.failed, total: result.passed + result.failed, durationMs: result.durationMs },
    files: result.files.map((f) => ({
      file: f.file,
      cases: f.cases.map((c) => ({
        name: c.name,
        status: c.status,
        durationMs: c.durationMs,
        at: `${c.at.file}:${c.at.line}:${c.at.column}`,
        failures: c.failures.map((x) => ({
          ...(x.step !== undefined ? { step: x.step } : {}),
          ...(x.repetition !== undefined ? { repetition: x.repetition } : {}),
          what: x.what,
          expected: x.expected,
          actual: x.actual,
          ...(x.at ? { at: `${x.at.file}:${x.at.line}:${x.at.column}` } : {}),
          ...(x.diff ? { diff: x.diff } : {}),
        })),
        requests: c.steps.map((s) => ({
          step: s.step,
          repetition: s.repetition,
          method: s.method,
          path: s.path,
          status: s.status,
          backendCalls: s.backendCalls.map((b) => ({ backend: b.backend, method: b.method, path: b.path, mocked: b.response !== -1 })),
        })),
      })),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
