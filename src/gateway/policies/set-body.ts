import { ALL_SECTIONS, type PolicyModule } from './types.js';
import { targetOf } from './target.js';
import { compileLiquid } from './liquid.js';
import type { RequestState } from '../state.js';

/**
 * `<set-body>…</set-body>` (§5.2): a literal, an expression (string, JObject, byte[] …), or a Liquid template
 * (`template="liquid"`, the subset of `liquid.ts`). Targets the request, the response, or the message
 * return-response / send-request is building.
 */
export const setBody = {
  name: 'set-body',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const template = ctx.literal(el, 'template');
    const value = ctx.text(el, { keepUnknownNamedValues: template?.toLowerCase() === 'liquid' });
    if (template !== undefined && template.toLowerCase() !== 'liquid') ctx.fail(el, `set-body@template must be "liquid", not "${template}"`);
    if (template && value && !value.isExpression) {
      let liquid;
      try {
        liquid = compileLiquid(value.literal!);
      } catch (e) {
        return ctx.fail(el, (e as Error).message);
      }
      return {
        name: 'set-body',
        async run(state) {
          const t = targetOf(state);
          const body = t.message.body;
          const input = body.isStream ? (await body.read()).toString('utf8') : body.text();
          const ctype = t.message.headers.get('content-type') ?? '';
          let parsed: unknown;
          if (/json/i.test(ctype) && input) {
            try {
              parsed = JSON.parse(input);
            } catch {
              parsed = undefined;
            }
          }
          body.set(liquid.render({ body: parsed, context: liquidContext(state) }));
        },
      };
    }
    return {
      name: 'set-body',
      run(state) {
        const t = targetOf(state);
        if (!value) {
          t.message.body.set(undefined);
          return;
        }
        const v = value.value(state);
        if (v instanceof Uint8Array) t.message.body.set(v);
        else t.message.body.set(typeof v === 'string' ? v : value.string(state));
      },
    };
  },
} satisfies PolicyModule;

function liquidContext(state: RequestState): Record<string, unknown> {
  const r = state.request;
  return {
    Request: { Method: r.method, Url: urlView(r.url), OriginalUrl: urlView(r.originalUrl), IpAddress: r.ipAddress, Headers: r.headers, MatchedParameters: Object.fromEntries(r.matchedParameters) },
    Response: { StatusCode: state.response.statusCode, Headers: state.response.headers },
    Variables: Object.fromEntries([...state.variables.entries()].map(([k, v]) => [String(k), v])),
  };
}

function urlView(u: URL): Record<string, unknown> {
  return { Scheme: u.protocol.replace(':', ''), Host: u.hostname, Port: u.port, Path: u.pathname, QueryString: u.search, Query: Object.fromEntries(u.searchParams) };
}
