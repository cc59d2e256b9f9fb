import { getAttribute } from '../../policy/index.js';
import { defineRule } from '../types.js';

export const rule = defineRule({
  id: 'undefined-logger',
  defaultSeverity: 'error',
  description: '<log-to-eventhub logger-id="…"> naming no logger in the folder or its workspace.',
  help: 'Add loggers/<id>/logger.yaml (an Event Hub logger) or correct logger-id.',
  example: { bad: '<log-to-eventhub logger-id="audit-hub">@(context.RequestId.ToString())</log-to-eventhub>', good: '<log-to-eventhub logger-id="audit-eventhub">@(context.RequestId.ToString())</log-to-eventhub>' },
  create: (ctx) => ({
    batch() {
    for (const { unit, element: el } of ctx.model.elementsNamed('log-to-eventhub')) {
      if (unit.kind === 'standalone') continue;
      const id = getAttribute(el, 'logger-id');
      if (!id || id.expression || id.value.includes('{{')) continue;
      if (!ctx.model.loggerExists(id.value, unit.workspace)) ctx.report(unit, id.valuePos, `logger "${id.value}" does not exist (no loggers/${id.value}/)`);
    }
    },
  }),
});
