/**
 * The fake's state: a tree of ARM resources keyed by service-relative path (`/apis/a/operations/b`),
 * case-insensitive like ARM, with an ETag per resource and a child index per collection so lists are O(page).
 */
import type { StoredSpec } from './specs.js';

/** One stored resource. `path` keeps the case it was created with. */
export interface Entry {
  path: string;
  name: string;
  properties: Record<string, unknown>;
  etag: string;
  /** The imported API definition (APIs only). */
  spec?: StoredSpec;
}

/** A serialisable picture of the store (`--seed file.json`, `GET /_fake/snapshot`). */
export interface FakeSnapshot {
  resources: { path: string; properties: Record<string, unknown>; spec?: StoredSpec }[];
}

function parentCollection(path: string): string {
  return path.slice(0, path.lastIndexOf('/')).toLowerCase();
}

export class ResourceStore {
  private entries = new Map<string, Entry>();
  private collections = new Map<string, Map<string, Entry>>();
  private seq = 0;

  private nextEtag(): string {
    this.seq++;
    return `"${this.seq.toString(16).padStart(8, '0')}"`;
  }

  get size(): number {
    return this.entries.size;
  }

  get(path: string): Entry | undefined {
    return this.entries.get(path.toLowerCase());
  }

  /** Creates or replaces a resource; keeps the stored case of an existing one. */
  put(path: string, properties: Record<string, unknown>, spec?: StoredSpec): { entry: Entry; created: boolean } {
    const key = path.toLowerCase();
    const existing = this.entries.get(key);
    const entry: Entry = {
      path: existing?.path ?? path,
      name: (existing?.path ?? path).slice(path.lastIndexOf('/') + 1),
      properties,
      etag: this.nextEtag(),
      ...(spec ?? existing?.spec ? { spec: spec ?? existing?.spec } : {}),
    };
    this.entries.set(key, entry);
    const coll = parentCollection(path);
    let children = this.collections.get(coll);
    if (!children) this.collections.set(coll, (children = new Map()));
    children.set(entry.name.toLowerCase(), entry);
    return { entry, created: !existing };
  }

  /** Updates properties in place with a new ETag. */
  touch(entry: Entry, properties: Record<string, unknown>): Entry {
    return this.put(entry.path, properties, entry.spec).entry;
  }

  /** The items of a collection (`/apis`, `/apis/a/operations`), in creation order. */
  list(collectionPath: string): Entry[] {
    return [...(this.collections.get(collectionPath.toLowerCase())?.values() ?? [])];
  }

  /** Every entry at or below `path`. */
  subtree(path: string): Entry[] {
    const key = path.toLowerCase();
    const out: Entry[] = [];
    for (const [k, e] of this.entries) if (k === key || k.startsWith(`${key}/`)) out.push(e);
    return out;
  }

  /** All entries (for scans: cascades, references). */
  all(): IterableIterator<Entry> {
    return this.entries.values();
  }

  /** Removes one entry (not its children). */
  private removeOne(entry: Entry): void {
    this.entries.delete(entry.path.toLowerCase());
    this.collections.get(parentCollection(entry.path))?.delete(entry.name.toLowerCase());
  }

  /** Removes a resource and everything below it; returns whether it existed. */
  delete(path: string): boolean {
    const existed = this.entries.has(path.toLowerCase());
    for (const e of this.subtree(path)) this.removeOne(e);
    return existed;
  }

  /** Moves a subtree to a new path (revision swaps), skipping child collections named in `exclude`. */
  move(from: string, to: string, exclude: readonly string[] = []): void {
    const skip = exclude.map((c) => `${from}/${c}/`.toLowerCase());
    const moving = this.subtree(from).filter((e) => !skip.some((s) => `${e.path.toLowerCase()}/`.startsWith(s)));
    for (const e of moving) this.removeOne(e);
    for (const e of moving) {
      const path = to + e.path.slice(from.length);
      const { entry } = this.put(path, e.properties, e.spec);
      entry.etag = e.etag;
    }
  }

  snapshot(): FakeSnapshot {
    return {
      resources: [...this.entries.values()].map((e) => ({
        path: e.path,
        properties: structuredClone(e.properties),
        ...(e.spec ? { spec: { ...e.spec } } : {}),
      })),
    };
  }

  load(snapshot: FakeSnapshot): void {
    for (const r of snapshot.resources) this.put(r.path, structuredClone(r.properties), r.spec);
  }
}
