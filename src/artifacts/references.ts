/**
 * Dangling references: every link or id from one resource to another must name something in the state
 * (ISSUE 2 "Bad input"). Pure over an `ApimState`; positions come from a `locate` callback so the same
 * checks serve our YAML folders (line and column) and APIOps JSON folders (file only).
 */
import { findNamedValueReferences } from '../policy/index.js';
import type { Diagnostic } from '../shared/errors.js';
import type { ResourceKind } from './kinds.js';
import { allResources, type ApimState, type Resource } from './model.js';
import { formatPath, type YamlPath } from './yaml-doc.js';
import { toServiceRelativeId } from './normalize.js';

export { toServiceRelativeId };

/** Where a property of a resource is: file, line, column. */
export type Locate = (resource: Resource, path: YamlPath) => { file?: string; line?: number; column?: number };

/** APIM's built-in groups: they exist on every instance and are never in a folder. */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['administrators', 'developers', 'guests']);

/** The workspace prefix of a resource's key (`/workspaces/w`) or ''. */
function scopePrefix(r: Resource): string {
  return r.workspace ? `/workspaces/${r.workspace}` : '';
}

/** What `checkReferences` checks besides the links between resources. */
export interface ReferenceCheckOptions {
  /**
   * The named values, fragments and backends that policy XML uses (default true). Lint turns this off: its
   * undefined-* rules report exactly these, each under its own rule id and severity.
   */
  policies?: boolean;
}

/**
 * Every reference check over a state — of every resource, or of `resources` only (a reader checks an API
 * folder's before leaving them out of its state) — one diagnostic per dangling reference.
 */
export function checkReferences(state: ApimState, locate: Locate, options: ReferenceCheckOptions = {}, resources?: Iterable<Resource>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const nvNames = namedValueIndex(state);
  const error = (r: Resource, path: YamlPath, message: string, extra?: { line?: number; column?: number }): void => {
    const at = { ...locate(r, path), ...(extra ?? {}) };
    out.push({ ...at, message, severity: 'error', code: 'reference' });
  };
  /** Resolves a name/id of `kind` from resource r: its own workspace first, then the service. */
  const exists = (r: Resource, kind: ResourceKind, relKey: string): boolean => {
    const collection = state[kind] as Map<string, unknown>;
    if (relKey.startsWith('/workspaces/')) return collection.has(relKey);
    return collection.has(`${scopePrefix(r)}${relKey}`) || collection.has(relKey);
  };
  const links = (r: Resource, field: string, kind: ResourceKind, collection: string, what: string): void => {
    const list = r.properties[field];
    if (!Array.isArray(list)) return;
    list.forEach((name, i) => {
      if (typeof name !== 'string') return;
      if (kind === 'group' && BUILT_IN_GROUPS.has(name.toLowerCase())) return;
      if (!exists(r, kind, `/${collection}/${name}`)) {
        error(r, [field, i], `${r.kind} '${r.name}' lists ${what} '${name}', which does not exist`);
      }
    });
  };
  const idRef = (r: Resource, path: YamlPath, kind: ResourceKind, collection: string, what: string): void => {
    const value = getPath(r.properties, path);
    if (typeof value !== 'string' || value === '') return;
    const rel = toServiceRelativeId(value);
    const m = new RegExp(`^(/workspaces/[^/]+)?/${collection}/([^/]+)$`).exec(rel);
    if (!m || !exists(r, kind, rel)) {
      error(r, path, `'${formatPath(path)}' refers to ${what} '${value}', which does not exist`);
    }
  };

  for (const r of resources ?? allResources(state)) {
    switch (r.kind) {
      case 'product':
        links(r, 'apis', 'api', 'apis', 'API');
        links(r, 'groups', 'group', 'groups', 'group');
        break;
      case 'gateway':
        links(r, 'apis', 'api', 'apis', 'API');
        break;
      case 'tag':
        links(r, 'apis', 'api', 'apis', 'API');
        links(r, 'products', 'product', 'products', 'product');
        break;
      case 'api':
        idRef(r, ['apiVersionSetId'], 'versionSet', 'apiVersionSets', 'version set');
        break;
      case 'diagnostic':
      case 'apiDiagnostic':
        idRef(r, ['loggerId'], 'logger', 'loggers', 'logger');
        break;
      case 'apiRelease':
        idRef(r, ['apiId'], 'api', 'apis', 'API');
        break;
      case 'backend': {
        const services = (r.properties.pool as { services?: unknown } | undefined)?.services;
        if (Array.isArray(services)) services.forEach((_, i) => idRef(r, ['pool', 'services', i, 'id'], 'backend', 'backends', 'backend'));
        break;
      }
      case 'subscription': {
        const scope = r.properties.scope;
        if (typeof scope === 'string') {
          const rel = toServiceRelativeId(scope).replace(/^\/workspaces\/[^/]+/, '');
          if (rel.startsWith('/apis/')) idRef(r, ['scope'], 'api', 'apis', 'API');
          else if (rel.startsWith('/products/')) idRef(r, ['scope'], 'product', 'products', 'product');
          else if (rel !== '/apis' && rel !== '/') error(r, ['scope'], `'scope' must be /apis, /apis/<api> or /products/<product>, not '${scope}'`);
        }
        break;
      }
      default:
        break;
    }
    // `{{name}}` in YAML string values (logger credentials, backend headers, …).
    if (r.kind !== 'namedValue') {
      forEachString(r.properties, [], (value, path) => {
        for (const ref of findNamedValueReferences(value)) {
          if (!hasNamedValue(nvNames, r, ref.name)) {
            error(r, [...path], `'${formatPath(path)}' uses named value '{{${ref.name}}}', which does not exist`);
          }
        }
      });
    }
    if (r.policy && options.policies !== false) out.push(...checkPolicyReferences(state, r, nvNames, locate));
  }
  return out;
}

type NamedValueIndex = Map<string, Set<string>>; // scope prefix → names and display names

function namedValueIndex(state: ApimState): NamedValueIndex {
  const index: NamedValueIndex = new Map();
  for (const nv of state.namedValue.values()) {
    const scope = nv.workspace ? `/workspaces/${nv.workspace}` : '';
    let set = index.get(scope);
    if (!set) index.set(scope, (set = new Set()));
    set.add(nv.name);
    const dn = nv.properties.displayName;
    if (typeof dn === 'string') set.add(dn);
  }
  return index;
}

function hasNamedValue(index: NamedValueIndex, r: Resource, name: string): boolean {
  return Boolean(index.get(scopePrefix(r))?.has(name) || index.get('')?.has(name));
}

const FRAGMENT_REF = /<include-fragment\b[^>]*?\bfragment-id\s*=\s*(["'])([^"']*)\1/g;
const BACKEND_REF = /<set-backend-service\b[^>]*?\bbackend-id\s*=\s*(["'])([^"']*)\1/g;

/** Named values, fragments and backends a policy's XML uses. */
function checkPolicyReferences(state: ApimState, r: Resource, nv: NamedValueIndex, locate: Locate): Diagnostic[] {
  const text = r.policy!.text;
  const out: Diagnostic[] = [];
  // Only when the policy has no file of its own: locating in the YAML may build its positions.
  const file = r.policy!.origin?.file ?? locate(r, []).file;
  const at = (offset: number): { file?: string; line: number; column: number } => ({ file, ...lineColumn(text, offset) });
  for (const ref of findNamedValueReferences(text)) {
    if (!hasNamedValue(nv, r, ref.name)) {
      out.push({ ...at(ref.start), message: `policy uses named value '{{${ref.name}}}', which does not exist`, severity: 'error', code: 'reference' });
    }
  }
  const prefix = scopePrefix(r);
  for (const m of text.matchAll(FRAGMENT_REF)) {
    const id = m[2]!;
    if (id.startsWith('@') || id.includes('{{')) continue;
    if (!state.policyFragment.has(`${prefix}/policyFragments/${id}`) && !state.policyFragment.has(`/policyFragments/${id}`)) {
      out.push({ ...at(m.index), message: `include-fragment uses fragment '${id}', which does not exist`, severity: 'error', code: 'reference' });
    }
  }
  for (const m of text.matchAll(BACKEND_REF)) {
    const id = m[2]!;
    if (id.startsWith('@') || id.includes('{{')) continue;
    if (!state.backend.has(`${prefix}/backends/${id}`) && !state.backend.has(`/backends/${id}`)) {
      out.push({ ...at(m.index), message: `set-backend-service uses backend '${id}', which does not exist`, severity: 'error', code: 'reference' });
    }
  }
  return out;
}

/** 1-based line and column of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

function getPath(obj: unknown, path: YamlPath): unknown {
  let cur = obj;
  for (const step of path) cur = (cur as Record<string | number, unknown> | undefined)?.[step];
  return cur;
}

/**
 * Visits every string in `value` with its path. The path is one array, extended and shortened as the walk goes
 * (every value of every resource of a folder is visited, a reference is rare): copy it to keep it.
 */
function forEachString(value: unknown, path: (string | number)[], visit: (s: string, path: readonly (string | number)[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      forEachString(value[i], path, visit);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      path.push(keys[i]!);
      forEachString((value as Record<string, unknown>)[keys[i]!], path, visit);
      path.pop();
    }
  }
}
