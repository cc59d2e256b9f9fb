import { ALL_SECTIONS, type PolicyModule } from './types.js';

/**
 * `<include-fragment fragment-id="…"/>` (§3.3): fragments are inlined when the folder loads, so an element
 * that reaches compilation names a fragment that does not exist.
 */
export const includeFragment = {
  name: 'include-fragment',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const id = ctx.literal(el, 'fragment-id', { required: true });
    return ctx.fail(el, `policy fragment "${id}" does not exist`);
  },
} satisfies PolicyModule;
