import type { RequestState } from '../state.js';
import { positiveInt } from './rate-limit-by-key.js';
import { ALL_SECTIONS, type PolicyModule } from './types.js';

/** The wait before retry number `n` (1-based), POLICY-ENGINE.md §5.1 `retry`. `random` is in [0, 1). */
export function retryDelayMs(
  n: number,
  o: { intervalS: number; maxIntervalS?: number; deltaS?: number; firstFastRetry: boolean },
  random: () => number = Math.random,
): number {
  if (n === 1 && o.firstFastRetry) return 0;
  // With first-fast-retry the waits after the immediate one start from the first interval again.
  const k = o.firstFastRetry ? n - 1 : n;
  let seconds: number;
  if (o.deltaS === undefined) seconds = o.intervalS;
  else if (o.maxIntervalS === undefined) seconds = o.intervalS + (k - 1) * o.deltaS;
  else {
    const jitter = o.deltaS * (0.8 + 0.4 * random());
    seconds = Math.min(o.intervalS + (2 ** k - 1) * jitter, o.maxIntervalS);
  }
  return Math.max(0, seconds * 1000);
}

/**
 * `<retry condition count interval max-interval delta first-fast-retry>…</retry>` (POLICY-ENGINE.md §5.1):
 * runs its children once, then again while `condition` (evaluated after each run) is true and fewer than
 * `count` retries were made. Waits go through `services.sleep`, so tests never wait. The request body is
 * buffered before the first run, so every attempt re-sends the same bytes. An error inside stops the retry
 * and goes to on-error.
 */
export const retry = {
  name: 'retry',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const condition = ctx.attr(el, 'condition', { required: true });
    const count = positiveInt(ctx, el, ctx.attr(el, 'count', { required: true }), 'retry@count', { max: 50, allowZero: true });
    const interval = positiveInt(ctx, el, ctx.attr(el, 'interval', { required: true }), 'retry@interval', { allowZero: true });
    const maxAttr = ctx.attr(el, 'max-interval');
    const deltaAttr = ctx.attr(el, 'delta');
    const maxInterval = maxAttr ? positiveInt(ctx, el, maxAttr, 'retry@max-interval', { allowZero: true }) : undefined;
    const delta = deltaAttr ? positiveInt(ctx, el, deltaAttr, 'retry@delta', { allowZero: true }) : undefined;
    const fast = ctx.attr(el, 'first-fast-retry');
    const block = ctx.compileBlock(el.children, '');
    return {
      name: 'retry',
      async run(state: RequestState) {
        if (state.request.body.isStream) await state.request.body.read();
        const retries = count(state);
        const options = {
          intervalS: interval(state),
          maxIntervalS: maxInterval?.(state),
          deltaS: delta?.(state),
          firstFastRetry: fast ? fast.bool(state) : false,
        };
        for (let n = 0; ; n++) {
          const signal = await block.run(state);
          if (signal) return signal;
          if (n >= retries || !condition.bool(state)) return undefined;
          const wait = retryDelayMs(n + 1, options);
          state.trace?.add({ section: state.section, scope: state.scope, source: 'retry', message: `retry ${n + 1} of ${retries} after ${wait} ms` });
          if (wait > 0) await state.services.sleep(wait);
        }
      },
    };
  },
} satisfies PolicyModule;
