/**
 * Attribute and text values of policies: a literal, or a compiled expression (POLICY-ENGINE.md §2.2–§2.3).
 * Expressions are compiled once at load through an `ExpressionCompiler` (the `src/expressions/` engine in
 * production) and evaluated per request against the request's `context` object.
 */
import { PolicyError } from './errors.js';
import type { PolicyPosition, ValueSource } from './policies/types.js';
import type { RequestState } from './state.js';

/** A compiled expression, as the gateway uses it. */
export interface GatewayExpression {
  readonly source: string;
  /** True when the source reads a message body (the pipeline buffers bodies before running it). */
  readonly readsBody: boolean;
  evaluate(state: RequestState): unknown;
}

/** Compiles `@(…)`/`@{…}` sources; throws an error carrying a position on bad input. */
export interface ExpressionCompiler {
  compile(source: string, pos: PolicyPosition): GatewayExpression;
  /** .NET `ToString()` of an expression value. */
  display(value: unknown): string;
}

/** A literal value. */
export class LiteralValue implements ValueSource {
  readonly isExpression = false;
  constructor(
    readonly literal: string,
    readonly pos: PolicyPosition,
    private readonly what: string,
  ) {}
  value(): unknown {
    return this.literal;
  }
  string(): string {
    return this.literal;
  }
  bool(): boolean {
    return parseBool(this.literal, this.what);
  }
  number(): number {
    return parseNumber(this.literal, this.what);
  }
}

/** An expression value. */
export class ExpressionValue implements ValueSource {
  readonly isExpression = true;
  readonly literal = undefined;
  constructor(
    readonly expression: GatewayExpression,
    readonly pos: PolicyPosition,
    private readonly compiler: ExpressionCompiler,
    private readonly what: string,
  ) {}
  value(state: RequestState): unknown {
    return this.evaluate(state);
  }
  /** Evaluates, recording the value in the trace when the request is traced (CLI.md: "each expression's value"). */
  private evaluate(state: RequestState): unknown {
    const v = this.expression.evaluate(state);
    if (state.trace) {
      let shown: string;
      try {
        shown = typeof v === 'string' ? JSON.stringify(v) : v === null || v === undefined ? 'null' : this.compiler.display(v);
      } catch {
        shown = '(value)';
      }
      state.trace.add({ section: state.section, scope: state.scope, source: 'expression', message: `${this.what}: ${this.expression.source} → ${shown.length > 500 ? `${shown.slice(0, 500)}…` : shown}` });
    }
    return v;
  }
  string(state: RequestState): string {
    const v = this.evaluate(state);
    return typeof v === 'string' ? v : v === null || v === undefined ? '' : this.compiler.display(v);
  }
  bool(state: RequestState): boolean {
    const v = this.evaluate(state);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return parseBool(v, this.what);
    throw valueError(`${this.what} must be a Boolean, the expression returned ${this.compiler.display(v)}`);
  }
  number(state: RequestState): number {
    const v = this.evaluate(state);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') return parseNumber(v, this.what);
    if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') return (v as { value: number }).value;
    throw valueError(`${this.what} must be a number, the expression returned ${this.compiler.display(v)}`);
  }
}

function parseBool(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw valueError(`${what} must be true or false, not "${text}"`);
}

function parseNumber(text: string, what: string): number {
  const t = text.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return Number(t);
  throw valueError(`${what} must be a number, not "${text}"`);
}

function valueError(message: string): PolicyError {
  return new PolicyError({ source: '', reason: 'ExpressionValueEvaluationFailure', message, statusCode: 500 });
}
