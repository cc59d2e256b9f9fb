import { ALL_SECTIONS, type PolicyModule } from './types.js';

/**
 * `<trace source="…" severity="verbose|information|error"><message>…</message><metadata name value/>*</trace>`
 * (§5.1): written to the request trace (when tracing) and to the local log. Never changes the response.
 */
export const trace = {
  name: 'trace',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const source = ctx.literal(el, 'source', { required: true });
    const severity = ctx.literal(el, 'severity') ?? 'verbose';
    if (!['verbose', 'information', 'error'].includes(severity)) ctx.fail(el, `trace@severity must be verbose, information or error, not "${severity}"`);
    const msgEl = ctx.elements(el, 'message')[0];
    // The older form has the message as the element's own text: `<trace source="x">text</trace>`.
    const hasOwnText = el.children.some((c) => c.type === 'text' && c.text.trim().length > 0);
    const message = msgEl ? ctx.text(msgEl) : hasOwnText ? ctx.text({ ...el, children: el.children.filter((c) => c.type === 'text') }) : undefined;
    if (!msgEl && !hasOwnText) ctx.fail(el, '<trace> needs a <message>');
    const metadata = ctx.elements(el, 'metadata').map((m) => ({ name: ctx.literal(m, 'name', { required: true }), value: ctx.attr(m, 'value', { required: true }) }));
    return {
      name: 'trace',
      run(state) {
        const text = message ? message.string(state) : '';
        const data: Record<string, unknown> = { severity };
        for (const m of metadata) data[m.name] = m.value.string(state);
        state.trace?.add({ section: state.section, scope: state.scope, source, message: text, data });
        state.services.logger.event('trace', { requestId: state.requestId, source, severity, message: text, ...data });
      },
    };
  },
} satisfies PolicyModule;
