import { findNamedValueReferencesInElement } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'undefined-named-value',
  defaultSeverity: 'error',
  description: 'A {{name}} reference with no named value of that (display) name in the folder or its workspace: APIM refuses to save the policy.',
  help: 'Create namedValues/<name>/namedValue.yaml (displayName must match the reference; names are case-sensitive) or correct the reference.',
  example: { bad: '<set-header name="X-Key"><value>{{backend-key}}</value></set-header>  <!-- no such named value -->', good: '<set-header name="X-Key"><value>{{BackendApiKey}}</value></set-header>' },
  create: (ctx) => ({
    batch({ units }) {
    for (const unit of units) {
      if (!unit.document || unit.kind === 'standalone') continue; // a loose file has no folder to resolve against
      // No `{{` in the file (nor a character reference that could decode to one): no reference to check.
      if (!unit.text.includes('{{') && !unit.text.includes('&#')) continue;
      const names = ctx.model.namedValueNames(unit.workspace);
      for (const ref of findNamedValueReferencesInElement(unit.document.root)) {
        if (names.has(ref.name)) continue;
        const near = [...names].find((n) => n.toLowerCase() === ref.name.toLowerCase());
        ctx.report(
          unit,
          ref.pos,
          near
            ? `named value "{{${ref.name}}}" is not defined; "${near}" differs only in case (names are case-sensitive)`
            : `named value "{{${ref.name}}}" is not defined in namedValues/${unit.workspace ? ` or workspace ${unit.workspace}` : ''}`,
        );
      }
    }
    },
  }),
});
