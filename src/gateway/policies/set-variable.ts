import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** `<set-variable name="x" value="…"/>` (§5.1): a literal is stored as a string, an expression keeps its type. */
export const setVariable = {
  name: 'set-variable',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const name = ctx.literal(el, 'name', { required: true });
    const value = ctx.attr(el, 'value', { required: true });
    return {
      name: 'set-variable',
      run(state) {
        state.variables.set(name, value.value(state));
      },
    };
  },
} satisfies PolicyModule;
