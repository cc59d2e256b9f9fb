/**
 * How to add a policy (copy this file to `<element-name>.ts`):
 * 1. Export a `PolicyModule` named after the element in camelCase (`setHeader` for `set-header`).
 * 2. List the sections the element is allowed in (POLICY-ENGINE.md §5); the loader rejects it elsewhere with
 *    the position.
 * 3. In `compile`, read every attribute once: `ctx.attr` (literal or `@(…)` expression → `ValueSource`),
 *    `ctx.literal` (expressions not allowed), `ctx.elements` (children), `ctx.compileBlock` (nested policies).
 *    Reject bad configuration with `ctx.fail(node, message)` — never at request time.
 * 4. Return `{ name, run(state) }`. `run` may be sync (cheaper) or async. Return `RETURN_RESPONSE` to end the
 *    pipeline (return-response), `SKIP_TO_OUTBOUND` to skip the backend (mock-response, cache hit); throw a
 *    `PolicyError` (`../errors.js`) for a failure that goes to on-error with `context.LastError`.
 * 5. Add one line to `policies/index.ts`. Test it through `Gateway.dispatch` (test/gateway/).
 *
 * Per-request state (`RequestState`, `../state.ts`): `state.request` / `state.response` (method, url,
 * HeaderBag headers, BodyHolder body), `state.variables`, `state.route` (api, operation, product,
 * subscription), `state.services` (store, clock, logger, backendClient, sleep, uuid, extensions),
 * `state.trace` (undefined unless tracing), `state.section`, `state.lastError`.
 */
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** Example only (not registered): sets a variable to a value. */
export const templatePolicy = {
  name: 'apimops-template',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const name = ctx.literal(el, 'name', { required: true });
    const value = ctx.attr(el, 'value', { required: true });
    return {
      name: 'apimops-template',
      run(state) {
        state.variables.set(name, value.value(state));
      },
    };
  },
} satisfies PolicyModule;
