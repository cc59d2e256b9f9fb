import { PolicyError } from '../errors.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** `services.extensions` key of the in-flight counts (per gateway process, like APIM per instance). */
const EXTENSION = 'apimops.limitConcurrency';

/**
 * `<limit-concurrency key max-count>…</limit-concurrency>` (POLICY-ENGINE.md §5.1): at most `max-count`
 * requests run the children at once per key value; one more fails at once with 429.
 */
export const limitConcurrency = {
  name: 'limit-concurrency',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const key = ctx.attr(el, 'key', { required: true });
    const maxRaw = ctx.literal(el, 'max-count', { required: true });
    const max = Number(maxRaw.trim());
    if (!Number.isInteger(max) || max < 1) ctx.fail(el, `limit-concurrency@max-count must be a positive whole number, not "${maxRaw}"`);
    const block = ctx.compileBlock(el.children, '');
    return {
      name: 'limit-concurrency',
      async run(state) {
        let counts = state.services.extensions.get(EXTENSION) as Map<string, number> | undefined;
        if (!counts) state.services.extensions.set(EXTENSION, (counts = new Map()));
        const k = key.string(state);
        const inFlight = counts.get(k) ?? 0;
        if (inFlight >= max) {
          throw new PolicyError({ source: 'limit-concurrency', reason: 'ConcurrencyLimitExceeded', message: 'Too many concurrent requests', statusCode: 429, responseMessage: 'Too many concurrent requests.' });
        }
        counts.set(k, inFlight + 1);
        try {
          return await block.run(state);
        } finally {
          const left = (counts.get(k) ?? 1) - 1;
          if (left <= 0) counts.delete(k);
          else counts.set(k, left);
        }
      },
    };
  },
} satisfies PolicyModule;
