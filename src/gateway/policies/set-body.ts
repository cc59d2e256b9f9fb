import { XMLParser } from 'fast-xml-parser';
import { ALL_SECTIONS, type CompileContext, type PolicyElement, type PolicyModule, type PolicyPosition } from './types.js';
import { targetOf } from './target.js';
import { compileLiquid, LiquidSyntaxError, type LiquidTemplate } from './liquid.js';
import type { RequestState } from '../state.js';

/**
 * `<set-body>…</set-body>` (§5.2): a literal, an expression (string, JObject, byte[] …), or a Liquid template
 * (`template="liquid"`, the dialect of `liquid.ts`, compiled once here). Targets the request, the response,
 * or the message return-response / send-request is building.
 */
export const setBody = {
  name: 'set-body',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const template = ctx.literal(el, 'template');
    const value = ctx.text(el, { keepUnknownNamedValues: template?.toLowerCase() === 'liquid' });
    if (template !== undefined && template.toLowerCase() !== 'liquid') ctx.fail(el, `set-body@template must be "liquid", not "${template}"`);
    if (template && value && !value.isExpression) {
      const liquid = compileTemplate(el, ctx, value.literal!);
      return {
        name: 'set-body',
        async run(state) {
          const t = targetOf(state);
          const body = t.message.body;
          const input = body.isStream ? (await body.read()).toString('utf8') : body.text();
          const parsed = parseBody(input, t.message.headers.get('content-type') ?? '');
          body.set(liquid.render({ body: parsed, context: liquidContext(state) }, { now: state.services.clock }));
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

/** Compiles the template; a syntax error becomes a load error at the position of the offending tag. */
function compileTemplate(el: PolicyElement, ctx: CompileContext, text: string): LiquidTemplate {
  try {
    return compileLiquid(text);
  } catch (e) {
    if (!(e instanceof LiquidSyntaxError)) throw e;
    const snippet = text.slice(e.offset, e.offset + 40).split('\n')[0]!;
    return ctx.fail({ pos: positionOf(el, snippet) ?? el.pos }, e.message);
  }
}

/** Where `snippet` (the start of a tag) is in the element's text, as a file position. */
function positionOf(el: PolicyElement, snippet: string): PolicyPosition | undefined {
  for (const c of el.children) {
    if (c.type === 'text') {
      const i = c.text.indexOf(snippet);
      if (i < 0) continue;
      const before = c.text.slice(0, i);
      const lines = before.split('\n');
      const line = c.pos.line + lines.length - 1;
      const column = lines.length === 1 ? c.pos.column + before.length : lines[lines.length - 1]!.length + 1;
      return { file: c.pos.file, line, column, offset: c.pos.offset + i };
    }
    if (c.type === 'element') {
      const p = positionOf(c, snippet);
      if (p) return p;
    }
  }
  return undefined;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

/**
 * `body` for the template: the parsed JSON or XML when the content type says so (§5.2), else undefined.
 * XML elements become members by local name (prefixes dropped), repeated elements arrays, attributes `@name`.
 */
function parseBody(input: string, contentType: string): unknown {
  if (!input) return undefined;
  const ct = contentType.split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json' || ct === 'text/json' || ct.endsWith('+json')) {
    try {
      return JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  if (ct === 'application/xml' || ct === 'text/xml' || ct.endsWith('+xml')) {
    try {
      return xml.parse(input, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The `context` Liquid sees (§5.2): Request/Response members, and the variables. */
function liquidContext(state: RequestState): Record<string, unknown> {
  const r = state.request;
  return {
    Request: {
      Method: r.method,
      OriginalMethod: r.originalMethod,
      Url: urlView(r.url),
      OriginalUrl: urlView(r.originalUrl),
      IpAddress: r.ipAddress,
      Headers: r.headers,
      MatchedParameters: r.matchedParameters,
      HasBody: r.body.present,
    },
    Response: { StatusCode: state.response.statusCode, Method: r.method, Headers: state.response.headers },
    Variables: state.variables,
  };
}

function urlView(u: URL): Record<string, unknown> {
  return { Scheme: u.protocol.replace(':', ''), Host: u.hostname, Port: u.port, Path: u.pathname, QueryString: u.search, Query: Object.fromEntries(u.searchParams), ToUri: u.toString(), ToString: u.toString() };
}
