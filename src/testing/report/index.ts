/** Report formats of `apimops test` (one file each). */
import type { RunResult } from '../types.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatText } from './text.js';

export type TestFormat = 'text' | 'json' | 'junit';
export const TEST_FORMATS: readonly TestFormat[] = ['text', 'json', 'junit'];

/** Formats a run in `format`. */
export const FORMATTERS = {
  text: (r: RunResult, o: { color: boolean }) => formatText(r, o),
  json: (r: RunResult) => formatJson(r),
  junit: (r: RunResult) => formatJunit(r),
} satisfies Record<TestFormat, (r: RunResult, o: { color: boolean }) => string>;

export { formatText, formatCase, summaryLine } from './text.js';
export { formatJson } from './json.js';
export { formatJunit, xmlEscape } from './junit.js';
