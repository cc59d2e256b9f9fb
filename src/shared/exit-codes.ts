/** One exit-code table for every command (ARCHITECTURE.md). */
export const EXIT_OK = 0;
/** Findings: lint results at/above the threshold, failed test cases, changes with --exit-code, a partial publish. */
export const EXIT_FINDINGS = 1;
/** Usage, configuration, authentication or runtime error: nothing was changed. */
export const EXIT_ERROR = 2;
export type ExitCode = typeof EXIT_OK | typeof EXIT_FINDINGS | typeof EXIT_ERROR;
