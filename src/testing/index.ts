/**
 * `testing/`: declarative policy test cases (`tests/**\/*.test.yaml`) run through the local gateway.
 *
 * @example
 * const { files, diagnostics } = loadCaseFiles('/repo/artifacts', undefined, process.cwd());
 * if (diagnostics.length === 0) {
 *   const result = await runTests(files, { cwd: process.cwd(), env: process.env, folder: 'artifacts' });
 *   process.stdout.write(formatText(result, { color: false }));
 * }
 */
import { relative } from 'node:path';
import type { Diagnostic } from '../shared/errors.js';
import { DEFAULT_CASES, findCaseFiles } from './discover.js';
import { readTestFile } from './parse.js';
import type { TestFile } from './types.js';

export * from './types.js';
export { parseTestFile, readTestFile, parseDuration, DEFAULT_CLOCK_START } from './parse.js';
export { runTests, runCase, checkStep, mockTarget, plainValue, type RunOptions, type StepOutcome } from './runner.js';
export { startMocks, covers, type MockSet } from './mock-backends.js';
export { findCaseFiles, globToRegExp, DEFAULT_CASES } from './discover.js';
export { queryJsonPath, parseJsonPath } from './jsonpath.js';
export { matchBody, matchValue, jsonSubsetDifferences, lineDiff } from './matchers.js';
export { FORMATTERS, TEST_FORMATS, formatText, formatJson, formatJunit, formatCase, summaryLine, type TestFormat } from './report/index.js';

/**
 * Finds and parses the case files of `folder` (absolute). Paths in messages are relative to `cwd`. Every
 * file is parsed, so all problems are reported together.
 */
export function loadCaseFiles(folder: string, pattern: string = DEFAULT_CASES, cwd = process.cwd()): { files: TestFile[]; diagnostics: Diagnostic[]; paths: string[] } {
  const paths = findCaseFiles(folder, pattern, cwd);
  const files: TestFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    const display = relative(cwd, p) || p;
    const r = readTestFile(p, display.startsWith('..') ? p : display);
    diagnostics.push(...r.diagnostics);
    if (r.file) files.push(r.file);
  }
  return { files, diagnostics, paths };
}
