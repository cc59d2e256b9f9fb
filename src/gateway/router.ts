/**
 * Request → API → operation (POLICY-ENGINE.md §4.1–§4.2). Pure: built once at load from the loaded APIs,
 * then `matchApi` / `matchOperation` per request.
 *
 * - API: longest path prefix on a segment boundary, case-insensitive; `;rev=n` on the API path segment picks
 *   a revision; version sets by path segment, header or query; protocols (http/https) must list the scheme.
 * - Operation: exact method; URL template segments, `{name}` one segment, `{*name}` the rest; literal segments
 *   beat parameters (left to right), then declaration order. Query parameters named in the template must be
 *   present and are captured.
 */

/** What the router needs to know about an API. */
export interface RoutableApi {
  /** Unique key (resource key). */
  key: string;
  /** URL suffix, without leading/trailing `/` (may be empty, may contain `/`). */
  path: string;
  protocols: readonly string[];
  revision: string;
  isCurrent: boolean;
  /** Version set scheme and id, when the API is part of a version set. */
  version?: { scheme: 'Segment' | 'Header' | 'Query'; name: string | undefined; id: string; setKey: string };
}

export interface RoutableOperation {
  key: string;
  method: string;
  urlTemplate: string;
}

/** A compiled URL template. */
export interface CompiledTemplate {
  segments: TemplateSegment[];
  /** Query parameters in the template: `include={include}` → [name, param]. */
  query: { name: string; param: string | undefined; literal: string | undefined }[];
  /** Number of literal segments (precedence). */
  literals: number;
  wildcard: boolean;
}

type TemplateSegment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string; prefix: string; suffix: string }
  | { kind: 'wildcard'; name: string };

/** Compiles `/users/{id}/x?include={include}`. */
export function compileTemplate(template: string): CompiledTemplate {
  const [pathPart = '', queryPart] = splitOnce(template, '?');
  const segments: TemplateSegment[] = [];
  let literals = 0;
  let wildcard = false;
  for (const raw of pathPart.split('/').filter((s) => s.length > 0)) {
    const w = /^\{\*([^}]+)\}$/.exec(raw);
    if (w) {
      segments.push({ kind: 'wildcard', name: w[1]! });
      wildcard = true;
      continue;
    }
    const p = /^([^{]*)\{([^}*]+)\}(.*)$/.exec(raw);
    if (p) {
      segments.push({ kind: 'param', prefix: p[1]!.toLowerCase(), name: p[2]!, suffix: p[3]!.toLowerCase() });
      continue;
    }
    segments.push({ kind: 'literal', value: safeDecode(raw).toLowerCase() });
    literals++;
  }
  const query: CompiledTemplate['query'] = [];
  if (queryPart) {
    for (const pair of queryPart.split('&')) {
      if (!pair) continue;
      const [name = '', value = ''] = splitOnce(pair, '=');
      const m = /^\{([^}]+)\}$/.exec(value);
      query.push({ name, param: m ? m[1] : undefined, literal: m ? undefined : value });
    }
  }
  return { segments, query, literals, wildcard };
}

/**
 * Matches a path (already relative to the API, starting with `/` or empty) and query against a template.
 * Returns the captured parameters, or undefined.
 */
export function matchTemplate(t: CompiledTemplate, pathSegments: readonly string[], query: URLSearchParams): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let i = 0;
  for (const seg of t.segments) {
    if (seg.kind === 'wildcard') {
      params.set(seg.name, pathSegments.slice(i).map(safeDecode).join('/'));
      i = pathSegments.length;
      break;
    }
    const actual = pathSegments[i];
    if (actual === undefined) return undefined;
    if (seg.kind === 'literal') {
      if ((actual.includes('%') ? safeDecode(actual) : actual).toLowerCase() !== seg.value) return undefined;
    } else {
      const lower = actual.toLowerCase();
      if (!lower.startsWith(seg.prefix) || !lower.endsWith(seg.suffix)) return undefined;
      const inner = actual.slice(seg.prefix.length, actual.length - seg.suffix.length);
      if (inner.length === 0) return undefined;
      params.set(seg.name, inner.includes('%') ? safeDecode(inner) : inner);
    }
    i++;
  }
  if (i !== pathSegments.length) return undefined;
  for (const q of t.query) {
    const v = query.get(q.name);
    if (v === null) return undefined;
    if (q.literal !== undefined && v !== q.literal) return undefined;
    if (q.param) params.set(q.param, v);
  }
  return params;
}

/** Ordering for operations that all match: more literal segments first (left to right), non-wildcard first. */
function comparePrecedence(a: CompiledTemplate, b: CompiledTemplate): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const ra = rank(a.segments[i]);
    const rb = rank(b.segments[i]);
    if (ra !== rb) return rb - ra;
  }
  if (a.query.length !== b.query.length) return b.query.length - a.query.length;
  return 0;
}
function rank(s: TemplateSegment | undefined): number {
  if (!s) return 0;
  return s.kind === 'literal' ? 3 : s.kind === 'param' ? 2 : 1;
}

/** The result of matching the API part of a request. */
export interface ApiMatch<A extends RoutableApi> {
  api: A;
  /** Path segments after the API path (and version segment), raw (still percent-encoded). */
  rest: string[];
  /** The remaining path as written, starting with `/` (or '' when nothing remains). */
  restPath: string;
}

/** Routes requests of one gateway. */
export class Router<A extends RoutableApi, O extends RoutableOperation> {
  private readonly apis: { api: A; segments: string[] }[];
  private readonly operations = new Map<string, { op: O; template: CompiledTemplate }[]>();

  /**
   * @param options.httpServesHttps a plain-http listener also serves APIs that list only `https` (the local
   *   gateway has no TLS; APIM APIs are usually https-only). Off = strict protocol matching.
   */
  constructor(
    apis: readonly A[],
    operationsOf: (api: A) => readonly O[],
    private readonly options: { httpServesHttps?: boolean } = {},
  ) {
    this.apis = apis
      .map((api) => ({ api, segments: api.path.split('/').filter((s) => s.length > 0).map((s) => safeDecode(s).toLowerCase()) }))
      // Longest path first: `/payments/v2` before `/payments`.
      .sort((a, b) => b.segments.length - a.segments.length);
    for (const api of apis) {
      const list = operationsOf(api).map((op) => ({ op, template: compileTemplate(op.urlTemplate) }));
      // Stable sort keeps declaration order among equals.
      list.sort((a, b) => comparePrecedence(a.template, b.template));
      this.operations.set(api.key, list);
    }
  }

  /** Finds the API for a URL (path + query + headers + scheme). */
  matchApi(url: URL, headers: { get(name: string): string | undefined }): ApiMatch<A> | undefined {
    const scheme = url.protocol.replace(/:$/, '');
    const raw = url.pathname.split('/').filter((s) => s.length > 0);
    // Decoded, lower-cased request segments, computed once per request.
    const lower = raw.map((s) => (s.includes('%') ? safeDecode(s) : s).toLowerCase());
    for (const { api, segments } of this.apis) {
      if (segments.length > lower.length) continue;
      let ok = true;
      let revision: string | undefined;
      for (let i = 0; i < segments.length; i++) {
        let seg = lower[i]!;
        if (i === segments.length - 1 && seg.includes(';rev=')) {
          const r = /^(.*);rev=(\d+)$/.exec(seg);
          if (r) {
            seg = r[1]!;
            revision = r[2];
          }
        }
        if (seg !== segments[i]!) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // An API with an empty path also takes `/;rev=2/...`: not supported (rare), left as a literal segment.
      if (revision !== undefined ? revision !== api.revision : !api.isCurrent) continue;
      if (api.protocols.length > 0 && !api.protocols.some((p) => p.toLowerCase() === scheme || (this.options.httpServesHttps && scheme === 'http' && p.toLowerCase() === 'https'))) continue;
      let restStart = segments.length;
      if (api.version) {
        const v = api.version;
        if (v.scheme === 'Segment') {
          const seg = raw[restStart];
          if (v.id === '') {
            // The Original version answers without a version segment.
          } else {
            if (seg === undefined || seg.toLowerCase() !== v.id.toLowerCase()) continue;
            restStart++;
          }
        } else if (v.scheme === 'Header') {
          const h = v.name ? headers.get(v.name) : undefined;
          if ((h ?? '') !== v.id) continue;
        } else {
          const q = v.name ? url.searchParams.get(v.name) : null;
          if ((q ?? '') !== v.id) continue;
        }
      }
      const rest = raw.slice(restStart);
      return { api, rest, restPath: rest.length ? `/${rest.join('/')}` : '' };
    }
    return undefined;
  }

  /** Finds the operation of `api` for a method and the rest of the path. */
  matchOperation(api: A, method: string, rest: readonly string[], query: URLSearchParams): { op: O; params: Map<string, string> } | undefined {
    const list = this.operations.get(api.key);
    if (!list) return undefined;
    const m = method.toUpperCase();
    for (const { op, template } of list) {
      if (op.method !== m && op.method !== '*') continue;
      const params = matchTemplate(template, rest, query);
      if (params) return { op, params };
    }
    return undefined;
  }
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
