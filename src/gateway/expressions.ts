/**
 * The bridge between the gateway and `src/expressions/`: compile at load with the position of the `@` in
 * the policy file; evaluate per request against the request's live `context` view.
 */
import { compileExpression, toDisplayString } from '../expressions/index.js';
import { contextOf } from './context.js';
import type { ExpressionCompiler, GatewayExpression } from './values.js';

/** The production expression compiler (a cache makes identical sources across pipelines compile once). */
export function createExpressionCompiler(): ExpressionCompiler {
  const cache = new Map<string, GatewayExpression>();
  return {
    compile(source, pos) {
      const key = `${pos.file}:${pos.line}:${pos.column}:${source}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const compiled = compileExpression(source, { file: pos.file, line: pos.line, column: pos.column });
      const expr: GatewayExpression = {
        source,
        readsBody: /\bBody\b/.test(source),
        // DateTime.UtcNow follows the gateway's injected clock (test cases move it; rate-limit windows use it too).
        evaluate: (state) => compiled.evaluate(contextOf(state), { now: state.services.clock }),
      };
      cache.set(key, expr);
      return expr;
    },
    display: (v) => toDisplayString(v),
  };
}
