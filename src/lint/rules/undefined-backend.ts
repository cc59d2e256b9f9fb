import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'undefined-backend',
  defaultSeverity: 'error',
  description: '<set-backend-service backend-id="…"> naming no backend in the folder or its workspace.',
  help: 'Add backends/<id>/backend.yaml or correct backend-id.',
  example: { bad: '<set-backend-service backend-id="payments-backnd" />', good: '<set-backend-service backend-id="payments-backend" />' },
  create: (ctx) => ({
    batch() {
    for (const { unit, element: el } of ctx.model.elementsNamed('set-backend-service')) {
      if (unit.kind === 'standalone') continue;
      const id = getAttribute(el, 'backend-id');
      if (!id || id.expression || id.value.includes('{{')) continue;
      if (!ctx.model.backendExists(id.value, unit.workspace)) ctx.report(unit, id.valuePos, `backend "${id.value}" does not exist (no backends/${id.value}/)`);
    }
    },
  }),
});
