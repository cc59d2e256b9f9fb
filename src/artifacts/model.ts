import { KINDS, RESOURCE_KINDS, type ResourceKind } from './kinds.js';

/** Formats of an API definition file in `apis/<api>/`. */
export type SpecificationFormat = 'openapi+yaml' | 'openapi+json' | 'graphql' | 'wsdl';

/** Where a resource was read from: lets every later error point at the file. */
export interface Origin {
  /** Path relative to the artifact folder root, `/`-separated. */
  file: string;
}

/**
 * Policy XML exactly as stored (APIM's `rawxml`: expressions unescaped, often not well-formed XML).
 * `text` is byte-identical to the file apart from line endings normalised to LF.
 */
export interface PolicyDocumentText {
  text: string;
  origin?: Origin;
}

/** One resource of any kind. `properties` is the ARM `properties` object with ARM's own names. */
export interface Resource<K extends ResourceKind = ResourceKind> {
  kind: K;
  /** Service-relative ARM id: `/apis/payments-api/operations/create-payment`. Unique across kinds. */
  key: string;
  /** ARM resource name (the last segment of the key; `policy` for policies). */
  name: string;
  /** The workspace this resource belongs to, if any. */
  workspace?: string;
  /** Key of the owning resource for nested kinds (operation → api, policy → its scope). */
  parent?: string;
  /**
   * ARM `properties`, without server-generated fields. Links are lists inside the owner: `product.apis`,
   * `product.groups`, `gateway.apis`, `tag.apis`, `tag.products` (sorted resource names).
   */
  properties: Record<string, unknown>;
  /** For policy kinds and fragments: the policy XML. */
  policy?: PolicyDocumentText;
  /** For APIs: the definition file (operations of an API with a specification come from it). */
  specification?: { format: SpecificationFormat; content: string; origin?: Origin };
  /**
   * For operations of an API that has a specification: derived from it by the reader (not written as
   * operation.yaml; only displayName/method/urlTemplate/description are set).
   */
  fromSpecification?: boolean;
  origin?: Origin;
}

export type Collection<K extends ResourceKind> = Map<string, Resource<K>>;

/** The one model: every command moves between this and a folder, a live service, or a gateway. */
export type ApimState = { readonly [K in ResourceKind]: Collection<K> };

export function emptyState(): ApimState {
  const state = {} as Record<ResourceKind, Collection<ResourceKind>>;
  for (const kind of RESOURCE_KINDS) state[kind] = new Map();
  return state as unknown as ApimState;
}

/** Adds (or replaces) a resource in its kind's collection. */
export function putResource<K extends ResourceKind>(state: ApimState, resource: Resource<K>): void {
  (state[resource.kind] as Collection<K>).set(resource.key, resource);
}

/** Every resource of the state, kinds in table order, keys sorted: a deterministic walk. */
export function* allResources(state: ApimState): Generator<Resource> {
  for (const kind of RESOURCE_KINDS) {
    const keys = [...state[kind].keys()].sort();
    for (const key of keys) yield state[kind].get(key)! as Resource;
  }
}

/** Finds a resource by key in any collection. */
export function findResource(state: ApimState, key: string): Resource | undefined {
  for (const kind of RESOURCE_KINDS) {
    const r = state[kind].get(key);
    if (r) return r as Resource;
  }
  return undefined;
}

/** The key of the workspace prefix of a key (`/workspaces/a/apis/b` → `a`), if any. */
export function workspaceOfKey(key: string): string | undefined {
  // Asked for every resource of a read: a prefix test first, the name sliced out only inside a workspace.
  if (!key.startsWith('/workspaces/')) return undefined;
  const end = key.indexOf('/', 12);
  return end > 12 ? key.slice(12, end) : undefined;
}

/** Key of a resource of `kind` named `name` under `parentKey` (or the service/workspace root). */
export function keyOf(kind: ResourceKind, name: string, parentKey = ''): string {
  const info = KINDS[kind];
  if (info.policy && kind !== 'policyFragment') return `${parentKey}/policies/policy`;
  return `${parentKey}/${info.armCollection}/${name}`;
}
