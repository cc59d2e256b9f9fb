/**
 * `configuration.extractor.yaml`: which resources `extract` takes (Azure/apiops v7 semantics, ANCHORS.md
 * §2.2). Per kind: key absent = all, a list = only those names (with `*`/`?` wildcards), `[]` = none.
 * An item is a name or a single-key map `name: { <childKey>: [...] }` filtering that resource's children
 * (API operations/diagnostics/releases, or any kind inside a workspace). Listing an API name also takes
 * its `;rev=N` revisions. Pure: parsing with positions, and matching of resource keys.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { DiagnosticsError, type Diagnostic } from '../shared/errors.js';

/** Filter keys (APIOps camelCase plurals) → ARM collection segments. */
export const FILTER_KEYS: Readonly<Record<string, string>> = {
  apis: 'apis',
  backends: 'backends',
  diagnostics: 'diagnostics',
  gateways: 'gateways',
  groups: 'groups',
  loggers: 'loggers',
  namedValues: 'namedValues',
  policyFragments: 'policyFragments',
  products: 'products',
  subscriptions: 'subscriptions',
  tags: 'tags',
  versionSets: 'apiVersionSets',
  workspaces: 'workspaces',
  operations: 'operations',
  releases: 'releases',
  schemas: 'schemas',
};

const COLLECTION_TO_KEY = new Map(Object.entries(FILTER_KEYS).map(([k, c]) => [c.toLowerCase(), k] as const));

/** One list item: a name pattern and an optional filter of that resource's children. */
export interface NameSelector {
  pattern: string;
  nested?: ExtractFilter;
}

/** A parsed filter: per key, `undefined` = all, `[]` = none, else the selectors. */
export interface ExtractFilter {
  kinds: Readonly<Record<string, readonly NameSelector[] | undefined>>;
}

/** The filter that takes everything. */
export const EXTRACT_ALL: ExtractFilter = { kinds: {} };

function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Whether a selector list item matches a resource name (an API pattern also matches its revisions). */
function selectorFor(selectors: readonly NameSelector[], collection: string, name: string): NameSelector | undefined {
  const root = collection === 'apis' ? name.replace(/;rev=\d+$/i, '') : name;
  return selectors.find((s) => globMatches(s.pattern, name) || (root !== name && globMatches(s.pattern, root)));
}

/**
 * Whether the filter selects a resource key (`/apis/a/operations/b`, `/workspaces/w/apis/a`). Policies
 * follow their owner; kinds the filter language has no key for (e.g. `/policies/policy`) are selected.
 */
export function filterSelects(filter: ExtractFilter, key: string): boolean {
  const segs = key.split('/').filter((s) => s !== '');
  let scope: ExtractFilter | undefined = filter;
  for (let i = 0; i + 1 < segs.length; i += 2) {
    const collection = segs[i]!;
    const name = segs[i + 1]!;
    if (!scope) return true; // an earlier selector took this resource with all its children
    const filterKey = COLLECTION_TO_KEY.get(collection.toLowerCase());
    if (!filterKey) continue; // policies and other unfiltered kinds follow their owner
    const selectors = scope.kinds[filterKey];
    if (selectors === undefined) {
      scope = undefined;
      continue;
    }
    const hit = selectorFor(selectors, collection, name);
    if (!hit) return false;
    scope = hit.nested;
  }
  return true;
}

/** Whether a filter restricts nothing (every kind absent). */
export function filterIsAll(filter: ExtractFilter): boolean {
  return Object.values(filter.kinds).every((v) => v === undefined);
}

/** A filter taking only one workspace (`extract --workspace <name>`), or intersecting it with `base`. */
export function workspaceOnlyFilter(workspace: string, base: ExtractFilter = EXTRACT_ALL): ExtractFilter {
  const kinds: Record<string, readonly NameSelector[] | undefined> = {};
  for (const k of Object.keys(FILTER_KEYS)) kinds[k] = [];
  const existing = base.kinds.workspaces?.find((s) => globMatches(s.pattern, workspace));
  kinds.workspaces = [{ pattern: workspace, nested: existing?.nested }];
  return { kinds };
}

/**
 * Parses `configuration.extractor.yaml` text. Problems are reported all at once, each with
 * `file:line:column` (exit 2). Unknown top-level keys that Azure/apiops also ignores are errors here:
 * a typo would otherwise silently extract everything.
 */
export function parseExtractFilter(text: string, file: string): ExtractFilter {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const diagnostics: Diagnostic[] = [];
  const at = (node: Node | null | undefined, message: string) => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    diagnostics.push({ file, line: pos.line, column: pos.col, message, severity: 'error' });
  };
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    diagnostics.push({ file, line: pos.line, column: pos.col, message: e.message.split('\n')[0]!, severity: 'error' });
  }
  if (diagnostics.length) throw new DiagnosticsError('E_CONFIG', `${file} is not valid YAML`, diagnostics);

  const parseMap = (node: unknown, allowed: readonly string[], where: string): ExtractFilter => {
    const kinds: Record<string, readonly NameSelector[] | undefined> = {};
    if (node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === undefined))) return { kinds };
    if (!isMap(node)) {
      at(node as Node, `${where} must be a map of kinds (${allowed.join(', ')})`);
      return { kinds };
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      if (key === 'apimServiceName' || key === 'apiSpecificationFormat') continue; // APIOps settings, not filters
      if (!allowed.includes(key)) {
        const suggestion = allowed.find((a) => a.toLowerCase() === key.toLowerCase().replace(/[\s_]/g, '') || a.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
        at(keyNode, `unknown key '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; expected one of ${allowed.join(', ')}`);
        continue;
      }
      const value = pair.value as Node | null;
      if (value === null || (isScalar(value) && value.value === null)) {
        at(keyNode, `'${key}' needs a list: omit the key to take all, or write [] to take none`);
        continue;
      }
      if (!isSeq(value)) {
        at(value, `'${key}' must be a list of names`);
        continue;
      }
      const selectors: NameSelector[] = [];
      for (const item of value.items) {
        if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) {
          selectors.push({ pattern: String(item.value) });
        } else if (isMap(item) && item.items.length === 1) {
          const inner = item.items[0]!;
          const name = isScalar(inner.key) ? String((inner.key as { value: unknown }).value) : '';
          const childKeys = key === 'workspaces' ? Object.keys(FILTER_KEYS).filter((k) => k !== 'workspaces') : key === 'apis' ? ['operations', 'diagnostics', 'releases', 'schemas'] : [];
          if (childKeys.length === 0) at(item as Node, `items of '${key}' are names; only apis and workspaces take nested filters`);
          else selectors.push({ pattern: name, nested: parseMap(inner.value, childKeys, `'${name}'`) });
        } else {
          at(item as Node, `an item of '${key}' must be a name, or a single-key map 'name: { … }'`);
        }
      }
      kinds[key] = selectors;
    }
    return { kinds };
  };
  const topKeys = Object.keys(FILTER_KEYS).filter((k) => !['operations', 'releases', 'schemas'].includes(k));
  const filter = parseMap(doc.contents, topKeys, 'the extractor configuration');
  if (diagnostics.length) throw new DiagnosticsError('E_CONFIG', `${file} has ${diagnostics.length} problem${diagnostics.length > 1 ? 's' : ''}`, diagnostics);
  return filter;
}
