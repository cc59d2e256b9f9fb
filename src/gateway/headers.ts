/**
 * A case-insensitive, multi-valued header collection that keeps the first-seen spelling of each name.
 * Request and response headers of the pipeline live here (not in a WHATWG `Headers`, which joins values and
 * cannot keep `Set-Cookie` lines apart cheaply).
 */
import { CsDictionary } from '../expressions/values.js';

/** Headers sent as repeated lines, never comma-joined. */
const REPEATED = new Set(['user-agent', 'www-authenticate', 'proxy-authenticate', 'cookie', 'set-cookie', 'warning', 'date', 'expires', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'retry-after']);

/** One header: `key` is the first-seen spelling of the name (the shape `CsDictionary` stores, see `dictionary()`). */
interface HeaderEntry {
  key: string;
  value: string[];
}

export class HeaderBag {
  /** Lower-cased name → entry. */
  private readonly map = new Map<string, HeaderEntry>();
  private view: CsDictionary<string[]> | undefined;

  /** Builds a bag from node's `rawHeaders` (`[name, value, name, value, …]`). */
  static fromRaw(raw: readonly string[]): HeaderBag {
    const bag = new HeaderBag();
    for (let i = 0; i + 1 < raw.length; i += 2) bag.append(raw[i]!, raw[i + 1]!);
    return bag;
  }

  /** Builds a bag from a WHATWG `Headers` (or any iterable of pairs). */
  static fromEntries(entries: Iterable<[string, string]>): HeaderBag {
    const bag = new HeaderBag();
    for (const [k, v] of entries) bag.append(k, v);
    return bag;
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  /** All values of a header (empty when absent). */
  getAll(name: string): string[] {
    return this.map.get(name.toLowerCase())?.value ?? [];
  }
  /** Values joined with `,` as APIM's `GetValueOrDefault` does; undefined when absent. */
  get(name: string): string | undefined {
    const e = this.map.get(name.toLowerCase());
    return e === undefined ? undefined : e.value.length === 1 ? e.value[0] : e.value.join(',');
  }
  set(name: string, values: string | readonly string[]): void {
    const key = name.toLowerCase();
    const existing = this.map.get(key);
    this.map.set(key, { key: existing?.key ?? name, value: typeof values === 'string' ? [values] : [...values] });
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const e = this.map.get(key);
    if (e) e.value.push(value);
    else this.map.set(key, { key: name, value: [value] });
  }
  /** `append` with the lower-cased name already at hand (the upstream client's hot path). */
  appendLower(lower: string, name: string, value: string): void {
    const e = this.map.get(lower);
    if (e) e.value.push(value);
    else this.map.set(lower, { key: name, value: [value] });
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get size(): number {
    return this.map.size;
  }
  /** `[name, values]` pairs in insertion order, with the original spelling. */
  *entries(): IterableIterator<[string, string[]]> {
    for (const e of this.map.values()) yield [e.key, e.value];
  }
  names(): string[] {
    return [...this.map.values()].map((e) => e.key);
  }
  clone(): HeaderBag {
    const c = new HeaderBag();
    for (const [k, e] of this.map) c.map.set(k, { key: e.key, value: [...e.value] });
    return c;
  }
  /**
   * The bag as expressions see it (`context.Request.Headers`): a read-only, case-insensitive `CsDictionary`
   * over this bag's own map — live, so nothing is copied per request or per policy that changes a header.
   */
  dictionary(): CsDictionary<string[]> {
    if (this.view === undefined) {
      this.view = new CsDictionary<string[]>('ignoreCase', true, this.map);
      this.view.multiValue = true;
    }
    return this.view;
  }
  /**
   * `[name, value, name, value, …]` for the wire, leaving out the lower-case names in `skip` — what undici and
   * `writeHead` take without a copy. Several values of one header are sent comma-joined, except the headers
   * whose values may contain commas or dates, which are sent as repeated lines (POLICY-ENGINE.md §5.2).
   */
  flat(skip: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const [k, e] of this.map) {
      if (skip.has(k)) continue;
      const v = e.value;
      if (v.length === 1) out.push(e.key, v[0]!);
      else if (REPEATED.has(k)) for (const x of v) out.push(e.key, x);
      else out.push(e.key, v.join(','));
    }
    return out;
  }
}
