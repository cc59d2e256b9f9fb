/**
 * A case-insensitive, multi-valued header collection that keeps the first-seen spelling of each name.
 * Request and response headers of the pipeline live here (not in a WHATWG `Headers`, which joins values and
 * cannot keep `Set-Cookie` lines apart cheaply).
 */
/** Headers sent as repeated lines, never comma-joined. */
const REPEATED = new Set(['user-agent', 'www-authenticate', 'proxy-authenticate', 'cookie', 'set-cookie', 'warning', 'date', 'expires', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'retry-after']);

export class HeaderBag {
  private readonly map = new Map<string, { name: string; values: string[] }>();
  /** Bumped on every change, so views built from the bag (expression dictionaries) can be cached. */
  version = 0;

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
    return this.map.get(name.toLowerCase())?.values ?? [];
  }
  /** Values joined with `,` as APIM's `GetValueOrDefault` does; undefined when absent. */
  get(name: string): string | undefined {
    const e = this.map.get(name.toLowerCase());
    return e ? e.values.join(',') : undefined;
  }
  set(name: string, values: string | readonly string[]): void {
    const key = name.toLowerCase();
    const existing = this.map.get(key);
    this.map.set(key, { name: existing?.name ?? name, values: typeof values === 'string' ? [values] : [...values] });
    this.version++;
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const e = this.map.get(key);
    if (e) e.values.push(value);
    else this.map.set(key, { name, values: [value] });
    this.version++;
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
    this.version++;
  }
  get size(): number {
    return this.map.size;
  }
  /** `[name, values]` pairs in insertion order, with the original spelling. */
  *entries(): IterableIterator<[string, string[]]> {
    for (const e of this.map.values()) yield [e.name, e.values];
  }
  names(): string[] {
    return [...this.map.values()].map((e) => e.name);
  }
  clone(): HeaderBag {
    const c = new HeaderBag();
    for (const [k, e] of this.map) c.map.set(k, { name: e.name, values: [...e.values] });
    return c;
  }
  /**
   * `[name, value]` pairs for the wire: several values of one header are sent comma-joined, except the headers
   * whose values may contain commas or dates, which are sent as repeated lines (POLICY-ENGINE.md §5.2).
   */
  wire(): [string, string | string[]][] {
    const out: [string, string | string[]][] = [];
    for (const [k, e] of this.map) {
      if (e.values.length === 1) out.push([e.name, e.values[0]!]);
      else out.push([e.name, REPEATED.has(k) ? e.values : e.values.join(',')]);
    }
    return out;
  }
  /** As a plain object for undici / node (`values` joined unless repeated lines are needed). */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const e of this.map.values()) out[e.name] = e.values.length === 1 ? e.values[0]! : e.values;
    return out;
  }
}
