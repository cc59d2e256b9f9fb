/**
 * The `junit` report (JUnit XML as Azure Pipelines `PublishTestResults` and GitHub test-report actions read
 * it): one `<testsuite>` per file, one `<testcase>` per case, a `<failure>` with every unmet expectation.
 */
import type { RunResult } from '../types.js';

/** XML text/attribute escaping, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Serialises a run as JUnit XML. */
export function formatJunit(result: RunResult): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<testsuites name="apimops test" tests="${result.passed + result.failed}" failures="${result.failed}" time="${secs(result.durationMs)}">\n`;
  for (const f of result.files) {
    const failures = f.cases.filter((c) => c.status === 'failed').length;
    const time = f.cases.reduce((a, c) => a + c.durationMs, 0);
    out += `  <testsuite name="${xmlEscape(f.file)}" tests="${f.cases.length}" failures="${failures}" errors="0" time="${secs(time)}">\n`;
    for (const c of f.cases) {
      out += `    <testcase classname="${xmlEscape(f.file)}" name="${xmlEscape(c.name)}" file="${xmlEscape(c.at.file)}" line="${c.at.line}" time="${secs(c.durationMs)}"`;
      if (c.status === 'passed') {
        out += ' />\n';
        continue;
      }
      const first = c.failures[0];
      const message = first ? `${first.what}: expected ${first.expected}, got ${first.actual}` : 'failed';
      const body = c.failures
        .map((x) => {
          const at = x.at ? `${x.at.file}:${x.at.line}:${x.at.column}: ` : '';
          const step = x.step !== undefined ? `step ${x.step}${x.repetition !== undefined ? ` (repetition ${x.repetition})` : ''}: ` : '';
          return `${at}${step}${x.what}\n  expected: ${x.expected}\n  actual:   ${x.actual}${x.diff ? `\n${x.diff}` : ''}`;
        })
        .join('\n');
      out += `>\n      <failure message="${xmlEscape(message)}" type="AssertionError">${xmlEscape(body)}</failure>\n    </testcase>\n`;
    }
    out += '  </testsuite>\n';
  }
  out += '</testsuites>\n';
  return out;
}
