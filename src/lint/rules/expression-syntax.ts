import { absolutePos, checkExpression } from '../expression-check.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'expression-syntax',
  defaultSeverity: 'error',
  description:
    "A policy expression @(…) / @{…} that does not compile as APIM's C# subset (a syntax error, a type or member outside the allow-list, a property called like a method): APIM rejects the policy at save time. Compiler warnings (e.g. CS0252, an object compared with a string by reference) are reported as warnings.",
  help: 'Fix the C# at the reported position; the message is the compiler\'s (e.g. a string damaged by an XML round-trip such as "a=""", or a missing cast: (string)context.Variables["x"]).',
  example: {
    bad: '<when condition="@(context.Request.Method.Equals("patch=""", StringComparison.OrdinalIgnoreCase))">',
    good: '<when condition="@(context.Request.Method.Equals("patch", StringComparison.OrdinalIgnoreCase))">',
  },
  create: (ctx) => ({
    expression({ unit, expression }) {
      for (const p of checkExpression(expression.source)) ctx.report(unit, absolutePos(expression.pos, p), p.message, p.severity);
    },
  }),
});
