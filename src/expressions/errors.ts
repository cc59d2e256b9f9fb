/**
 * Errors of the expression engine.
 *
 * - `ExpressionError` is a *compile-time* problem (syntax, unsupported construct, limit): it carries the
 *   position of the offending token inside the policy file, so `lint` and the gateway loader print
 *   `file:line:col: message` with a caret line.
 * - `CsException` is a *runtime* .NET exception raised while evaluating (NullReferenceException,
 *   InvalidCastException, …). It is a value the gateway turns into `context.LastError`
 *   (Reason `ExpressionValueEvaluationFailure`); `try/catch` inside `@{ }` blocks can catch it.
 */
import { UserError } from '../shared/errors.js';

/** Machine codes of compile-time expression problems. */
export type ExpressionErrorCode =
  | 'E_PARSE' // not valid C#
  | 'E_UNSUPPORTED' // valid C#, but a type/member/construct outside the APIM allow-list (or not built)
  | 'E_TYPE' // statically wrong: invoking a property, wrong arity, …
  | 'E_LIMIT'; // AST size / nesting depth over the limit

/** A half-open range of offsets into the expression source, plus the 1-based line/column of its start. */
export interface Span {
  start: number;
  end: number;
}

/** Where the expression source starts inside its file (1-based line and column of the `@`). */
export interface SourceAt {
  file?: string;
  line?: number;
  column?: number;
}

/** Maps an offset inside `source` to a 1-based line/column in the file, given where the source starts. */
export function positionOf(source: string, offset: number, at: SourceAt = {}): { line: number; column: number } {
  let line = at.line ?? 1;
  let column = at.column ?? 1;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

/**
 * A compile-time problem in a policy expression, with the position of the offending token.
 * It is a `UserError` (code `E_EXPRESSION`), so the CLI prints it without a stack and exits 2.
 */
export class ExpressionError extends UserError {
  /** The precise expression-level code (`E_PARSE`, `E_UNSUPPORTED`, `E_TYPE`, `E_LIMIT`). */
  readonly exprCode: ExpressionErrorCode;
  readonly source: string;
  readonly span: Span;
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  /** The bare message, without position (the `message` property is `file:line:col: detail`). */
  readonly detail: string;

  constructor(exprCode: ExpressionErrorCode, detail: string, source: string, span: Span, at: SourceAt = {}, hint?: string) {
    const pos = positionOf(source, span.start, at);
    const where = `${at.file ?? '<expression>'}:${pos.line}:${pos.column}`;
    super('E_EXPRESSION', `${where}: ${detail}`, {
      hint,
      diagnostics: [{ file: at.file, line: pos.line, column: pos.column, message: detail, severity: 'error', code: exprCode }],
    });
    this.exprCode = exprCode;
    this.detail = detail;
    this.source = source;
    this.span = span;
    this.file = at.file;
    this.line = pos.line;
    this.column = pos.column;
  }

  /**
   * `file:line:col: message`, then the offending source line and a caret under the token.
   * @example
   *   policy.xml:12:31: ')' expected
   *     @(context.Request.Method == "POST"
   *                                       ^
   */
  format(): string {
    const lines = this.source.split('\n');
    // Find which line of the source the span starts on, and the column inside it.
    let off = 0;
    let idx = 0;
    while (idx < lines.length - 1 && off + (lines[idx]?.length ?? 0) + 1 <= this.span.start) {
      off += (lines[idx]?.length ?? 0) + 1;
      idx++;
    }
    const text = (lines[idx] ?? '').replace(/\r$/, '');
    const col = Math.max(0, this.span.start - off);
    const width = Math.max(1, Math.min(this.span.end, off + text.length) - this.span.start);
    const caret = ' '.repeat(col) + '^' + (width > 1 ? '~'.repeat(width - 1) : '');
    return `${this.message}\n  ${text}\n  ${caret}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/**
 * A .NET exception raised while evaluating an expression. `type` is the .NET type name
 * (`System.NullReferenceException` is reported as `NullReferenceException`), `message` the .NET message.
 */
export class CsException extends Error {
  readonly type: string;
  /** The expression source and span of the node that raised it (for traces), when known. */
  span: Span | undefined;
  source: string | undefined;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
    this.name = type;
  }
  /** Where the expression sits in its policy file (set by the evaluator from `compileExpression`'s `at`). */
  at: SourceAt | undefined;

  /**
   * `file:line:col` of the node that raised the exception (the start of the failing member access, call
   * or cast inside the policy file), or undefined when unknown.
   */
  where(): string | undefined {
    if (!this.source || !this.span) return undefined;
    const pos = positionOf(this.source, this.span.start, this.at ?? {});
    return `${this.at?.file ?? '<expression>'}:${pos.line}:${pos.column}`;
  }

  /** .NET `Exception.ToString()`-like text: `System.X: message`. */
  override toString(): string {
    return `System.${this.type}: ${this.message}`;
  }
}

/** The standard .NET exceptions the runtime raises, with their .NET messages. */
export const Exceptions = {
  nullReference: () => new CsException('NullReferenceException', 'Object reference not set to an instance of an object.'),
  invalidCast: (from: string, to: string) =>
    new CsException('InvalidCastException', `Unable to cast object of type '${from}' to type '${to}'.`),
  keyNotFound: (key: string) =>
    new CsException('KeyNotFoundException', `The given key '${key}' was not present in the dictionary.`),
  format: (message = 'Input string was not in a correct format.') => new CsException('FormatException', message),
  argumentNull: (param: string) =>
    new CsException('ArgumentNullException', `Value cannot be null. (Parameter '${param}')`),
  argumentOutOfRange: (param: string, message = 'Specified argument was out of the range of valid values.') =>
    new CsException('ArgumentOutOfRangeException', `${message} (Parameter '${param}')`),
  argument: (message: string) => new CsException('ArgumentException', message),
  indexOutOfRange: () => new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.'),
  overflow: (message = 'Arithmetic operation resulted in an overflow.') => new CsException('OverflowException', message),
  divideByZero: () => new CsException('DivideByZeroException', 'Attempted to divide by zero.'),
  invalidOperation: (message: string) => new CsException('InvalidOperationException', message),
  notSupported: (message: string) => new CsException('NotSupportedException', message),
  jsonReader: (message: string) => new CsException('JsonReaderException', message),
} as const;

/**
 * Raised when an evaluation limit (loop iterations, time) is hit at run time. It is a `CsException` so the
 * gateway handles it like any expression failure, but it cannot be caught by `catch` blocks in the policy.
 */
export class LimitExceeded extends CsException {
  constructor(message: string) {
    super('ExpressionLimitExceededException', message);
  }
}
