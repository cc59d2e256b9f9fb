import { BodyHolder } from '../body.js';
import { BackendError } from '../backend-client.js';
import { responseView } from '../context.js';
import { PolicyError } from '../errors.js';
import { HeaderBag } from '../headers.js';
import type { PipelineRequest, PipelineResponse } from '../state.js';
import { ALL_SECTIONS, type PolicyModule, type ValueSource } from './types.js';

/**
 * `<send-request mode="new|copy" response-variable-name="r" timeout="60" ignore-error="false">` with
 * `set-url`, `set-method`, `set-header`, `set-body`, `authentication-basic` children (§5.2). The response is
 * stored as an `IResponse`; non-2xx is not an error; a failure goes to on-error unless ignore-error (then the
 * variable is null).
 */
export const sendRequest = {
  name: 'send-request',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const mode = ctx.attr(el, 'mode');
    const varName = ctx.literal(el, 'response-variable-name');
    const timeout = ctx.attr(el, 'timeout');
    const ignore = (ctx.literal(el, 'ignore-error') ?? 'false').toLowerCase() === 'true';
    let setUrl: ValueSource | undefined;
    const rest = [];
    for (const c of el.children) {
      if (c.type === 'element' && c.name === 'set-url') {
        setUrl = ctx.text(c) ?? ctx.fail(c, '<set-url> needs a URL');
      } else if (c.type === 'element' && c.name === 'proxy') {
        ctx.warn(c, '<proxy> inside send-request is ignored by apimops serve');
      } else rest.push(c);
    }
    for (const c of rest) {
      if (c.type === 'element' && !['set-method', 'set-header', 'set-body', 'authentication-basic', 'authentication-managed-identity', 'authentication-certificate'].includes(c.name)) {
        ctx.fail(c, `<send-request> cannot hold <${c.name}>`);
      }
    }
    if (!setUrl && (!mode || (!mode.isExpression && mode.literal !== 'copy'))) ctx.fail(el, '<send-request> needs a <set-url> (or mode="copy")');
    const block = ctx.compileBlock(rest, 'send-request');
    return {
      name: 'send-request',
      async run(state) {
        const copy = mode ? mode.string(state).toLowerCase() === 'copy' : false;
        let body = BodyHolder.empty();
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
        const saved = state.messageOverride;
        state.messageOverride = { kind: 'request', message: outgoing };
        try {
          await block.run(state);
        } finally {
          state.messageOverride = saved;
        }
        if (setUrl) {
          const u = setUrl.string(state);
          try {
            outgoing.url = new URL(u);
          } catch {
            throw new PolicyError({ source: 'send-request', reason: 'InvalidUrl', message: `send-request: "${u}" is not an absolute URL`, statusCode: 500 });
          }
        }
        const ms = (timeout ? timeout.number(state) : 60) * 1000;
        let res: PipelineResponse;
        try {
          res = await state.services.backendClient.send(
            { method: outgoing.method, url: outgoing.url, headers: outgoing.headers, body: outgoing.body, timeoutMs: ms, followRedirects: false },
            state.signal,
          );
          await res.body.read();
        } catch (e) {
          if (ignore) {
            if (varName) state.variables.set(varName, null);
            return;
          }
          if (e instanceof BackendError) {
            throw new PolicyError({ source: 'send-request', reason: e.reason, message: e.message, statusCode: e.reason === 'Timeout' ? 504 : 500, cause: e });
          }
          throw e;
        }
        state.trace?.add({ section: state.section, scope: state.scope, source: 'send-request', message: `${outgoing.method} ${outgoing.url} → ${res.statusCode}` });
        if (varName) {
          const view = responseView(res);
          Object.defineProperty(view, '__pipelineResponse', { value: res, enumerable: false });
          state.variables.set(varName, view);
        }
      },
    };
  },
} satisfies PolicyModule;
