import type { Finding, LintRule } from '../types.js';

/** What every formatter gets: the findings (sorted), the rules that ran, and a few facts of the run. */
export interface FormatInput {
  findings: readonly Finding[];
  rules: readonly LintRule[];
  /** Files looked at (JUnit lists clean files as passing test cases). */
  files: readonly string[];
  /** ANSI colour (stylish only). */
  color?: boolean;
  /** Tool version for SARIF. */
  version?: string;
}

/** A formatter: pure, findings → the text written to stdout or `--output-file`. */
export type Formatter = (input: FormatInput) => string;
