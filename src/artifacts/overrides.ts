/**
 * `configuration.<env>.yaml`: per-environment overrides, APIOps-compatible (ANCHORS.md §2.3).
 * Sections are camelCase kind lists of `{ name, properties, <children> }`; a resource is matched by its
 * exact name; objects merge recursively, anything else (arrays included) replaces. `apis[]` nest
 * `operations[]` (with `policies[]`), `policies[]`, `diagnostics[]`, `releases[]`; `products[]` nest
 * `policies[]`; `workspaces[]` nest every section. A policy override's `properties.value` replaces the XML.
 */
import type { Diagnostic } from '../shared/errors.js';
import type { FileSource } from './file-source.js';
import type { ResourceKind } from './kinds.js';
import { keyOf, type ApimState, type Resource } from './model.js';
import { schemaNameOf } from './paths.js';
import { validatePartial, validateWithSchema, type SchemaName } from './schemas.js';
import { parseYamlFile, positionOf, type YamlFile, type YamlPath } from './yaml-doc.js';
import { toLf } from './build.js';

/** A parsed overrides document, with positions when it came from a file. */
export interface Overrides {
  file?: string;
  doc: Record<string, unknown>;
  yaml?: YamlFile;
}

interface Section {
  kind: ResourceKind;
  children?: Readonly<Record<string, Section>>;
}

const API_CHILDREN: Record<string, Section> = {
  operations: { kind: 'apiOperation', children: { policies: { kind: 'apiOperationPolicy' } } },
  policies: { kind: 'apiPolicy' },
  diagnostics: { kind: 'apiDiagnostic' },
  releases: { kind: 'apiRelease' },
};

const SECTIONS: Readonly<Record<string, Section>> = {
  namedValues: { kind: 'namedValue' },
  backends: { kind: 'backend' },
  loggers: { kind: 'logger' },
  diagnostics: { kind: 'diagnostic' },
  apis: { kind: 'api', children: API_CHILDREN },
  products: { kind: 'product', children: { policies: { kind: 'productPolicy' } } },
  gateways: { kind: 'gateway' },
  groups: { kind: 'group' },
  tags: { kind: 'tag' },
  versionSets: { kind: 'versionSet' },
  subscriptions: { kind: 'subscription' },
  policyFragments: { kind: 'policyFragment' },
  policies: { kind: 'servicePolicy' },
};

const WORKSPACE_SECTIONS: Readonly<Record<string, Section>> = (() => {
  const s: Record<string, Section> = { ...SECTIONS, policies: { kind: 'workspacePolicy' } };
  delete s.gateways;
  return s;
})();

/** Keys of an overrides file that select nothing (APIOps' service name, API schemas). */
const IGNORED_KEYS = new Set(['apimServiceName', 'schemas']);

/** Parses and schema-checks an overrides file; every problem with its position. */
export function parseOverrides(file: string, text: string): { overrides: Overrides; diagnostics: Diagnostic[] } {
  const { yaml, diagnostics } = parseYamlFile(file, toLf(text));
  if (diagnostics.length > 0) return { overrides: { file, doc: {}, yaml }, diagnostics };
  const value = yaml.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      overrides: { file, doc: {}, yaml },
      diagnostics: [{ file, ...positionOf(yaml, []), severity: 'error', code: 'schema', message: 'an overrides file must be a mapping of sections (namedValues, apis, …)' }],
    };
  }
  const structure = validateWithSchema('configuration', yaml, value);
  const doc = value as Record<string, unknown>;
  const properties: Diagnostic[] = [];
  checkItemProperties(yaml, doc, SECTIONS, [], properties);
  if (Array.isArray(doc.workspaces)) {
    doc.workspaces.forEach((ws, i) => {
      if (isObject(ws)) checkItemProperties(yaml, ws, WORKSPACE_SECTIONS, ['workspaces', i], properties);
    });
  }
  return { overrides: { file, doc, yaml }, diagnostics: [...structure, ...properties] };
}

/** Each item's `properties` against its kind's schema (nothing required), so a typo in an override is caught. */
function checkItemProperties(
  yaml: YamlFile,
  container: Record<string, unknown>,
  sections: Readonly<Record<string, Section>>,
  path: YamlPath,
  out: Diagnostic[],
): void {
  for (const [sectionName, list] of Object.entries(container)) {
    const section = sections[sectionName];
    if (!section || !Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (!isObject(item)) return;
      const itemPath = [...path, sectionName, i];
      const schema = schemaNameOf(section.kind) as SchemaName | undefined;
      if (schema && isObject(item.properties)) out.push(...validatePartial(schema, yaml, item.properties, [...itemPath, 'properties']));
      if (section.children) checkItemProperties(yaml, item, section.children, itemPath, out);
    });
  }
}

/** Reads an overrides file through a `FileSource`; `undefined` overrides when the file does not exist. */
export async function readOverrides(source: FileSource, path: string): Promise<{ overrides?: Overrides; diagnostics: Diagnostic[] }> {
  const text = await source.readText(path);
  if (text === undefined) return { diagnostics: [] };
  return parseOverrides(path, text);
}

/**
 * The state with the overrides applied; the input is not changed. An override naming a resource that does
 * not exist is reported (warning, with its position) into `diagnostics` when given.
 */
export function applyOverrides(state: ApimState, overrides: Overrides | Record<string, unknown>, diagnostics?: Diagnostic[]): ApimState {
  const o: Overrides = isOverrides(overrides) ? overrides : { doc: overrides };
  const out = structuredClone(state) as ApimState;
  const warn = (path: YamlPath, message: string): void => {
    if (!diagnostics) return;
    const at = o.yaml ? positionOf(o.yaml, path) : {};
    diagnostics.push({ file: o.file, ...at, severity: 'warn', code: 'override', message });
  };
  applySections(out, o.doc, SECTIONS, '', [], warn);
  const workspaces = o.doc.workspaces;
  if (Array.isArray(workspaces)) {
    workspaces.forEach((item, i) => {
      const ws = item as { name?: unknown; properties?: unknown };
      if (typeof ws?.name !== 'string') return;
      const key = `/workspaces/${ws.name}`;
      const target = out.workspace.get(key);
      if (!target) {
        warn(['workspaces', i, 'name'], `override for workspace '${ws.name}', which does not exist`);
        return;
      }
      if (isObject(ws.properties)) target.properties = mergeDeep(target.properties, ws.properties) as Record<string, unknown>;
      applySections(out, item as Record<string, unknown>, WORKSPACE_SECTIONS, key, ['workspaces', i], warn);
    });
  }
  return out;
}

function isOverrides(x: Overrides | Record<string, unknown>): x is Overrides {
  return isObject((x as Overrides).doc) && Object.keys(x).every((k) => k === 'doc' || k === 'file' || k === 'yaml');
}

function applySections(
  state: ApimState,
  container: Record<string, unknown>,
  sections: Readonly<Record<string, Section>>,
  parentKey: string,
  path: YamlPath,
  warn: (path: YamlPath, message: string) => void,
): void {
  for (const [sectionName, list] of Object.entries(container)) {
    const section = sections[sectionName];
    if (!section || !Array.isArray(list)) continue; // schema-checked; unknown keys reported there
    list.forEach((item, i) => {
      if (!isObject(item) || typeof item.name !== 'string') return;
      const itemPath = [...path, sectionName, i];
      const name = item.name;
      const key = keyOf(section.kind, name, parentKey);
      const target = (state[section.kind] as Map<string, Resource>).get(key);
      if (!target) {
        warn([...itemPath, 'name'], `override for ${section.kind} '${name}'${parentKey ? ` in '${parentKey}'` : ''}, which does not exist`);
        return;
      }
      if (isObject(item.properties)) applyProperties(target, item.properties);
      if (section.children) {
        const childItems: Record<string, unknown> = {};
        for (const c of Object.keys(section.children)) if (c in item) childItems[c] = item[c];
        applySections(state, childItems, section.children, key, itemPath, warn);
      }
      for (const k of Object.keys(item)) {
        if (k !== 'name' && k !== 'properties' && !section.children?.[k] && !IGNORED_KEYS.has(k)) {
          warn([...itemPath, k], `'${k}' is not a child section of ${sectionName}; ignored`);
        }
      }
    });
  }
}

function applyProperties(target: Resource, props: Record<string, unknown>): void {
  const p: Record<string, unknown> = { ...props };
  if (target.kind === 'api') {
    // APIOps strips these before merging: an environment cannot change which revision is current.
    delete p.apiRevision;
    delete p.isCurrent;
  }
  const isPolicy = target.kind === 'servicePolicy' || target.kind === 'workspacePolicy' || target.kind === 'apiPolicy' || target.kind === 'apiOperationPolicy' || target.kind === 'productPolicy';
  if ((isPolicy || target.kind === 'policyFragment') && typeof p.value === 'string') {
    target.policy = { ...target.policy, text: toLf(p.value) };
    delete p.value;
    delete p.format;
  }
  if (isPolicy) return;
  target.properties = mergeDeep(target.properties, p) as Record<string, unknown>;
}

/** APIOps' `MergeWith`: objects merge key by key; any other value (arrays included) replaces. */
export function mergeDeep(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return structuredClone(override);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? mergeDeep(base[k], v) : structuredClone(v);
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
