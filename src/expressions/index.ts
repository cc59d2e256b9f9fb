/**
 * The C# policy-expression engine: compile `@( … )` / `@{ … }` once at load, evaluate many times.
 *
 * @example
 *   import { compileExpression, toDisplayString } from '../expressions/index.js';
 *   const expr = compileExpression('@(context.Request.Headers.GetValueOrDefault("x-id", "none"))', { file, line, column });
 *   const value = expr.evaluate(ctx);            // throws CsException (a .NET exception) on runtime failure
 *   headers.set('x-id', toDisplayString(value)); // .NET ToString() semantics
 *
 * Compile errors are `ExpressionError` (a `UserError` with code `E_EXPRESSION`, `exprCode` E_PARSE /
 * E_UNSUPPORTED / E_TYPE / E_LIMIT, file/line/column and `format()` with a caret). Runtime failures are
 * `CsException` (`type` = .NET exception name, `message` = .NET message), which the gateway maps to
 * `context.LastError` with Reason `ExpressionValueEvaluationFailure`.
 */
import type { Program } from './ast.js';
import type { ExpressionContext } from './context.js';
import { ExpressionError, type SourceAt } from './errors.js';
import type { Diagnostic } from '../shared/errors.js';
import { compileProgram, type EvaluateOptions, type ExpressionWarning } from './evaluator.js';
import { parseProgram, type ParseLimits } from './parser.js';

export type { ExpressionContext, IRequest, IResponse, ISubscription, IUser, IProduct, IApi, IOperation, IDeployment, ILastError, IGroup, IUrl, IMessageBody } from './context.js';
export { HOST_TYPES } from './context.js';
export { ExpressionError, CsException, LimitExceeded, Exceptions, type ExpressionErrorCode, type Span, type SourceAt } from './errors.js';
export type { EvaluateOptions, ExpressionWarning } from './evaluator.js';
export type { ParseLimits } from './parser.js';
export type { Program, Expr, Stmt } from './ast.js';
export { toDisplayString } from './display.js';
export { printProgram } from './print.js';
export { CsUrl } from './url.js';
export { MessageBody } from './body.js';
export { JToken, JObject, JArray, JValue, JProperty, parseJson, toJToken } from './json.js';
export { XElement, XDocument, parseXml } from './xml.js';
export {
  CsDictionary, CsDouble, CsChar, CsDateTime, CsDateTimeOffset, CsTimeSpan, CsGuid, CsList, CsEnum, CsKeyValuePair, CsAnonymous,
} from './values.js';
export { Jwt, BasicAuthCredentials, parseJwt, parseBasic } from './auth.js';
export { typeNameOf, convertForAttribute, isStorableVariable } from './runtime/convert.js';

/** A parsed, checked expression: evaluate it as often as you like (it holds no per-request state). */
export interface CompiledExpression {
  /** The exact source given to `compileExpression` (including `@(`…`)`). */
  readonly source: string;
  readonly ast: Program;
  /** True for `@{ … }` statement blocks. */
  readonly isBlock: boolean;
  /** Compile-time warnings (e.g. CS0252 reference comparisons), with positions; for `lint`. */
  readonly warnings: readonly ExpressionWarning[];
  /** Runs the expression. Throws `CsException` for .NET runtime exceptions and limit overruns. */
  evaluate(ctx: ExpressionContext, options?: EvaluateOptions): unknown;
}

/** Options for `compileExpression`: where the source sits in its file, and parse limits. */
export interface CompileOptions extends SourceAt {
  limits?: ParseLimits;
}

/**
 * Parses and checks an expression. `source` is the whole `@(…)` or `@{…}` text (named values already
 * substituted, XML entities already decoded); `at` is the position of its `@` in the policy file.
 * Throws `ExpressionError` for syntax errors, unsupported constructs (types or members outside the APIM
 * allow-list, where the receiver type is known statically) and parse limits.
 */
export function compileExpression(source: string, at: CompileOptions = {}): CompiledExpression {
  const ast = parseProgram(source, at, at.limits);
  const warnings: ExpressionWarning[] = [];
  const run = compileProgram(ast, source, at, warnings);
  return {
    source,
    ast,
    isBlock: ast.kind === 'Statements',
    warnings,
    evaluate: run,
  };
}

/**
 * For `lint`: compiles an expression and returns its problems as diagnostics (`file:line:col` of the
 * offending token): the compile error (severity `error`, code `E_PARSE`/`E_UNSUPPORTED`/`E_TYPE`/`E_LIMIT`)
 * or the warnings (severity `warn`, e.g. `CS0252`). An empty list means the expression is fine.
 */
export function diagnoseExpression(source: string, at: CompileOptions = {}): Diagnostic[] {
  try {
    return compileExpression(source, at).warnings.map((w) => ({ file: w.file, line: w.line, column: w.column, message: w.message, severity: 'warn' as const, code: w.code }));
  } catch (err) {
    if (err instanceof ExpressionError) return [{ file: err.file, line: err.line, column: err.column, message: err.detail, severity: 'error', code: err.exprCode }];
    throw err;
  }
}
