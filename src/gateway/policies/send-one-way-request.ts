import { ALL_SECTIONS, type PolicyModule } from './types.js';
import { compileOutgoing, sendOutgoing } from './send-request.js';

/** `services.extensions` key of the one-way calls still in flight (a `Set<Promise<void>>`, see `pendingOneWayRequests`). */
export const ONE_WAY_REQUESTS_EXTENSION = 'apimops.sendOneWayRequest.pending';

/**
 * `<send-one-way-request mode="new|copy" timeout="60">` with the children of send-request (§5.7): the
 * message is built now (the children see the current context), then sent without waiting — the pipeline
 * goes on at once. The answer is discarded; a failure is written to the log (`warn` event) and the trace,
 * never raised. The call does not follow the client: it is not cancelled when the client goes away.
 */
export const sendOneWayRequest = {
  name: 'send-one-way-request',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const timeout = ctx.attr(el, 'timeout');
    const message = compileOutgoing(el, ctx, 'send-one-way-request');
    return {
      name: 'send-one-way-request',
      async run(state) {
        const out = await message(state);
        const ms = (timeout ? timeout.number(state) : 60) * 1000;
        const services = state.services;
        const requestId = state.requestId;
        const call = sendOutgoing(services.backendClient, out, ms, 'send-one-way-request', undefined).then(
          () => undefined,
          (e: unknown) => {
            services.logger.event('warn', { source: 'send-one-way-request', requestId, method: out.request.method, url: out.request.url.toString(), message: (e as Error)?.message ?? String(e) });
          },
        );
        // Tracked so a caller (tests, a graceful stop) can wait for the calls in flight instead of sleeping.
        const pending = pendingSet(services.extensions);
        pending.add(call);
        void call.finally(() => pending.delete(call));
        state.trace?.add({ section: state.section, scope: state.scope, source: 'send-one-way-request', message: `${out.request.method} ${out.request.url} (not awaited)` });
      },
    };
  },
} satisfies PolicyModule;

function pendingSet(extensions: Map<string, unknown>): Set<Promise<void>> {
  let s = extensions.get(ONE_WAY_REQUESTS_EXTENSION) as Set<Promise<void>> | undefined;
  if (!s) extensions.set(ONE_WAY_REQUESTS_EXTENSION, (s = new Set()));
  return s;
}

/** Resolves when every one-way call started so far (through gateways sharing `extensions`) has finished. */
export async function pendingOneWayRequests(extensions: Map<string, unknown>): Promise<void> {
  const s = extensions.get(ONE_WAY_REQUESTS_EXTENSION) as Set<Promise<void>> | undefined;
  while (s && s.size > 0) await Promise.all([...s]);
}
