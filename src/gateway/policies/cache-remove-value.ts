import { cacheIsNoOp, CACHING_TYPES } from '../cache-entries.js';
import { withStore } from '../limits.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** `<cache-remove-value key caching-type/>` (POLICY-ENGINE.md §5.5). */
export const cacheRemoveValue = {
  name: 'cache-remove-value',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const key = ctx.attr(el, 'key', { required: true });
    const cachingType = (ctx.literal(el, 'caching-type') ?? 'prefer-external').toLowerCase();
    if (!CACHING_TYPES.includes(cachingType)) ctx.fail(el, `cache-remove-value@caching-type must be internal, external or prefer-external, not "${cachingType}"`);
    return {
      name: 'cache-remove-value',
      async run(state) {
        if (cacheIsNoOp(state, cachingType)) return;
        await withStore(state, 'cache-remove-value', () => state.services.store.deleteValue(`val|${key.string(state)}`));
      },
    };
  },
} satisfies PolicyModule;
