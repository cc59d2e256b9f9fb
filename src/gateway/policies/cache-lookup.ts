import { cacheIsNoOp, CACHING_TYPES, decodeResponse, setLookupNote } from '../cache-entries.js';
import { withStore } from '../limits.js';
import type { RequestState } from '../state.js';
import { SKIP_TO_OUTBOUND, type PolicyModule, type ValueSource } from './types.js';

/**
 * `<cache-lookup vary-by-developer vary-by-developer-groups caching-type downstream-caching-type
 * must-revalidate allow-private-response-caching><vary-by-header/>*<vary-by-query-parameter/>*</cache-lookup>`
 * (POLICY-ENGINE.md §5.5). Only GETs are looked up. A hit becomes the response and skips the backend
 * (outbound still runs); a miss leaves a note for `cache-store`. The key is the operation, the path, the
 * listed query parameters (all of them when none is listed), the listed headers, and the developer or
 * groups when asked.
 */
export const cacheLookup = {
  name: 'cache-lookup',
  sections: ['inbound'],
  compile(el, ctx) {
    const byDeveloper = ctx.attr(el, 'vary-by-developer');
    const byGroups = ctx.attr(el, 'vary-by-developer-groups');
    const cachingType = (ctx.literal(el, 'caching-type') ?? 'prefer-external').toLowerCase();
    if (!CACHING_TYPES.includes(cachingType)) ctx.fail(el, `cache-lookup@caching-type must be internal, external or prefer-external, not "${cachingType}"`);
    const downstream = ctx.attr(el, 'downstream-caching-type');
    const mustRevalidate = ctx.attr(el, 'must-revalidate');
    const allowPrivate = ctx.attr(el, 'allow-private-response-caching');
    const headers: ValueSource[] = [];
    const params: ValueSource[] = [];
    for (const c of ctx.elements(el)) {
      if (c.name === 'vary-by-header') headers.push(ctx.text(c) ?? ctx.fail(c, '<vary-by-header> is empty'));
      else if (c.name === 'vary-by-query-parameter') params.push(ctx.text(c) ?? ctx.fail(c, '<vary-by-query-parameter> is empty'));
      else ctx.fail(c, `<cache-lookup> does not take <${c.name}>`);
    }
    return {
      name: 'cache-lookup',
      async run(state) {
        if (state.request.method !== 'GET' || cacheIsNoOp(state, cachingType)) return;
        const allow = allowPrivate ? allowPrivate.bool(state) : false;
        // A request with credentials gets a private answer: APIM does not cache it unless allowed.
        if (!allow && state.request.headers.has('authorization')) return;
        const ds = (downstream ? downstream.string(state) : 'none').toLowerCase();
        const key = cacheKey(state, {
          headers: headers.map((h) => h.string(state)),
          params: params.flatMap((p) => p.string(state).split(';')).map((p) => p.trim()).filter(Boolean),
          developer: byDeveloper ? byDeveloper.bool(state) : false,
          groups: byGroups ? byGroups.bool(state) : false,
        });
        const now = state.services.clock();
        const stored = await withStore(state, 'cache-lookup', () => state.services.store.getValue(key, now));
        const note = { key, hit: stored !== undefined, downstream: (ds === 'private' || ds === 'public' ? ds : 'none') as 'none' | 'private' | 'public', mustRevalidate: mustRevalidate ? mustRevalidate.bool(state) : true, allowPrivate: allow };
        setLookupNote(state, note);
        state.trace?.add({ section: state.section, scope: state.scope, source: 'cache-lookup', message: stored === undefined ? `miss ${key}` : `hit ${key}` });
        if (stored === undefined) return;
        state.response = decodeResponse(stored);
        return SKIP_TO_OUTBOUND;
      },
    };
  },
} satisfies PolicyModule;

/** The cache key of a request (exported for tests and `cache-store`). */
export function cacheKey(state: RequestState, vary: { headers: string[]; params: string[]; developer: boolean; groups: boolean }): string {
  const url = state.request.originalUrl;
  const query = [...url.searchParams.entries()]
    .filter(([k]) => vary.params.length === 0 || vary.params.some((p) => p.toLowerCase() === k.toLowerCase()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const parts = [`resp`, state.route.api.id, state.route.operation?.id ?? '', url.pathname.toLowerCase(), query];
  for (const h of [...vary.headers].sort()) parts.push(`${h.toLowerCase()}=${state.request.headers.get(h) ?? ''}`);
  if (vary.developer) parts.push(`dev=${state.route.subscription?.userId ?? state.route.subscription?.id ?? 'anonymous'}`);
  if (vary.groups) parts.push(`groups=${[...(state.route.product?.groups ?? [])].sort().join(',')}`);
  return parts.join('|');
}
