import { PolicyError } from '../errors.js';
import type { CompiledBlock, PolicyModule, RequestState, SectionSignal } from './types.js';

/** The elements `wait` may hold (wait-policy.md). */
const CHILDREN = ['send-request', 'cache-lookup-value', 'choose'];

/** What a branch may write that must not leak between concurrent branches (each keeps its own). */
const BRANCH_LOCAL = new Set<PropertyKey>(['messageOverride', 'scope', 'section', 'context']);

/**
 * `<wait for="all|any">` with `send-request`, `cache-lookup-value` and `choose` children (§5.7): the
 * children run concurrently; `all` (the default) completes when every child has, `any` when the first one
 * has (the others keep running, their outcome ignored). With `all`, the first failure in document order
 * is raised once every child has settled, so the outcome does not depend on timing.
 *
 * Each child runs on a branch of the request state (a prototype view): variables, the request and the
 * response are shared as in APIM, while what a policy sets only for the duration of its own run
 * (`messageOverride` of send-request, the scope label) stays with its branch. Anything else a branch writes
 * (`set-backend-service` inside a `choose`, …) is copied back when the branch finishes.
 */
export const wait = {
  name: 'wait',
  sections: ['inbound', 'backend', 'outbound'],
  compile(el, ctx) {
    const forAttr = ctx.attr(el, 'for');
    const literalFor = forAttr && !forAttr.isExpression ? forAttr.literal!.trim().toLowerCase() : undefined;
    if (literalFor !== undefined && literalFor !== 'all' && literalFor !== 'any') ctx.fail(el, `wait@for must be "all" or "any", not "${literalFor}"`);
    const children = ctx.elements(el);
    if (children.length === 0) ctx.fail(el, '<wait> needs at least one child policy (send-request, cache-lookup-value or choose)');
    for (const c of children) if (!CHILDREN.includes(c.name)) ctx.fail(c, `<wait> can hold send-request, cache-lookup-value and choose, not <${c.name}>`);
    // One block per child (they run side by side); LastError paths `wait\send-request[2]`.
    const branches: CompiledBlock[] = ctx.compileEach(children);
    const forOf = (state: RequestState): boolean => {
      if (!forAttr) return false;
      if (literalFor !== undefined) return literalFor === 'any';
      const v = forAttr.string(state).trim().toLowerCase();
      if (v !== 'all' && v !== 'any') throw new PolicyError({ source: 'wait', reason: 'InvalidValue', message: `wait@for must be "all" or "any", not "${v}"`, statusCode: 500 });
      return v === 'any';
    };
    return {
      name: 'wait',
      async run(state) {
        const any = forOf(state);
        const runs = branches.map((b) => runBranch(b, state));
        if (any) {
          // The losers keep running; their failures are not this request's (nothing awaits them).
          for (const r of runs) r.catch(() => undefined);
          return (await Promise.race(runs)) ?? undefined;
        }
        const settled = await Promise.allSettled(runs);
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
        for (const s of settled) if (s.status === 'fulfilled' && s.value) return s.value;
        return undefined;
      },
    };
  },
} satisfies PolicyModule;

/** Runs one child on its own branch of `state`. */
async function runBranch(block: CompiledBlock, state: RequestState): Promise<void | SectionSignal> {
  const branch = Object.create(state) as RequestState;
  // Own slots, so a send-request in this branch never sees (or restores) another branch's message.
  branch.messageOverride = state.messageOverride;
  branch.scope = state.scope;
  try {
    return (await block.run(branch)) ?? undefined;
  } finally {
    for (const key of Reflect.ownKeys(branch)) {
      if (!BRANCH_LOCAL.has(key)) (state as unknown as Record<PropertyKey, unknown>)[key] = (branch as unknown as Record<PropertyKey, unknown>)[key];
    }
  }
}
