/** `IUrl` (context.Request.Url / OriginalUrl, context.Api.ServiceUrl). */
import { CsDictionary } from './values.js';

/**
 * An APIM `IUrl`. Build with `CsUrl.parse("https://host/path?q=1")`. `Query` is a case-insensitive
 * name → values dictionary; `QueryString` includes the leading `?` (empty when there is no query).
 */
export class CsUrl {
  constructor(
    public Scheme: string,
    public Host: string,
    public Port: number,
    public Path: string,
    public Query: CsDictionary<string[]>,
  ) {}

  /** Parses an absolute URL. */
  static parse(url: string): CsUrl {
    const u = new URL(url);
    const scheme = u.protocol.replace(/:$/, '');
    const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : scheme === 'http' ? 80 : -1;
    const q = new CsDictionary<string[]>('ignoreCase', true);
    q.multiValue = true;
    for (const [k, v] of u.searchParams) {
      const prev = q.get(k);
      q.set(k, prev ? [...prev, v] : [v]);
    }
    return new CsUrl(scheme, u.hostname, port, decodeURIComponent(u.pathname), q);
  }

  /** `?a=1&b=2` or `''`. */
  get QueryString(): string {
    const parts: string[] = [];
    for (const [k, vs] of this.Query.entries()) for (const v of vs) parts.push(`${encodeURIComponent(String(k))}=${encodeURIComponent(v)}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  /** The full URL; default ports are omitted. */
  toString(): string {
    const defaultPort = (this.Scheme === 'https' && this.Port === 443) || (this.Scheme === 'http' && this.Port === 80) || this.Port < 0;
    const path = this.Path.startsWith('/') ? this.Path : `/${this.Path}`;
    return `${this.Scheme}://${this.Host}${defaultPort ? '' : `:${this.Port}`}${encodeURI(path)}${this.QueryString}`;
  }
}
