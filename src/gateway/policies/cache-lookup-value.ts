import { cacheIsNoOp, CACHING_TYPES, decodeValue } from '../cache-entries.js';
import { withStore } from '../limits.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/**
 * `<cache-lookup-value key variable-name default-value caching-type/>` (POLICY-ENGINE.md §5.5): on a hit the
 * variable gets the stored value; on a miss it gets `default-value`, or is left unset when there is none
 * (policies test `context.Variables.ContainsKey`).
 */
export const cacheLookupValue = {
  name: 'cache-lookup-value',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const key = ctx.attr(el, 'key', { required: true });
    const variable = ctx.literal(el, 'variable-name', { required: true });
    const fallback = ctx.attr(el, 'default-value');
    const cachingType = (ctx.literal(el, 'caching-type') ?? 'prefer-external').toLowerCase();
    if (!CACHING_TYPES.includes(cachingType)) ctx.fail(el, `cache-lookup-value@caching-type must be internal, external or prefer-external, not "${cachingType}"`);
    return {
      name: 'cache-lookup-value',
      async run(state) {
        const stored = cacheIsNoOp(state, cachingType)
          ? undefined
          : await withStore(state, 'cache-lookup-value', () => state.services.store.getValue(`val|${key.string(state)}`, state.services.clock()));
        if (stored !== undefined) state.variables.set(variable, decodeValue(stored));
        else if (fallback) state.variables.set(variable, fallback.value(state));
      },
    };
  },
} satisfies PolicyModule;
