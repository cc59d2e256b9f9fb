/**
 * Small shared pieces of reading a folder (either layout): which files are not artifacts, line endings,
 * and building a resource from its key.
 */
import { KINDS, type ResourceKind } from './kinds.js';
import { workspaceOfKey, type Resource } from './model.js';
import { nameOfKey } from './paths.js';

/**
 * Files that live beside artifacts but are not resources: configuration, docs, dotfiles. Test cases for
 * `apimops test` live under `tests/`.
 */
export function isNonArtifactFile(path: string): boolean {
  if (path.startsWith('.') || path.includes('/.')) return true;
  if (!path.includes('/')) {
    return /^(apimops\.ya?ml|configuration\.[^/]+\.ya?ml|[^/]*\.md|LICENSE[^/]*)$/i.test(path);
  }
  return path.startsWith('tests/');
}

/** Normalises line endings only: policy XML and specifications are otherwise kept byte for byte. */
export function toLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Builds a resource with the fields every kind has. */
export function makeResource<K extends ResourceKind>(kind: K, key: string, properties: Record<string, unknown>, file?: string): Resource<K> {
  const r: Resource<K> = { kind, key, name: nameOfKey(key), properties };
  const ws = workspaceOfKey(key);
  if (ws && kind !== 'workspace') r.workspace = ws;
  // The owner of a nested kind is its key less the last pair (as `parentKeyOf`, without working out the kind again).
  if (KINDS[kind].parent) r.parent = key.slice(0, key.lastIndexOf('/', key.lastIndexOf('/') - 1));
  if (file) r.origin = { file };
  return r;
}

/**
 * A policy resource (or a fragment) with its XML. Assigned after `makeResource`, not built as
 * `{ ...makeResource(…), policy }`: in a large read V8 gave each object made by that spread a hidden class of its
 * own (12,000 maps for a folder of 12,000 policies), which made every later read of a resource's fields slow.
 */
export function makePolicyResource<K extends ResourceKind>(kind: K, key: string, text: string, file: string): Resource<K> {
  const r = makeResource(kind, key, {}, file);
  r.policy = { text, origin: { file } };
  return r;
}

/** An operation derived from an API's specification (see `makePolicyResource` on why not a spread). */
export function makeSpecificationOperation(key: string, properties: Record<string, unknown>, file: string): Resource<'apiOperation'> {
  const r = makeResource('apiOperation', key, properties, file);
  r.fromSpecification = true;
  return r;
}

/** `fn` over `items` with at most `limit` in flight; results in input order (file I/O without a stampede). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
