import { BackendError } from '../backend-client.js';
import { PolicyError } from '../errors.js';
import { NO_SERVICE_HOST, type OutboundRequest, type OutboundResponse, type RequestState } from '../state.js';
import type { BackendConfig, PolicyModule } from './types.js';
import { rebase } from './set-backend-service.js';

/**
 * `<forward-request timeout="300" timeout-ms="…" follow-redirects="false" buffer-request-body="false"
 * buffer-response="true" fail-on-error-status-code="false"/>` (§5.2): sends `context.Request` to the backend;
 * the answer becomes `context.Response`. Connection failures → 500 `BackendConnectionFailure`; no response
 * headers within the timeout → 504 `Timeout` (§3.7, message INF).
 */
export const forwardRequest = {
  name: 'forward-request',
  sections: ['backend'],
  compile(el, ctx) {
    const timeout = ctx.attr(el, 'timeout');
    const timeoutMs = ctx.attr(el, 'timeout-ms');
    const follow = ctx.attr(el, 'follow-redirects');
    const buffer = ctx.literal(el, 'buffer-request-body');
    const failOnError = ctx.literal(el, 'fail-on-error-status-code');
    ctx.literal(el, 'buffer-response');
    ctx.literal(el, 'http-version');
    const bufferBody = buffer?.toLowerCase() === 'true';
    const failOnStatus = failOnError?.toLowerCase() === 'true';
    const backends = ctx.config.backends;
    return {
      name: 'forward-request',
      run(state) {
        const ms = timeoutMs ? timeoutMs.number(state) : (timeout ? timeout.number(state) : 300) * 1000;
        const followRedirects = follow ? follow.bool(state) : false;
        // The call's own promise is the policy's result (no async wrapper: one promise layer less a request).
        if (bufferBody && state.request.body.isStream) return state.request.body.read().then(() => callBackend(state, 'forward-request', ms, followRedirects, backends, failOnStatus));
        return callBackend(state, 'forward-request', ms, followRedirects, backends, failOnStatus);
      },
    };
  },
} satisfies PolicyModule;

/**
 * Sends `state.request` to the current backend, applying the backend entity (guard, credentials, TLS), and
 * makes the answer `context.Response`; with `failOnErrorStatus`, a 4xx/5xx answer raises `BackendError`.
 */
export async function callBackend(state: RequestState, source: string, timeoutMs: number, followRedirects: boolean, backends: ReadonlyMap<string, BackendConfig>, failOnErrorStatus = false): Promise<void> {
  let url = state.request.url;
  let memberId: string | undefined;
  const backend: BackendConfig | undefined = state.backendId ? backends.get(state.backendId) : undefined;
  // Copy the headers only when the backend entity adds credentials: the common path sends them as they are.
  const headers = backend?.properties.credentials ? state.request.headers.clone() : state.request.headers;
  if (backend) {
    const guard = state.services.backendGuard;
    if (guard) {
      const chosen = guard.select(backend, state);
      memberId = chosen.memberId;
      if (chosen.url !== backend.url) url = rebase(url, state.backendBaseUrl, chosen.url);
    }
    url = applyCredentials(backend, headers, url);
  }
  if (url.hostname === NO_SERVICE_HOST) {
    throw new PolicyError({ source, reason: 'BackendConnectionFailure', message: 'The API has no service URL and no set-backend-service chose a backend', statusCode: 500 });
  }
  const req: OutboundRequest = {
    method: state.request.method,
    url,
    headers,
    body: state.request.body,
    timeoutMs,
    followRedirects,
    rejectUnauthorized: tlsValidates(backend),
    forwardedFor: state.request.ipAddress,
    // authentication-certificate in the pipeline first, else the backend entity's own certificate.
    clientCertificate: state.clientCertificate ?? backend?.clientCertificate,
    cancel: state.cancel,
  };
  state.trace?.add({ section: state.section, scope: state.scope, source, message: `${req.method} ${url.toString()}`, data: { timeoutMs } });
  let res: OutboundResponse;
  try {
    res = await state.services.backendClient.send(req, state.signal);
  } catch (e) {
    if (e instanceof BackendError) {
      if (e.reason === 'ClientConnectionFailure') {
        // Not the backend's fault (no circuit-breaker failure). Nobody reads this response; on-error still
        // runs (and may log) with APIM's predefined error.
        throw new PolicyError({ source, reason: 'ClientConnectionFailure', message: e.message, statusCode: 500, cause: e });
      }
      if (memberId) state.services.backendGuard!.record(memberId, { errorReason: e.reason }, state);
      if (e.reason === 'Timeout') {
        throw new PolicyError({ source, reason: 'Timeout', message: e.message, statusCode: 504, responseMessage: 'Backend service timeout', cause: e });
      }
      throw new PolicyError({ source, reason: 'BackendConnectionFailure', message: e.message, statusCode: 500, cause: e });
    }
    throw e;
  }
  if (memberId) state.services.backendGuard!.record(memberId, { statusCode: res.statusCode, retryAfter: res.headers.get('retry-after') }, state);
  state.trace?.add({ section: state.section, scope: state.scope, source, message: `backend answered ${res.statusCode}` });
  state.response = res;
  if (failOnErrorStatus && res.statusCode >= 400) {
    throw new PolicyError({ source, reason: 'BackendError', message: `Backend returned ${res.statusCode}`, statusCode: res.statusCode, responseMessage: 'Backend returned an error status code' });
  }
}

/** Backend entity credentials (`credentials.header` / `credentials.query` / `authorization`). */
function applyCredentials(b: BackendConfig, headers: import('../headers.js').HeaderBag, original: URL): URL {
  const creds = b.properties.credentials as Record<string, unknown> | undefined;
  if (!creds) return original;
  // A copy: a retried forward-request must not add the query credentials twice.
  const url = new URL(original);
  const h = creds.header as Record<string, unknown> | undefined;
  if (h) for (const [k, v] of Object.entries(h)) headers.set(k, Array.isArray(v) ? v.map(String) : [String(v)]);
  const q = creds.query as Record<string, unknown> | undefined;
  if (q) for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(x));
  const auth = creds.authorization as { scheme?: string; parameter?: string } | undefined;
  if (auth?.scheme) headers.set('Authorization', `${auth.scheme} ${auth.parameter ?? ''}`.trim());
  return url;
}

function tlsValidates(b: BackendConfig | undefined): boolean | undefined {
  const tls = b?.properties.tls as { validateCertificateChain?: boolean; validateCertificateName?: boolean } | undefined;
  if (!tls) return undefined;
  return tls.validateCertificateChain === false || tls.validateCertificateName === false ? false : undefined;
}
