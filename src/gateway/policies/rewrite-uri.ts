import type { PolicyModule } from './types.js';

/**
 * `<rewrite-uri template="/v2/{id}?x=1" copy-unmatched-params="true"/>` (§5.2): replaces the path (and
 * query) after the backend base URL. `{name}` takes an operation template parameter; query parameters of
 * the incoming request not in the operation template are copied unless copy-unmatched-params is false.
 */
export const rewriteUri = {
  name: 'rewrite-uri',
  sections: ['inbound'],
  compile(el, ctx) {
    const template = ctx.attr(el, 'template', { required: true });
    const copy = ctx.attr(el, 'copy-unmatched-params');
    const opTemplate = ctx.config.operation?.urlTemplate ?? '';
    const templateQueryNames = new Set(
      (opTemplate.split('?')[1] ?? '').split('&').map((p) => p.split('=')[0]!).filter((n) => n.length > 0),
    );
    const serviceUrl = ctx.config.api?.serviceUrl;
    return {
      name: 'rewrite-uri',
      run(state) {
        const params = state.request.matchedParameters;
        const t = template.string(state).replace(/\{\*?([^}]+)\}/g, (_, n: string) => encodeURI(params.get(n) ?? ''));
        const url = state.request.url;
        const base = state.backendBaseUrl ?? serviceUrl;
        const basePath = base ? new URL(base).pathname.replace(/\/$/, '') : '';
        const [p = '', q] = t.split('?', 2) as [string, string | undefined];
        const next = new URL(url.toString());
        next.pathname = basePath + (p.startsWith('/') ? p : `/${p}`);
        const search = new URLSearchParams(q ?? '');
        if (copy ? copy.bool(state) : true) {
          // The current URL's query: the incoming one plus what set-query-parameter added before.
          for (const [k, v] of state.request.url.searchParams) {
            if (!templateQueryNames.has(k) && !search.has(k)) search.append(k, v);
          }
        }
        next.search = search.toString();
        state.request.url = next;
      },
    };
  },
} satisfies PolicyModule;
