import { encodeResponse, lookupNote } from '../cache-entries.js';
import { withStore } from '../limits.js';
import type { PolicyModule } from './types.js';

/**
 * `<cache-store duration="seconds" cache-response="true|false"/>` (POLICY-ENGINE.md §5.5): stores the
 * response of a GET that `cache-lookup` missed. Only 200s unless `cache-response` is true; never a response
 * the backend marked `Cache-Control: no-store`, nor `private` unless the lookup allowed private caching.
 * `downstream-caching-type` of the lookup sets `Cache-Control` for the client.
 */
export const cacheStore = {
  name: 'cache-store',
  sections: ['outbound'],
  compile(el, ctx) {
    const duration = ctx.attr(el, 'duration', { required: true });
    const cacheResponse = ctx.attr(el, 'cache-response');
    return {
      name: 'cache-store',
      async run(state) {
        const note = lookupNote(state);
        if (!note || state.request.method !== 'GET') return;
        const seconds = duration.number(state);
        const res = state.response;
        // The backend's own Cache-Control decides what may be stored; read it before downstream-caching-type
        // replaces it for the client.
        const backendCc = (res.headers.get('cache-control') ?? '').toLowerCase();
        if (note.downstream !== 'none') {
          const cc = `${note.downstream}, max-age=${Math.max(0, Math.floor(seconds))}${note.mustRevalidate ? ', must-revalidate' : ''}`;
          if (!res.headers.has('cache-control') || !note.hit) res.headers.set('Cache-Control', cc);
        }
        if (note.hit || !(seconds > 0)) return;
        const anyStatus = cacheResponse ? cacheResponse.bool(state) : false;
        if (!anyStatus && res.statusCode !== 200) return;
        if (/\bno-store\b/.test(backendCc)) return;
        if (/\bprivate\b/.test(backendCc) && !note.allowPrivate) return;
        const body = await res.body.read();
        const entry = encodeResponse(res, body);
        const now = state.services.clock();
        await withStore(state, 'cache-store', () => state.services.store.setValue(note.key, entry, seconds * 1000, now));
      },
    };
  },
} satisfies PolicyModule;
