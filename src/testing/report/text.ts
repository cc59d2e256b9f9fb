/**
 * The `text` report: per file, per case ✓/✗, and under each failed case what was expected against what
 * happened, with the position of the expectation (`file:line:column`, clickable in editors and CI logs) and a
 * diff for bodies and traces.
 */
import type { CaseResult, Failure, RunResult } from '../types.js';

/** Options of the text report. */
export interface TextReportOptions {
  color: boolean;
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** One line per case, with failures under it. */
export function formatCase(r: CaseResult, options: TextReportOptions): string {
  const green = paint(options.color, '32');
  const red = paint(options.color, '31');
  const dim = paint(options.color, '2');
  if (r.status === 'passed') return `  ${green('✓')} ${r.name} ${dim(`(${r.durationMs} ms)`)}\n`;
  let out = `  ${red('✗')} ${r.name} ${dim(`(${r.durationMs} ms)`)}\n`;
  for (const f of r.failures) out += formatFailure(r, f, options);
  return out;
}

function formatFailure(r: CaseResult, f: Failure, options: TextReportOptions): string {
  const red = paint(options.color, '31');
  const green = paint(options.color, '32');
  const dim = paint(options.color, '2');
  const step = f.step !== undefined ? r.steps.find((s) => s.step === f.step && s.repetition === (f.repetition ?? 1)) : undefined;
  const where = f.step !== undefined ? `step ${f.step}${f.repetition !== undefined ? ` (repetition ${f.repetition})` : ''}${step ? ` ${step.method} ${step.path}` : ''}: ` : '';
  const at = f.at ? `${f.at.file}:${f.at.line}:${f.at.column}: ` : '';
  let out = `      ${dim(at)}${where}${f.what}\n`;
  out += `        expected: ${green(f.expected)}\n`;
  out += `        actual:   ${red(f.actual)}\n`;
  if (f.diff) {
    for (const line of f.diff.split('\n')) {
      const colored = line.startsWith('- ') ? green(line) : line.startsWith('+ ') ? red(line) : line;
      out += `        ${colored}\n`;
    }
  }
  return out;
}

/** The whole report: files in order, then a summary line. */
export function formatText(result: RunResult, options: TextReportOptions): string {
  let out = '';
  for (const f of result.files) {
    out += `${f.file}\n`;
    for (const c of f.cases) out += formatCase(c, options);
  }
  const failed = result.files.flatMap((f) => f.cases.filter((c) => c.status === 'failed'));
  if (failed.length > 0) {
    // Repeated at the end, so the cases to look at are visible without scrolling back through the details.
    out += `\nfailed:\n${failed.map((c) => `  ${paint(options.color, '31')('✗')} ${c.at.file}:${c.at.line}:${c.at.column}  ${c.name}\n`).join('')}`;
  }
  out += `\n${summaryLine(result, options)}\n`;
  return out;
}

/** `9 passed, 1 failed (10 cases, 412 ms)`. */
export function summaryLine(result: RunResult, options: TextReportOptions): string {
  const total = result.passed + result.failed;
  const failed = result.failed > 0 ? paint(options.color, '31')(`${result.failed} failed`) : '0 failed';
  return `${paint(options.color, '32')(`${result.passed} passed`)}, ${failed} (${total} case${total === 1 ? '' : 's'}, ${result.durationMs} ms)`;
}
