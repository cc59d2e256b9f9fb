import { defineRule, type PolicyUnit } from '../types.js';

export const rule = defineRule({
  id: 'policy-parse',
  defaultSeverity: 'error',
  description: 'A policy file that cannot be read: malformed XML or an unbalanced policy expression.',
  help: 'Fix the XML at the reported position. APIM rejects the whole policy, so nothing else in the file is checked.',
  example: {
    bad: '<set-variable name="x" value="@(context.Variables.ContainsKey("a=""))" />',
    good: '<set-variable name="x" value="@(context.Variables.ContainsKey("a"))" />',
  },
  check(ctx) {
    for (const d of ctx.input.parseDiagnostics) {
      const file = d.file ?? '.';
      const unit: PolicyUnit = ctx.model.unitForFile(file) ?? { key: file, kind: 'standalone', label: file, file, text: '' };
      ctx.report(unit, { line: d.line ?? 1, column: d.column ?? 1 }, d.message);
    }
  },
});
