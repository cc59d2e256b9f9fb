import { defineRule, type PolicyUnit } from '../types.js';

export const rule = defineRule({
  id: 'artifact-error',
  defaultSeverity: 'error',
  description: 'A problem of the artifact folder itself, found while reading it: YAML syntax, a property that breaks the JSON Schema, a file outside the layout, a link in YAML to a resource that does not exist (what policy XML refers to is left to the undefined-* rules).',
  help: 'Fix the file at the reported position; the message says what the reader expected (ARTIFACT-FORMAT.md).',
  example: { bad: '# products/premium/product.yaml\napis: [paymnts-api]', good: '# products/premium/product.yaml\napis: [payments-api]' },
  check(ctx) {
    for (const d of ctx.input.artifactDiagnostics ?? []) {
      const file = d.file ?? '.';
      const unit: PolicyUnit = ctx.model.unitForFile(file) ?? { key: file, kind: 'standalone', label: file, file, text: '' };
      ctx.report(unit, { line: d.line ?? 1, column: d.column ?? 1 }, d.message, d.severity ?? 'error');
    }
  },
});
