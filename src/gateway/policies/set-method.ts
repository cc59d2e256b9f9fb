import { ALL_SECTIONS, type PolicyModule } from './types.js';
import { targetOf } from './target.js';

/** `<set-method>PUT</set-method>` (§5.2): changes the request method (or send-request's). */
export const setMethod = {
  name: 'set-method',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const value = ctx.text(el) ?? ctx.fail(el, '<set-method> needs a method, e.g. <set-method>POST</set-method>');
    return {
      name: 'set-method',
      run(state) {
        const t = targetOf(state);
        const m = value.string(state).trim().toUpperCase();
        if (t.kind === 'request') t.message.method = m;
        else state.request.method = m;
      },
    };
  },
} satisfies PolicyModule;
