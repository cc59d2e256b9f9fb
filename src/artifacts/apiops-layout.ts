/**
 * The Azure/apiops v7 folder layout (ANCHORS.md §1): JSON `*Information.json` files holding
 * `{ "properties": … }`, folder names with spaces (`named values/`, `policy fragments/`, `version sets/`),
 * links as marker files (`products/<p>/apis/<api>/productApiInformation.json`), no operation files
 * (operations come from the specification) and no workspace information file.
 * Read automatically by `readArtifacts`; written by `renderApiopsArtifacts` (round trips, `convert` tests).
 */
import type { Diagnostic } from '../shared/errors.js';
import type { FileSource } from './file-source.js';
import type { ResourceKind } from './kinds.js';
import { allResources, emptyState, putResource, type ApimState, type Resource, type SpecificationFormat } from './model.js';
import { normalizeProperties, sortKeysDeep } from './normalize.js';
import { kindOfKey, nameOfKey, parseArtifactPath, schemaNameOf } from './paths.js';
import { toServiceRelativeId } from './references.js';
import { validateWithSchema, type SchemaName } from './schemas.js';
import { operationsFromSpecification } from './specification.js';
import { parseYamlFile, positionOf, type YamlFile } from './yaml-doc.js';
import type { Locate } from './references.js';
import { isNonArtifactFile, makePolicyResource, makeResource, makeSpecificationOperation, toLf } from './build.js';

/** APIOps folder name → ARM collection and information file. */
const FOLDERS: Readonly<Record<string, { collection: string; file?: string }>> = {
  apis: { collection: 'apis', file: 'apiInformation.json' },
  operations: { collection: 'operations' },
  diagnostics: { collection: 'diagnostics', file: 'diagnosticInformation.json' },
  releases: { collection: 'releases', file: 'apiReleaseInformation.json' },
  backends: { collection: 'backends', file: 'backendInformation.json' },
  gateways: { collection: 'gateways', file: 'gatewayInformation.json' },
  groups: { collection: 'groups', file: 'groupInformation.json' },
  loggers: { collection: 'loggers', file: 'loggerInformation.json' },
  'named values': { collection: 'namedValues', file: 'namedValueInformation.json' },
  'policy fragments': { collection: 'policyFragments', file: 'policyFragmentInformation.json' },
  products: { collection: 'products', file: 'productInformation.json' },
  subscriptions: { collection: 'subscriptions', file: 'subscriptionInformation.json' },
  tags: { collection: 'tags', file: 'tagInformation.json' },
  'version sets': { collection: 'apiVersionSets', file: 'versionSetInformation.json' },
  workspaces: { collection: 'workspaces' },
};
const FOLDER_OF_COLLECTION = new Map(Object.entries(FOLDERS).map(([folder, { collection }]) => [collection, folder]));

/** Link marker files: owner kind, link folder, file name, the owner's link-list field and its target kind. */
const LINKS: readonly { owner: ResourceKind; folder: string; file: string; field: string; target: ResourceKind; idProperty?: string }[] = [
  { owner: 'product', folder: 'apis', file: 'productApiInformation.json', field: 'apis', target: 'api', idProperty: 'apiId' },
  { owner: 'product', folder: 'groups', file: 'productGroupInformation.json', field: 'groups', target: 'group', idProperty: 'groupId' },
  { owner: 'gateway', folder: 'apis', file: 'gatewayApiInformation.json', field: 'apis', target: 'api' },
  { owner: 'tag', folder: 'apis', file: 'tagApiInformation.json', field: 'apis', target: 'api', idProperty: 'apiId' },
  { owner: 'tag', folder: 'products', file: 'tagProductInformation.json', field: 'products', target: 'product', idProperty: 'productId' },
];

const SPEC_FILES: Readonly<Record<string, SpecificationFormat>> = {
  'specification.yaml': 'openapi+yaml',
  'specification.yml': 'openapi+yaml',
  'specification.json': 'openapi+json',
  'specification.graphql': 'graphql',
  'specification.wsdl': 'wsdl',
};

/** Properties holding ids of other resources: made service-relative on read. */
const ID_FIELDS = ['loggerId', 'apiVersionSetId', 'scope', 'apiId', 'sourceApiId'];

/**
 * True when a folder listing is an Azure/apiops folder rather than ours: more APIOps information files than
 * apimops ones (a stray `apiInformation.json` in our layout is reported as an unknown file, not a switch).
 */
export function looksLikeApiops(files: readonly string[]): boolean {
  let apiops = 0;
  const rest: string[] = [];
  for (const f of files) {
    if (/(^|\/)[A-Za-z]+Information\.json$/.test(f) || /(^|\/)(named values|policy fragments|version sets)\//.test(f)) apiops++;
    else rest.push(f);
  }
  // No APIOps file at all (the common case): no need to understand every other path.
  if (apiops === 0) return false;
  let ours = 0;
  for (const f of rest) if (/\.yaml$/.test(f) && parseArtifactPath(f)?.role === 'info') ours++;
  return apiops > ours;
}

type Parsed =
  | { role: 'info' | 'policy'; kind: ResourceKind; key: string }
  | { role: 'specification'; key: string; format: SpecificationFormat }
  | { role: 'link'; ownerKey: string; link: (typeof LINKS)[number]; name: string };

/** Understands a path of an APIOps folder; undefined for anything else. */
export function parseApiopsPath(path: string): Parsed | undefined {
  const segs = path.split('/');
  const file = segs.pop()!;
  if (segs.length % 2 !== 0) return undefined;
  const pairs: [string, string][] = [];
  for (let i = 0; i < segs.length; i += 2) pairs.push([segs[i]!, segs[i + 1]!]);
  // A link marker: <owner folder>/<link folder>/<name>/<file>.
  const last = pairs[pairs.length - 1];
  const link = last && LINKS.find((l) => l.folder === last[0] && l.file === file);
  if (link && last) {
    const ownerKey = keyOfPairs(pairs.slice(0, -1));
    if (ownerKey && kindOfKey(ownerKey) === link.owner) return { role: 'link', ownerKey, link, name: last[1] };
    return undefined;
  }
  const ownerKey = keyOfPairs(pairs);
  if (ownerKey === undefined) return undefined;
  if (file === 'policy.xml') {
    if (ownerKey !== '' && kindOfKey(ownerKey) === 'policyFragment') return { role: 'policy', kind: 'policyFragment', key: ownerKey };
    const key = `${ownerKey}/policies/policy`;
    const kind = kindOfKey(key);
    return kind ? { role: 'policy', kind, key } : undefined;
  }
  if (ownerKey === '') return undefined;
  const kind = kindOfKey(ownerKey);
  if (!kind) return undefined;
  if (kind === 'api' && SPEC_FILES[file]) return { role: 'specification', key: ownerKey, format: SPEC_FILES[file]! };
  if (FOLDERS[last![0]]?.file === file) return { role: 'info', kind, key: ownerKey };
  return undefined;
}

function keyOfPairs(pairs: [string, string][]): string | undefined {
  let key = '';
  for (const [folder, name] of pairs) {
    const f = FOLDERS[folder];
    if (!f || name === '') return undefined;
    key += `/${f.collection}/${name}`;
  }
  return key;
}

/** Reads an APIOps folder into a state (reference checks are the caller's). */
export async function readApiopsArtifacts(
  source: FileSource,
  files: readonly string[],
  opts: { ignore?: (path: string) => boolean } = {},
): Promise<{ state: ApimState; diagnostics: Diagnostic[]; locate: Locate }> {
  const state = emptyState();
  const diagnostics: Diagnostic[] = [];
  const links: { ownerKey: string; field: string; name: string; path: string }[] = [];
  const policies: { kind: ResourceKind; key: string; path: string; text: string }[] = [];
  const specs: { key: string; format: SpecificationFormat; path: string; text: string }[] = [];
  const workspaces = new Set<string>();
  const yamlOf = new Map<string, YamlFile>();

  for (const path of files) {
    if (isNonArtifactFile(path) || opts.ignore?.(path)) continue;
    const parsed = parseApiopsPath(path);
    if (!parsed) {
      diagnostics.push({ file: path, severity: 'warn', code: 'unknown-file', message: 'unknown file: not part of the Azure/apiops v7 layout, ignored' });
      continue;
    }
    const ws = /^workspaces\/([^/]+)\//.exec(path)?.[1];
    if (ws) workspaces.add(ws);
    const text = toLf((await source.readText(path)) ?? '');
    if (parsed.role === 'link') {
      const name = linkName(text, parsed.link.idProperty) ?? parsed.name;
      links.push({ ownerKey: parsed.ownerKey, field: parsed.link.field, name, path });
      continue;
    }
    if (parsed.role === 'policy') {
      policies.push({ kind: parsed.kind, key: parsed.key, path, text });
      continue;
    }
    if (parsed.role === 'specification') {
      specs.push({ key: parsed.key, format: parsed.format, path, text });
      continue;
    }
    const { yaml, diagnostics: syntax } = parseYamlFile(path, text);
    yamlOf.set(parsed.key, yaml);
    if (syntax.length > 0) {
      diagnostics.push(...syntax.map((d) => ({ ...d, message: `invalid JSON: ${d.message}` })));
      putResource(state, makeResource(parsed.kind, parsed.key, {}, path));
      continue;
    }
    const doc = yaml.value as { properties?: unknown } | null;
    const props = doc && typeof doc === 'object' && doc.properties && typeof doc.properties === 'object' ? (doc.properties as Record<string, unknown>) : {};
    const relative = relativeIds(props);
    const normalized = normalizeProperties(parsed.kind, relative);
    const schema = schemaNameOf(parsed.kind) as SchemaName | undefined;
    if (schema) diagnostics.push(...validateWithSchema(schema, yaml, normalized, ['properties']));
    putResource(state, makeResource(parsed.kind, parsed.key, normalized, path));
  }

  for (const ws of workspaces) {
    const key = `/workspaces/${ws}`;
    if (!state.workspace.has(key)) putResource(state, makeResource('workspace', key, {}, `workspaces/${ws}`));
  }
  for (const s of specs) {
    const api = state.api.get(s.key);
    if (!api) {
      diagnostics.push({ file: s.path, severity: 'error', code: 'layout', message: `specification of API '${nameOfKey(s.key)}', which has no apiInformation.json` });
      continue;
    }
    api.specification = { format: s.format, content: s.text, origin: { file: s.path } };
    for (const op of operationsFromSpecification(s.format, s.text)) {
      putResource(state, makeSpecificationOperation(`${s.key}/operations/${op.name}`, op.properties, s.path));
    }
  }
  for (const p of policies) {
    if (p.kind === 'policyFragment') {
      const fragment = state.policyFragment.get(p.key) ?? makeResource('policyFragment', p.key, {}, p.path);
      fragment.policy = { text: p.text, origin: { file: p.path } };
      putResource(state, fragment);
    } else {
      putResource(state, makePolicyResource(p.kind, p.key, p.text, p.path));
    }
  }
  for (const l of links) {
    const owner = (state[kindOfKey(l.ownerKey)!] as Map<string, Resource>).get(l.ownerKey);
    if (!owner) {
      diagnostics.push({ file: l.path, severity: 'error', code: 'layout', message: `link of '${nameOfKey(l.ownerKey)}', which has no information file` });
      continue;
    }
    const list = Array.isArray(owner.properties[l.field]) ? (owner.properties[l.field] as string[]) : [];
    owner.properties[l.field] = [...new Set([...list, l.name])].sort();
  }
  /** A link-list entry is the marker file that makes it; anything else is a place in the information file. */
  const locate: Locate = (r, path) => {
    const [field, index] = path;
    if (typeof field === 'string' && typeof index === 'number' && path.length === 2) {
      const name = (r.properties[field] as unknown[] | undefined)?.[index];
      const marker = links.find((l) => l.ownerKey === r.key && l.field === field && l.name === name);
      if (marker) return { file: marker.path };
    }
    const y = yamlOf.get(r.key);
    return y ? { file: y.file, ...positionOf(y, ['properties', ...path]) } : { file: r.origin?.file };
  };
  return { state, diagnostics, locate };
}

/** The linked resource's name from a link file's `…Id` property, when it has one. */
function linkName(text: string, idProperty?: string): string | undefined {
  if (!idProperty || text.trim() === '') return undefined;
  try {
    const id = (JSON.parse(text) as { properties?: Record<string, unknown> }).properties?.[idProperty];
    return typeof id === 'string' && id !== '' ? nameOfKey(id) : undefined;
  } catch {
    return undefined; // the folder name is the link; a malformed marker file does not change it
  }
}

function relativeIds(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...props };
  for (const f of ID_FIELDS) if (typeof out[f] === 'string') out[f] = toServiceRelativeId(out[f] as string);
  const pool = out.pool as { services?: { id?: unknown }[] } | undefined;
  if (pool && Array.isArray(pool.services)) {
    out.pool = { ...pool, services: pool.services.map((s) => (typeof s?.id === 'string' ? { ...s, id: toServiceRelativeId(s.id) } : s)) };
  }
  return out;
}

/** The folder of a key in the APIOps layout (`named values/x`, `apis/a/operations/o`). */
export function apiopsFolderOf(key: string): string {
  const segs = key.slice(1).split('/');
  const parts: string[] = [];
  for (let i = 0; i + 1 < segs.length; i += 2) {
    if (segs[i] === 'policies') break;
    parts.push(FOLDER_OF_COLLECTION.get(segs[i]!) ?? segs[i]!, segs[i + 1]!);
  }
  return parts.join('/');
}

function json(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

/**
 * A state in the APIOps v7 layout: path → text. Link lists become marker files, operations are not written
 * (APIOps has no operation files), workspaces are folders only.
 */
export function renderApiopsArtifacts(state: ApimState): Map<string, string> {
  const files = new Map<string, string>();
  const at = (folder: string, file: string): string => (folder === '' ? file : `${folder}/${file}`);
  for (const r of allResources(state)) {
    const folder = apiopsFolderOf(r.key);
    if (r.kind === 'apiOperation' || r.kind === 'workspace') continue;
    if (r.policy && r.kind !== 'policyFragment') {
      files.set(at(folder, 'policy.xml'), r.policy.text);
      continue;
    }
    const last = r.key.split('/').at(-2)!;
    const infoFile = FOLDERS[FOLDER_OF_COLLECTION.get(last) ?? '']?.file;
    const props = normalizeProperties(r.kind, r.properties);
    for (const l of LINKS.filter((x) => x.owner === r.kind)) {
      const list = props[l.field];
      delete props[l.field];
      if (!Array.isArray(list)) continue;
      for (const name of list as string[]) {
        // APIOps: service-level product-api, tag-api, tag-product and gateway-api links are composites
        // (`{}`); product groups and every workspace link are link resources carrying the linked id.
        const idProperty = l.idProperty && (l.field === 'groups' || r.workspace) ? l.idProperty : undefined;
        const body = idProperty ? { properties: { [idProperty]: `${r.workspace ? `/workspaces/${r.workspace}` : ''}/${l.target === 'api' ? 'apis' : l.target === 'group' ? 'groups' : 'products'}/${name}` } } : {};
        files.set(at(folder, `${l.folder}/${name}/${l.file}`), json(body));
      }
    }
    if (infoFile) files.set(at(folder, infoFile), json({ properties: props }));
    if (r.kind === 'policyFragment' && r.policy) files.set(at(folder, 'policy.xml'), r.policy.text);
    if (r.kind === 'api' && r.specification) {
      const name = Object.entries(SPEC_FILES).find(([, f]) => f === r.specification!.format)![0];
      files.set(at(folder, name), r.specification.content);
    }
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
