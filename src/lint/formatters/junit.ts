import type { FormatInput } from './types.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
/** In an attribute a raw newline would be normalised to a space by XML parsers: keep it as a reference. */
const escAttr = (s: string) => esc(s).replace(/\n/g, '&#10;');

/**
 * JUnit XML (what Azure Pipelines' PublishTestResults and most CI dashboards read): one `<testsuite>` per
 * file, one failing `<testcase>` per finding (`classname` = file, `name` = `rule-id line:column`); a file
 * without findings is one passing test case.
 */
export function junit({ findings, files }: FormatInput): string {
  const byFile = new Map<string, typeof findings[number][]>();
  for (const f of [...files].sort()) byFile.set(f, []);
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const suites: string[] = [];
  let tests = 0;
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const cases =
      list.length === 0
        ? [`    <testcase classname="${esc(file)}" name="apimops lint"/>`]
        : list.map(
            (f) =>
              `    <testcase classname="${esc(file)}" name="${esc(`${f.ruleId} ${f.line}:${f.column}`)}">\n` +
              `      <failure type="${f.severity}" message="${escAttr(f.message)}">${esc(`${file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.ruleId})`)}</failure>\n` +
              `    </testcase>`,
          );
    tests += cases.length;
    suites.push(`  <testsuite name="${esc(file)}" tests="${cases.length}" failures="${list.length}" errors="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="apimops lint" tests="${tests}" failures="${findings.length}" errors="0">\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
