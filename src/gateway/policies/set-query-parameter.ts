import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/** `<set-query-parameter name="…" exists-action="…"><value>…</value>*</set-query-parameter>` (§5.2) on the backend URL. */
export const setQueryParameter = {
  name: 'set-query-parameter',
  sections: ['inbound', 'backend'],
  compile(el, ctx) {
    const name = ctx.attr(el, 'name', { required: true });
    const action = ctx.attr(el, 'exists-action');
    const values = ctx.elements(el, 'value').map((v) => ctx.text(v));
    return {
      name: 'set-query-parameter',
      run(state) {
        const t = targetOf(state);
        const url = t.kind === 'request' ? t.message.url : state.request.url;
        const n = name.string(state);
        const mode = action ? action.string(state).toLowerCase() : 'override';
        const params = url.searchParams;
        if (mode === 'delete') params.delete(n);
        else if (mode === 'skip') {
          if (!params.has(n)) for (const v of values) params.append(n, v ? v.string(state) : '');
        } else if (mode === 'append') for (const v of values) params.append(n, v ? v.string(state) : '');
        else {
          params.delete(n);
          for (const v of values) params.append(n, v ? v.string(state) : '');
        }
      },
    };
  },
} satisfies PolicyModule;
