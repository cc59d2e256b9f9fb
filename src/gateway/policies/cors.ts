import { BodyHolder } from '../body.js';
import { HeaderBag } from '../headers.js';
import { RETURN_RESPONSE, type PolicyModule } from './types.js';

/**
 * `<cors allow-credentials terminate-unmatched-request>` with allowed-origins / allowed-methods /
 * allowed-headers / expose-headers (§5.4). Preflight `OPTIONS` is answered here (nothing else runs); actual
 * requests get `Access-Control-Allow-Origin` & co. on the response. Unmatched origins with
 * terminate-unmatched-request (default true) get an empty 200.
 */
export const cors = {
  name: 'cors',
  sections: ['inbound'],
  compile(el, ctx) {
    const credentials = (ctx.literal(el, 'allow-credentials') ?? 'false').toLowerCase() === 'true';
    const terminate = (ctx.literal(el, 'terminate-unmatched-request') ?? 'true').toLowerCase() === 'true';
    const originsEl = ctx.elements(el, 'allowed-origins')[0] ?? ctx.fail(el, '<cors> needs <allowed-origins>');
    const origins = ctx.elements(originsEl, 'origin').map((o) => (ctx.text(o)?.literal ?? '').trim());
    if (origins.length === 0) ctx.fail(originsEl, '<allowed-origins> needs at least one <origin>');
    if (credentials && origins.includes('*')) ctx.fail(originsEl, 'allow-credentials="true" cannot be combined with the wildcard origin *');
    const methodsEl = ctx.elements(el, 'allowed-methods')[0];
    const methods = methodsEl ? ctx.elements(methodsEl, 'method').map((m) => (ctx.text(m)?.literal ?? '').trim().toUpperCase()) : ['GET', 'POST'];
    const maxAge = methodsEl ? ctx.literal(methodsEl, 'preflight-result-max-age') ?? '0' : '0';
    const headersEl = ctx.elements(el, 'allowed-headers')[0];
    const allowedHeaders = headersEl ? ctx.elements(headersEl, 'header').map((h) => (ctx.text(h)?.literal ?? '').trim()) : [];
    const exposeEl = ctx.elements(el, 'expose-headers')[0];
    const expose = exposeEl ? ctx.elements(exposeEl, 'header').map((h) => (ctx.text(h)?.literal ?? '').trim()) : [];
    const anyOrigin = origins.includes('*');
    const normalisedOrigins = origins.filter((o) => o !== '*').map(normaliseOrigin);
    return {
      name: 'cors',
      run(state) {
        const origin = state.request.headers.get('origin');
        if (origin === undefined) return;
        const matched = anyOrigin || normalisedOrigins.includes(normaliseOrigin(origin));
        const allowOrigin = anyOrigin && !credentials ? '*' : origin;
        const preflight = state.request.method === 'OPTIONS' && state.request.headers.has('access-control-request-method');
        if (preflight) {
          const headers = new HeaderBag();
          const reqMethod = (state.request.headers.get('access-control-request-method') ?? '').toUpperCase();
          const methodOk = methods.includes('*') || methods.includes(reqMethod);
          const reqHeaders = (state.request.headers.get('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
          const headersOk = allowedHeaders.includes('*') || reqHeaders.every((h) => allowedHeaders.some((a) => a.toLowerCase() === h.toLowerCase()));
          if (matched && methodOk && headersOk) {
            headers.set('Access-Control-Allow-Origin', allowOrigin);
            headers.set('Access-Control-Allow-Methods', methods.includes('*') ? reqMethod : methods.join(','));
            if (reqHeaders.length) headers.set('Access-Control-Allow-Headers', allowedHeaders.includes('*') ? reqHeaders.join(',') : allowedHeaders.join(','));
            if (maxAge !== '0') headers.set('Access-Control-Max-Age', maxAge);
            if (credentials) headers.set('Access-Control-Allow-Credentials', 'true');
            if (allowOrigin !== '*') headers.set('Vary', 'Origin');
          }
          state.response = { statusCode: 200, statusReason: 'OK', headers, body: BodyHolder.empty() };
          return RETURN_RESPONSE;
        }
        if (!matched) {
          if (!terminate) return;
          state.response = { statusCode: 200, statusReason: 'OK', headers: new HeaderBag(), body: BodyHolder.empty() };
          return RETURN_RESPONSE;
        }
        // Actual request: the headers are added to whatever response comes back.
        corsPending.set(state, { allowOrigin, expose, credentials });
      },
    };
  },
} satisfies PolicyModule;

/** Response headers to add once the response exists (applied by the gateway when it finishes). */
export const corsPending = new WeakMap<object, { allowOrigin: string; expose: string[]; credentials: boolean }>();

function normaliseOrigin(o: string): string {
  try {
    const u = new URL(o);
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.protocol}//${u.hostname}:${port}`.toLowerCase();
  } catch {
    return o.toLowerCase();
  }
}
