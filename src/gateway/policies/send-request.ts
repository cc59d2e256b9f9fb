import { runOnMessage } from './target.js';
import { BodyHolder } from '../body.js';
import { BackendError } from '../backend-client.js';
import { responseView } from '../context.js';
import { PolicyError } from '../errors.js';
import { HeaderBag } from '../headers.js';
import type { BackendClient, PipelineRequest, PipelineResponse, RequestState } from '../state.js';
import { ALL_SECTIONS, type CompileContext, type PolicyElement, type PolicyModule, type ValueSource } from './types.js';
import { compileCertificateChoice, type ClientCertificate } from './authentication-certificate.js';

/**
 * `<send-request mode="new|copy" response-variable-name="r" timeout="60" ignore-error="false">` with
 * `set-url`, `set-method`, `set-header`, `set-body`, `authentication-basic|managed-identity|certificate`
 * children (§5.2). The response is stored as an `IResponse`; non-2xx is not an error; a failure goes to
 * on-error unless ignore-error (then the variable is null).
 */
export const sendRequest = {
  name: 'send-request',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const varName = ctx.literal(el, 'response-variable-name');
    const timeout = ctx.attr(el, 'timeout');
    const ignore = (ctx.literal(el, 'ignore-error') ?? 'false').toLowerCase() === 'true';
    const message = compileOutgoing(el, ctx, 'send-request');
    return {
      name: 'send-request',
      async run(state) {
        const out = await message(state);
        const ms = (timeout ? timeout.number(state) : 60) * 1000;
        let res: PipelineResponse;
        try {
          res = await sendOutgoing(state.services.backendClient, out, ms, 'send-request', state.signal);
        } catch (e) {
          if (ignore) {
            if (varName) state.variables.set(varName, null);
            return;
          }
          throw e;
        }
        state.trace?.add({ section: state.section, scope: state.scope, source: 'send-request', message: `${out.request.method} ${out.request.url} → ${res.statusCode}` });
        if (varName) {
          const view = responseView(res);
          Object.defineProperty(view, '__pipelineResponse', { value: res, enumerable: false });
          state.variables.set(varName, view);
        }
      },
    };
  },
} satisfies PolicyModule;

/** A message built by send-request / send-one-way-request, with the client certificate to present. */
export interface OutgoingMessage {
  readonly request: PipelineRequest;
  readonly clientCertificate: ClientCertificate | undefined;
}

const CHILDREN = ['set-method', 'set-header', 'set-body', 'authentication-basic', 'authentication-managed-identity'];

/**
 * Compiles the message part shared by `send-request` and `send-one-way-request`: `mode` (new|copy), `set-url`,
 * the transformation children (run against the outgoing message) and `authentication-certificate`. Returns
 * a function that builds the message for one request (the children run now, against the current context).
 */
export function compileOutgoing(el: PolicyElement, ctx: CompileContext, source: string): (state: RequestState) => Promise<OutgoingMessage> {
  const mode = ctx.attr(el, 'mode');
  if (mode && !mode.isExpression && !['new', 'copy'].includes(mode.literal!.trim().toLowerCase())) ctx.fail(el, `${source}@mode must be "new" or "copy", not "${mode.literal}"`);
  let setUrl: ValueSource | undefined;
  let certificate: ((state: RequestState) => ClientCertificate) | undefined;
  const rest = [];
  for (const c of el.children) {
    if (c.type !== 'element') continue;
    if (c.name === 'set-url') {
      setUrl = ctx.text(c) ?? ctx.fail(c, '<set-url> needs a URL');
    } else if (c.name === 'proxy') {
      ctx.warn(c, `<proxy> inside ${source} is ignored by apimops serve`);
    } else if (c.name === 'authentication-certificate') {
      if (certificate) ctx.fail(c, `<${source}> may hold only one <authentication-certificate>`);
      certificate = compileCertificateChoice(c, ctx);
    } else if (CHILDREN.includes(c.name)) {
      rest.push(c);
    } else {
      ctx.fail(c, `<${source}> cannot hold <${c.name}>`);
    }
  }
  if (!setUrl && (!mode || (!mode.isExpression && mode.literal!.trim().toLowerCase() !== 'copy'))) ctx.fail(el, `<${source}> needs a <set-url> (or mode="copy")`);
  const block = ctx.compileBlock(rest, '');
  return async (state) => {
    const copy = mode ? mode.string(state).trim().toLowerCase() === 'copy' : false;
    let body = BodyHolder.empty();
    // "In outbound mode, mode=copy does not initialize the request body" (send-request-policy.md).
    if (copy && state.section !== 'outbound') {
      const b = state.request.body.isStream ? await state.request.body.read() : state.request.body.buffered;
      if (b) body = BodyHolder.fromBytes(b);
    }
    const outgoing: PipelineRequest = {
      method: copy ? state.request.method : 'GET',
      url: copy ? new URL(state.request.url.toString()) : new URL('http://send-request.invalid/'),
      originalUrl: state.request.originalUrl,
      originalMethod: state.request.originalMethod,
      headers: copy ? state.request.headers.clone() : new HeaderBag(),
      body,
      ipAddress: state.request.ipAddress,
      matchedParameters: state.request.matchedParameters,
    };
    await runOnMessage(state, { kind: 'request', message: outgoing }, block);
    if (setUrl) {
      const u = setUrl.string(state);
      try {
        outgoing.url = new URL(u);
      } catch {
        throw new PolicyError({ source, reason: 'InvalidUrl', message: `${source}: "${u}" is not an absolute URL`, statusCode: 500 });
      }
    }
    return { request: outgoing, clientCertificate: certificate?.(state) };
  };
}

/**
 * Sends a built message and reads the whole answer. A failure is a `PolicyError` with APIM's reasons
 * (`Timeout` → 504, `BackendConnectionFailure` → 500).
 */
export async function sendOutgoing(client: BackendClient, out: OutgoingMessage, timeoutMs: number, source: string, signal: AbortSignal | undefined): Promise<PipelineResponse> {
  const r = out.request;
  let res: PipelineResponse;
  try {
    res = await client.send(
      { method: r.method, url: r.url, headers: r.headers, body: r.body, timeoutMs, followRedirects: false, ...(out.clientCertificate ? { clientCertificate: out.clientCertificate } : {}) },
      signal,
    );
    await res.body.read();
  } catch (e) {
    if (e instanceof BackendError) {
      throw new PolicyError({ source, reason: e.reason, message: e.message, statusCode: e.reason === 'Timeout' ? 504 : 500, cause: e });
    }
    throw e;
  }
  return res;
}
