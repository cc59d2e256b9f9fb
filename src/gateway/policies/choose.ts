import type { CompiledBlock, PolicyModule, ValueSource } from './types.js';
import { ALL_SECTIONS } from './types.js';

/**
 * `<choose><when condition="…">…</when>*<otherwise>…</otherwise>?</choose>` (§5.1): the first true `when`
 * runs, else `otherwise`. Children are compiled in the same section.
 */
export const choose = {
  name: 'choose',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const branches: { condition: ValueSource; block: CompiledBlock }[] = [];
    let otherwise: CompiledBlock | undefined;
    const whens = ctx.elements(el, 'when');
    let n = 0;
    for (const c of ctx.elements(el)) {
      if (c.name === 'when') {
        n++;
        const condition = ctx.attr(c, 'condition', { required: true });
        if (!condition.isExpression && !/^(true|false)$/i.test(condition.literal!.trim())) {
          ctx.fail(c, `when@condition must be a Boolean expression or true/false, not "${condition.literal}"`);
        }
        branches.push({ condition, block: ctx.compileBlock(c.children, whens.length > 1 ? `when[${n}]` : 'when') });
      } else if (c.name === 'otherwise') {
        if (otherwise) ctx.fail(c, '<choose> may have only one <otherwise>');
        otherwise = ctx.compileBlock(c.children, 'otherwise');
      } else {
        ctx.fail(c, `<choose> holds <when> and <otherwise>, not <${c.name}>`);
      }
    }
    if (branches.length === 0) ctx.fail(el, '<choose> needs at least one <when condition="…">');
    return {
      name: 'choose',
      run(state) {
        for (const b of branches) if (b.condition.bool(state)) return b.block.run(state);
        return otherwise?.run(state);
      },
    };
  },
} satisfies PolicyModule;
