/**
 * Resource key ⇄ relative path, for every kind, in one table (ARTIFACT-FORMAT.md "Tree").
 *
 * A key is a list of `(collection, name)` pairs (`/apis/a/operations/b`); a folder is the same list with each
 * ARM collection replaced by its folder name (`apiVersionSets` → `versionSets`), followed by the kind's file.
 * Policies are the pair `policies/policy` in a key and `policy.xml` in the owner's folder. Workspaces repeat
 * the whole tree under `workspaces/<ws>/`. Revisions need nothing special: `apis/a;rev=2` is just a name.
 */
import { KINDS, RESOURCE_KINDS, type ResourceKind } from './kinds.js';
import type { SpecificationFormat } from './model.js';

/** What a file is for its resource. */
export type FileRole = 'info' | 'policy' | 'specification';

/** A file of the artifact tree, understood. */
export interface ArtifactPath {
  kind: ResourceKind;
  key: string;
  role: FileRole;
  /** For `specification` files. */
  format?: SpecificationFormat;
}

/** The ARM collection chain of each kind, from the service (or workspace) root. */
const CHAINS: Readonly<Record<ResourceKind, readonly string[]>> = (() => {
  const out = {} as Record<ResourceKind, string[]>;
  const chainOf = (kind: ResourceKind): string[] => {
    const info = KINDS[kind];
    const own = info.armCollection;
    return info.parent ? [...chainOf(info.parent), own] : [own];
  };
  for (const kind of RESOURCE_KINDS) out[kind] = chainOf(kind);
  return out;
})();

const CHAIN_TO_KIND = new Map<string, ResourceKind>(
  RESOURCE_KINDS.map((k) => [CHAINS[k].join('/'), k] as const),
);

/** ARM collection → folder name, where they differ. */
const FOLDER_OF_COLLECTION: Readonly<Record<string, string>> = { apiVersionSets: 'versionSets' };
const COLLECTION_OF_FOLDER: Readonly<Record<string, string>> = { versionSets: 'apiVersionSets' };

/** The file name of each specification format (`specification.yaml`, …). */
export const SPECIFICATION_FILES: Readonly<Record<SpecificationFormat, string>> = {
  'openapi+yaml': 'specification.yaml',
  'openapi+json': 'specification.json',
  graphql: 'specification.graphql',
  wsdl: 'specification.wsdl',
};

const SPECIFICATION_FORMAT_OF_FILE = new Map<string, SpecificationFormat>([
  ...(Object.entries(SPECIFICATION_FILES) as [SpecificationFormat, string][]).map(([f, n]) => [n, f] as const),
  ['specification.yml', 'openapi+yaml'],
]);

/** The policy file name in an owner's folder. */
export const POLICY_FILE = 'policy.xml';

/** Splits a key into its `(collection, name)` pairs; undefined for a malformed key. */
export function keyPairs(key: string): [string, string][] | undefined {
  if (!key.startsWith('/')) return undefined;
  const segs = key.slice(1).split('/');
  if (segs.length % 2 !== 0 || segs.some((s) => s === '')) return undefined;
  const pairs: [string, string][] = [];
  for (let i = 0; i < segs.length; i += 2) pairs.push([segs[i]!, segs[i + 1]!]);
  return pairs;
}

/**
 * The kind of a key, or undefined if it names no kind. Tries the full collection chain first (so
 * `/workspaces/w/policies/policy` is a workspace policy), then a workspace prefix.
 */
export function kindOfKey(key: string): ResourceKind | undefined {
  // Every resource asks (its parent, its owners): the kind depends only on the collections (and a `policies`
  // pair's name), so it is remembered per key shape, as parseArtifactPath's answers are.
  if (!key.startsWith('/')) return undefined;
  const segs = key.slice(1).split('/');
  if (segs.length % 2 !== 0) return undefined;
  let shape = '';
  for (let i = 0; i < segs.length; i += 2) {
    if (segs[i] === '' || segs[i + 1] === '') return undefined;
    shape += segs[i] === 'policies' ? `policies/${segs[i + 1]}/` : `${segs[i]}/`;
  }
  let kind = KIND_BY_SHAPE.get(shape);
  if (kind === undefined) {
    const pairs = keyPairs(key);
    kind = (pairs ? kindOfPairs(pairs) : undefined) ?? null;
    if (KIND_BY_SHAPE.size < MAX_SHAPES) KIND_BY_SHAPE.set(shape, kind);
  }
  return kind ?? undefined;
}

/** `kindOfKey`'s answers by key shape (null: no kind). */
const KIND_BY_SHAPE = new Map<string, ResourceKind | null>();

/** `kindOfKey` over a key already split into its pairs, worked out without the memo. */
export function kindOfPairs(pairs: readonly (readonly [string, string])[]): ResourceKind | undefined {
  let chain = '';
  for (const [c, n] of pairs) {
    if (c === 'policies' && n !== 'policy') return undefined;
    chain = chain === '' ? c : `${chain}/${c}`;
  }
  const full = CHAIN_TO_KIND.get(chain);
  if (full) return full;
  if (pairs[0]?.[0] === 'workspaces' && pairs.length > 1) {
    const inner = CHAIN_TO_KIND.get(chain.slice('workspaces/'.length));
    if (inner && KINDS[inner].inWorkspace) return inner;
  }
  return undefined;
}

/** The key of the owner of a nested resource (operation → API, policy → its scope); undefined at the top. */
export function parentKeyOf(key: string): string | undefined {
  const kind = kindOfKey(key);
  if (!kind || !KINDS[kind].parent) return undefined;
  return key.slice(0, key.lastIndexOf('/', key.lastIndexOf('/') - 1));
}

/** The resource name of a key: its last segment (`policy` for policies). */
export function nameOfKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** The folder of a resource relative to the artifact root (`apis/a/operations/b`; `` for the global policy's owner). */
export function folderOfKey(key: string): string {
  const pairs = keyPairs(key) ?? [];
  const parts: string[] = [];
  for (const [collection, name] of pairs) {
    if (collection === 'policies') break; // a policy lives in its owner's folder
    parts.push(FOLDER_OF_COLLECTION[collection] ?? collection, name);
  }
  return parts.join('/');
}

function join(folder: string, file: string): string {
  return folder === '' ? file : `${folder}/${file}`;
}

/** The YAML information file of a resource (`apis/a/api.yaml`), or undefined for policy kinds. */
export function infoPathOf(key: string): string | undefined {
  const kind = kindOfKey(key);
  const file = kind ? KINDS[kind].file : undefined;
  return file ? join(folderOfKey(key), file) : undefined;
}

/** The policy.xml of a policy resource or a fragment (`apis/a/policy.xml`, `policyFragments/f/policy.xml`). */
export function policyPathOf(key: string): string | undefined {
  const kind = kindOfKey(key);
  if (!kind || !KINDS[kind].policy) return undefined;
  return join(folderOfKey(key), POLICY_FILE);
}

/** The specification file of an API in a given format. */
export function specificationPathOf(apiKey: string, format: SpecificationFormat): string {
  return join(folderOfKey(apiKey), SPECIFICATION_FILES[format]);
}

/**
 * Understands a path of the artifact tree; undefined for anything that is not part of the layout
 * (the reader warns about those).
 */
export function parseArtifactPath(path: string): ArtifactPath | undefined {
  // A folder of thousands of files has a handful of shapes (`apis/*/operations/*/policy.xml`, …): what a path
  // is depends on its folder names at collection positions and its file name, so the answer for a shape is
  // remembered and only the key is built per path. Names matter under a `policies` folder: not remembered.
  const segs = path.split('/');
  const last = segs.length - 1;
  if (last % 2 !== 0) return undefined;
  let shapeKey = '';
  for (let i = 0; i < last; i++) {
    if (segs[i] === '') return undefined;
    if (i % 2 === 0) {
      if (segs[i] === 'policies') return parsePathOfShape(path);
      shapeKey += `${segs[i]}/`;
    }
  }
  shapeKey += segs[last];
  let shape = SHAPES.get(shapeKey);
  if (shape === undefined) {
    const parsed = parsePathOfShape(path);
    shape = parsed ? { kind: parsed.kind, role: parsed.role, ...(parsed.format ? { format: parsed.format } : {}) } : null;
    if (SHAPES.size < MAX_SHAPES) SHAPES.set(shapeKey, shape);
    return parsed;
  }
  if (!shape) return undefined;
  let ownerKey = '';
  for (let i = 0; i < last; i += 2) ownerKey += `/${COLLECTION_OF_FOLDER[segs[i]!] ?? segs[i]}/${segs[i + 1]}`;
  const key = shape.role === 'policy' && shape.kind !== 'policyFragment' ? `${ownerKey}/policies/policy` : ownerKey;
  return shape.format ? { kind: shape.kind, key, role: shape.role, format: shape.format } : { kind: shape.kind, key, role: shape.role };
}

/** `parseArtifactPath`'s answers by path shape, without the key (null: not part of the layout). */
const SHAPES = new Map<string, Omit<ArtifactPath, 'key'> | null>();
/** Enough for every shape of the layout; a folder full of other paths does not grow the memo without end. */
const MAX_SHAPES = 1000;

/** `parseArtifactPath` worked out from the path alone, without the memo (exported for its test). */
export function parsePathOfShape(path: string): ArtifactPath | undefined {
  const segs = path.split('/');
  const file = segs.pop();
  if (!file || segs.length % 2 !== 0 || segs.some((s) => s === '')) return undefined;
  const pairs: [string, string][] = [];
  for (let i = 0; i < segs.length; i += 2) {
    const folder = segs[i]!;
    pairs.push([COLLECTION_OF_FOLDER[folder] ?? folder, segs[i + 1]!]);
  }
  // A folder name must be the folder of its collection (`apiVersionSets/x` is not our layout).
  if (pairs.some(([c], i) => (FOLDER_OF_COLLECTION[c] ?? c) !== segs[i * 2])) return undefined;
  const ownerKey = pairs.map(([c, n]) => `/${c}/${n}`).join('');
  if (file === POLICY_FILE) {
    const ownerKind = ownerKey === '' ? undefined : kindOfPairs(pairs);
    if (ownerKind === 'policyFragment') return { kind: ownerKind, key: ownerKey, role: 'policy' };
    const key = `${ownerKey}/policies/policy`;
    pairs.push(['policies', 'policy']);
    const kind = kindOfPairs(pairs);
    return kind ? { kind, key, role: 'policy' } : undefined;
  }
  if (ownerKey === '') return undefined;
  const kind = kindOfPairs(pairs);
  if (!kind) return undefined;
  const format = SPECIFICATION_FORMAT_OF_FILE.get(file);
  if (format && kind === 'api') return { kind, key: ownerKey, role: 'specification', format };
  if (KINDS[kind].file === file) return { kind, key: ownerKey, role: 'info' };
  return undefined;
}

/** The JSON Schema (in `schemas/`) that an information file of `kind` is checked against. */
export function schemaNameOf(kind: ResourceKind): string | undefined {
  const file = KINDS[kind].file;
  return file ? file.replace(/\.yaml$/, '') : undefined;
}
