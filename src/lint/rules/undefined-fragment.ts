import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'undefined-fragment',
  defaultSeverity: 'error',
  description: 'An <include-fragment> whose fragment-id names no policy fragment in the folder or its workspace.',
  help: 'Add policyFragments/<id>/ (policyFragment.yaml + policy.xml) or correct fragment-id.',
  example: { bad: '<include-fragment fragment-id="std-edg" />', good: '<include-fragment fragment-id="std-edge" />' },
  create: (ctx) => ({
    batch() {
    for (const { unit, element: el } of ctx.model.elementsNamed('include-fragment')) {
      if (unit.kind === 'standalone') continue;
      const id = getAttribute(el, 'fragment-id');
      if (!id || id.expression || id.value.includes('{{')) continue;
      if (!ctx.model.fragmentExists(id.value, unit.workspace)) {
        ctx.report(unit, id.valuePos, `policy fragment "${id.value}" does not exist (no policyFragments/${id.value}/)`);
      }
    }
    },
  }),
});
