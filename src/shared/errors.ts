/**
 * Errors as typed values. Every error apimops raises on purpose is an `ApimopsError` with a `code` from
 * `ERROR_CODES`. `UserError`s (bad input, bad config, auth) are printed without a stack and exit 2;
 * anything else is a bug: printed with its stack and a "please report" line.
 */

/** Codes for mistakes a user can fix; each prints as a message without a stack. */
export const USER_ERROR_CODES = [
  'E_USAGE', // unknown command/flag, bad flag value
  'E_CONFIG', // apimops.yaml / configuration.<env>.yaml problems
  'E_ARTIFACT', // a malformed artifact file (YAML, schema, policy XML), or a dangling reference
  'E_POLICY', // a policy that fails to load into the gateway
  'E_EXPRESSION', // a C# policy expression that does not parse or uses an unsupported construct
  'E_AUTH', // authentication / authorisation against Azure
  'E_ARM', // a management API call that failed
  'E_GIT', // a git ref that does not exist, not a repository
  'E_IO', // a file or folder that cannot be read or written
  'E_NOT_IMPLEMENTED', // a command that is not built yet
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type ErrorCode = UserErrorCode | 'E_BUG';

/** A position in a file, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem with a position: many of these can be collected and reported in one run. */
export interface Diagnostic extends Partial<SourcePosition> {
  message: string;
  severity?: 'error' | 'warn' | 'info';
  code?: string;
}

export class ApimopsError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.hint = options?.hint;
    this.name = new.target.name;
  }
  isUserError(): boolean {
    return this.code !== 'E_BUG';
  }
}

/** A mistake the user can fix: printed without a stack trace; exit 2. */
export class UserError extends ApimopsError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(
    code: UserErrorCode,
    message: string,
    options?: { cause?: unknown; hint?: string; diagnostics?: readonly Diagnostic[] },
  ) {
    super(code, message, options);
    this.diagnostics = options?.diagnostics ?? [];
  }
}

/** Formats a diagnostic as `file:line:column: message` (the form editors and CI annotate). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}: ` : '';
  return `${where}${d.message}`;
}

/** Thrown when a set of diagnostics makes an input unusable (e.g. a folder with schema errors). */
export class DiagnosticsError extends UserError {
  constructor(code: UserErrorCode, summary: string, diagnostics: readonly Diagnostic[]) {
    super(code, summary, { diagnostics });
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
