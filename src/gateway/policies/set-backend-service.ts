import { PolicyError } from '../errors.js';
import type { PolicyModule } from './types.js';

/**
 * `<set-backend-service base-url="…"/>` or `backend-id="…"` (§5.2): replaces the backend base URL, keeping
 * the path after it and the query. With `backend-id` the backend entity's URL, credentials, TLS settings
 * and (through the backend guard) circuit breaker and pool apply.
 */
export const setBackendService = {
  name: 'set-backend-service',
  sections: ['inbound', 'backend'],
  compile(el, ctx) {
    const baseUrl = ctx.attr(el, 'base-url');
    const backendId = ctx.attr(el, 'backend-id');
    if (!baseUrl && !backendId) ctx.fail(el, '<set-backend-service> needs base-url or backend-id');
    if (backendId && !backendId.isExpression && !ctx.config.backends.has(backendId.literal!)) {
      ctx.fail(el, `backend "${backendId.literal}" does not exist (backends/${backendId.literal}/backend.yaml)`);
    }
    for (const a of el.attributes) {
      if (a.name.startsWith('sf-') || a.name.startsWith('dapr-')) ctx.warn(a, `set-backend-service@${a.name} is ignored by apimops serve`);
    }
    return {
      name: 'set-backend-service',
      run(state) {
        let base: string;
        if (backendId) {
          const id = backendId.string(state);
          const b = ctx.config.backends.get(id);
          if (!b) throw new PolicyError({ source: 'set-backend-service', reason: 'BackendNotFound', message: `Backend with id '${id}' could not be found.`, statusCode: 500 });
          state.backendId = id;
          base = b.url;
        } else {
          state.backendId = undefined;
          base = baseUrl!.string(state);
        }
        state.request.url = rebase(state.request.url, state.backendBaseUrl, base);
        state.backendBaseUrl = base;
      },
    };
  },
} satisfies PolicyModule;

/** Replaces the service-URL part of `url` with `base` (the rest of the path and the query stay). */
export function rebase(url: URL, currentBase: string | undefined, base: string): URL {
  let rest = url.pathname;
  if (currentBase) {
    const cur = safeUrl(currentBase);
    if (cur && url.origin === cur.origin) {
      const p = cur.pathname.replace(/\/$/, '');
      if (rest.toLowerCase().startsWith(p.toLowerCase())) rest = rest.slice(p.length);
    }
  } else if (url.hostname === 'no-service-url.invalid') {
    rest = url.pathname;
  }
  const b = base.replace(/\/$/, '');
  const next = new URL(b + (rest.startsWith('/') || rest === '' ? rest : `/${rest}`));
  next.search = url.search;
  return next;
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
