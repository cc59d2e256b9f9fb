import { advancePos, collectExpressions } from '../../policy/index.js';
import { checkExpression } from '../expression-check.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'expression-syntax',
  defaultSeverity: 'error',
  description: 'A policy expression @(…) / @{…} that does not parse as C#: APIM rejects the policy at save time.',
  help: 'Fix the C# at the reported position (a missing operator, a damaged string literal such as "a=""").',
  example: {
    bad: '<when condition="@(context.Request.Method.Equals("patch=""", StringComparison.OrdinalIgnoreCase))">',
    good: '<when condition="@(context.Request.Method.Equals("patch", StringComparison.OrdinalIgnoreCase))">',
  },
  check(ctx) {
    for (const unit of ctx.input.units) {
      if (!unit.document) continue;
      for (const { expression } of collectExpressions(unit.document.root)) {
        for (const p of checkExpression(expression.source)) {
          ctx.report(unit, advancePos(expression.pos, expression.source, p.offset), p.message);
        }
      }
    }
  },
});
