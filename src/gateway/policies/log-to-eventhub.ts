import { ALL_SECTIONS, type PolicyModule } from './types.js';

/**
 * `<log-to-eventhub logger-id="…" partition-id="…" partition-key="…">message</log-to-eventhub>` (§5.1):
 * locally, the message goes to the gateway log (stderr) instead of an Event Hub. Messages over 200 KB are
 * truncated as APIM does.
 */
export const logToEventhub = {
  name: 'log-to-eventhub',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const loggerId = ctx.literal(el, 'logger-id', { required: true });
    const partitionKey = ctx.attr(el, 'partition-key');
    const partitionId = ctx.literal(el, 'partition-id');
    const message = ctx.text(el);
    return {
      name: 'log-to-eventhub',
      run(state) {
        const text = (message ? message.string(state) : '').slice(0, 200 * 1024);
        state.services.logger.event('eventhub', { loggerId, partitionId, partitionKey: partitionKey?.string(state), message: text, requestId: state.requestId });
        state.trace?.add({ section: state.section, scope: state.scope, source: 'log-to-eventhub', message: text, data: { loggerId } });
      },
    };
  },
} satisfies PolicyModule;
