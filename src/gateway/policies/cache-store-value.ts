import { cacheIsNoOp, CACHING_TYPES, encodeValue } from '../cache-entries.js';
import { withStore } from '../limits.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** `<cache-store-value key value duration caching-type/>` (POLICY-ENGINE.md §5.5): stored at once. */
export const cacheStoreValue = {
  name: 'cache-store-value',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const key = ctx.attr(el, 'key', { required: true });
    const value = ctx.attr(el, 'value', { required: true });
    const duration = ctx.attr(el, 'duration', { required: true });
    const cachingType = (ctx.literal(el, 'caching-type') ?? 'prefer-external').toLowerCase();
    if (!CACHING_TYPES.includes(cachingType)) ctx.fail(el, `cache-store-value@caching-type must be internal, external or prefer-external, not "${cachingType}"`);
    return {
      name: 'cache-store-value',
      async run(state) {
        if (cacheIsNoOp(state, cachingType)) return;
        const seconds = duration.number(state);
        if (!(seconds > 0)) return;
        const entry = encodeValue(value.value(state));
        const k = `val|${key.string(state)}`;
        await withStore(state, 'cache-store-value', () => state.services.store.setValue(k, entry, seconds * 1000, state.services.clock()));
      },
    };
  },
} satisfies PolicyModule;
