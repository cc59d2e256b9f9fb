import { ALL_SECTIONS, type PolicyModule } from './types.js';
import { targetOf } from './target.js';

/** `<find-and-replace from="…" to="…"/>` (§5.2): ordinal replace of every occurrence in the body. */
export const findAndReplace = {
  name: 'find-and-replace',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const from = ctx.attr(el, 'from', { required: true });
    const to = ctx.attr(el, 'to', { required: true });
    return {
      name: 'find-and-replace',
      async run(state) {
        const body = targetOf(state).message.body;
        if (!body.present) return;
        const text = (await body.read()).toString('utf8');
        const f = from.string(state);
        if (!f) return;
        body.set(text.split(f).join(to.string(state)));
      },
    };
  },
} satisfies PolicyModule;
