/**
 * Folder (any `FileSource`) → `ApimState`. Reads every file, reports every problem in one pass (YAML syntax,
 * schema, unknown files, dangling references, policy XML that does not parse) as `file:line:column: message`,
 * and never throws for bad input: `loadArtifacts` is the throwing convenience for commands.
 */
import { parsePolicyDocument } from '../policy/index.js';
import { DiagnosticsError, type Diagnostic } from '../shared/errors.js';
import { readApiopsArtifacts, looksLikeApiops } from './apiops-layout.js';
import type { FileSource } from './file-source.js';
import { KINDS, RESOURCE_KINDS, type ResourceKind } from './kinds.js';
import { emptyState, putResource, type ApimState, type Resource, type SpecificationFormat } from './model.js';
import { normalizeProperties } from './normalize.js';
import { nameOfKey, parentKeyOf, parseArtifactPath, schemaNameOf, type ArtifactPath } from './paths.js';
import { apiFolderKeyOf } from './folder-walk.js';
import { checkReferences } from './references.js';
import { prepareSchemas, validateWithSchema, type SchemaName } from './schemas.js';
import { analyzeSpecification } from './specification.js';
import { parseYamlFile, positionOf, type YamlFile, type YamlPath } from './yaml-doc.js';
import { isNonArtifactFile, makePolicyResource, makeResource, makeSpecificationOperation, mapLimit, toLf } from './build.js';

export { isNonArtifactFile, makeResource, toLf };

/** Options of `readArtifacts`. */
export interface ReadOptions {
  /** `auto` (default) reads an Azure/apiops v7 folder when the folder looks like one. */
  layout?: 'auto' | 'apimops' | 'apiops';
  /** Check links and ids between resources (default true). */
  checkReferences?: boolean;
  /**
   * With `checkReferences`, also check the named values, fragments and backends that policy XML uses
   * (default true). Lint turns this off: its undefined-* rules report them (one finding each, not two).
   */
  checkPolicyReferences?: boolean;
  /** Parse policy XML and report its problems (default true). */
  checkPolicies?: boolean;
  /** More paths that are not artifacts and must not be warned about. */
  ignore?: (path: string) => boolean;
  /**
   * Called with each policy file's text (line endings normalised, as the state will hold it) as soon as it is
   * read: lint parses the policies while a large folder is still being read by the worker thread, in the
   * time the main thread would otherwise wait for the next batch. Not called for an Azure/apiops folder.
   */
  onPolicyText?: (path: string, text: string, key: string) => void;
  /**
   * Called while a folder is scanned (`FileSource.scan`, which gives every file outside API folders first) for
   * each API folder, as soon as all its files are read, with the state so far (which then holds every resource
   * the API may refer to) and the API's operation names: lint checks an API while the next ones are read.
   * Not called for an API with a specification (its operations come from it, when the whole folder is read),
   * nor for a folder that is not scanned.
   */
  onApiFolderRead?: (api: ApiFolder, state: ApimState) => void;
  /**
   * With `onApiFolderRead`: once an API folder has been announced, its resources but the API itself (operations,
   * policies, diagnostics, releases…) are checked as at the end of the read and then left out of the returned
   * state, so they die young. For a caller that takes what it needs as each folder is announced (lint: a large
   * folder's operations are most of what a read would keep).
   */
  releaseApiFolders?: boolean;
}

/** An API folder read completely (`ReadOptions.onApiFolderRead`). */
export interface ApiFolder {
  /** `/apis/<a>` or `/workspaces/<w>/apis/<a>`. */
  key: string;
  /** Names of the operations read from its operation.yaml files. */
  operations: readonly string[];
}

/** What reading a folder gives. */
export interface ReadResult {
  state: ApimState;
  /** Every problem found, errors and warnings, in file order. */
  diagnostics: Diagnostic[];
  layout: 'apimops' | 'apiops';
  /**
   * The schema location the folder's files use, relative to the folder root (`../schemas`) or a URL;
   * the writer keeps it so a read → write round trip changes no byte.
   */
  schemaBase?: string;
}



/** Files read at once: enough to hide disk/git latency, few enough not to exhaust file handles. */
const READ_CONCURRENCY = 32;

/** The schemas of the information files (one per kind that has one). */
const INFO_SCHEMAS = [...new Set(RESOURCE_KINDS.map(schemaNameOf).filter((s): s is string => s !== undefined))] as SchemaName[];

const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)/;

/** Reads an artifact folder into a state, collecting every problem. */
export async function readArtifacts(source: FileSource, opts: ReadOptions = {}): Promise<ReadResult> {
  const layout = opts.layout ?? 'auto';
  // A large folder on disk is listed and read in one pass by a worker thread, and parsed here as it comes.
  const scan = layout === 'apiops' ? undefined : source.scan?.();
  const files = scan ? [] : await source.listFiles();
  if (layout === 'apiops' || (layout === 'auto' && !scan && looksLikeApiops(files))) {
    const { state, diagnostics, locate } = await readApiopsArtifacts(source, files, { ignore: opts.ignore });
    if (opts.checkPolicies !== false) diagnostics.push(...policyDiagnostics(state));
    if (opts.checkReferences !== false) diagnostics.push(...checkReferences(state, locate, { policies: opts.checkPolicyReferences }));
    return { state, diagnostics: sortDiagnostics(diagnostics), layout: 'apiops' };
  }

  const diagnostics: Diagnostic[] = [];
  const state = emptyState();
  const yamlOf = new Map<string, YamlFile>();
  const policies = new Map<string, { parsed: ArtifactPath; path: string; text: string }>();
  const specs = new Map<string, { format: SpecificationFormat; path: string; text: string }[]>();
  let schemaBase: string | undefined;

  /** The file's place in the layout, or undefined when it is not read (a warning when it is not an artifact). */
  const placeOf = (path: string): ArtifactPath | undefined => {
    if (isNonArtifactFile(path) || opts.ignore?.(path)) return undefined;
    const parsed = parseArtifactPath(path);
    if (!parsed) diagnostics.push({ file: path, severity: 'warn', code: 'unknown-file', message: unknownFileMessage(path) });
    return parsed;
  };
  const wanted: { path: string; parsed: ArtifactPath }[] = [];
  for (const path of files) {
    const parsed = placeOf(path);
    if (parsed) wanted.push({ path, parsed });
  }
  // Information files → resources, each as soon as its text is read: a folder on disk streams a large read
  // from a worker thread, so this parsing overlaps the reading.
  const addInfo = (key: string, parsed: ArtifactPath, path: string, text: string): void => {
    schemaBase ??= schemaBaseOf(path, text);
    const { yaml, diagnostics: syntax } = parseYamlFile(path, text);
    diagnostics.push(...syntax);
    yamlOf.set(key, yaml);
    if (syntax.length > 0) {
      putResource(state, makeResource(parsed.kind, key, {}, path));
      return;
    }
    let value = yaml.value;
    if (value === null || value === undefined) value = {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      const at = positionOf(yaml, []);
      diagnostics.push({ file: path, ...at, severity: 'error', code: 'schema', message: `${path.split('/').pop()} must be a mapping of properties` });
      putResource(state, makeResource(parsed.kind, key, {}, path));
      return;
    }
    const schema = schemaNameOf(parsed.kind) as SchemaName | undefined;
    if (schema) diagnostics.push(...validateWithSchema(schema, yaml, value));
    putResource(state, makeResource(parsed.kind, key, normalizeProperties(parsed.kind, value as Record<string, unknown>), path));
  };
  /**
   * Fragments' XML → their resources (a fragment with policy.xml only is a fragment too): at the end of the read,
   * or before an API folder's references are checked (fragments are read before API folders in a scan).
   */
  const settleFragments = () => {
    for (const [key, { parsed, path, text }] of policies) {
      if (parsed.kind !== 'policyFragment') continue;
      const fragment = state.policyFragment.get(key);
      if (fragment) fragment.policy = { text, origin: { file: path } };
      else putResource(state, makePolicyResource('policyFragment', key, text, path));
    }
  };
  /** Positions of a resource's YAML properties, for reference diagnostics. */
  const locate = (r: Resource, path: YamlPath) => {
    const y = yamlOf.get(r.key);
    if (!y) return { file: r.origin?.file };
    return { file: y.file, ...positionOf(y, path) };
  };
  const add = (path: string, parsed: ArtifactPath, raw: string | undefined): void => {
    if (raw === undefined) return;
    const text = toLf(raw);
    // Each resource key has one information file (its name is fixed by the kind): added in listing order.
    if (parsed.role === 'info') addInfo(parsed.key, parsed, path, text);
    else if (parsed.role === 'policy') {
      policies.set(parsed.key, { parsed, path, text });
      opts.onPolicyText?.(path, text, parsed.key);
    }
    else {
      const list = specs.get(parsed.key) ?? [];
      list.push({ format: parsed.format!, path, text });
      specs.set(parsed.key, list);
    }
  };
  if (scan) {
    // The reading thread takes ~50–80 ms to start: load the validators meanwhile, on this otherwise idle thread.
    const batches = scan[Symbol.asyncIterator]();
    const first = batches.next();
    prepareSchemas(INFO_SCHEMAS);
    // The API folder being read (the scan gives each one's files together, after every other file).
    let folder: ReadingApiFolder | undefined;
    const folderDone = () => {
      if (folder && !folder.specification) {
        opts.onApiFolderRead?.({ key: folder.key, operations: folder.operations }, state);
        if (opts.releaseApiFolders) release(folder);
      }
      folder = undefined;
    };
    let settled = false;
    /** The checks of the end of the read for a folder's resources, which then leave the state. */
    const release = (done: ReadingApiFolder) => {
      if (!settled) settleFragments();
      settled = true;
      const released: Resource[] = [];
      for (const [kind, key] of done.infos) {
        const r = key === done.key ? undefined : state[kind].get(key);
        if (r) released.push(r as Resource);
      }
      for (const key of done.policies) {
        const p = policies.get(key);
        if (p) released.push(makePolicyResource(p.parsed.kind, key, p.text, p.path));
      }
      diagnostics.push(...missingOwners(state, released));
      if (opts.checkPolicies !== false) diagnostics.push(...policyDiagnostics(state, released));
      if (opts.checkReferences !== false) diagnostics.push(...checkReferences(state, locate, { policies: opts.checkPolicyReferences }, released));
      for (const [kind, key] of done.infos) {
        if (key === done.key) continue;
        state[kind].delete(key);
        yamlOf.delete(key);
      }
      for (const key of done.policies) policies.delete(key);
    };
    try {
      for (let next = first; ; next = batches.next()) {
        const step = await next;
        if (step.done) break;
        const { paths, texts } = step.value;
        for (let i = 0; i < paths.length; i++) {
          const path = paths[i]!;
          files.push(path);
          if (opts.onApiFolderRead && !(folder && path.startsWith(folder.prefix))) {
            folderDone();
            const key = apiFolderKeyOf(path);
            if (key !== undefined) folder = { key, prefix: `${key.slice(1)}/`, operations: [], specification: false, infos: [], policies: [] };
          }
          const parsed = placeOf(path);
          if (!parsed) continue;
          if (folder) {
            if (parsed.role === 'specification') folder.specification = true;
            else if (parsed.role === 'policy') folder.policies.push(parsed.key);
            else {
              folder.infos.push([parsed.kind, parsed.key]);
              if (parsed.kind === 'apiOperation') folder.operations.push(nameOfKey(parsed.key));
            }
          }
          const text = texts[i];
          add(path, parsed, text === null ? await source.readText(path) : text);
        }
      }
      folderDone();
    } finally {
      // As `for await` would: a read that stops early (an error here) stops the reading thread.
      await batches.return?.(undefined);
    }
    // Whether the folder is an Azure/apiops one is known only from the whole listing: rare, so read it again.
    if (layout === 'auto' && looksLikeApiops(files)) return readArtifacts(source, { ...opts, layout: 'apiops' });
  } else {
    let next = 0;
    for await (const batch of textBatches(source, wanted.map((w) => w.path))) {
      for (const raw of batch) {
        const { path, parsed } = wanted[next++]!;
        add(path, parsed, raw);
      }
    }
  }

  // Specifications → their API; operations derived from OpenAPI definitions.
  for (const [key, list] of specs) {
    const api = state.api.get(key);
    if (list.length > 1) {
      diagnostics.push({ file: list[1]!.path, severity: 'error', code: 'layout', message: `API '${nameOfKey(key)}' has more than one specification file (${list.map((s) => s.path.split('/').pop()).join(', ')})` });
    }
    const spec = list[0]!;
    if (!api) {
      diagnostics.push({ file: spec.path, severity: 'error', code: 'layout', message: `specification of API '${nameOfKey(key)}', which has no api.yaml` });
      continue;
    }
    const analysed = analyzeSpecification(spec.format, spec.text);
    if (analysed.error) diagnostics.push({ file: spec.path, severity: 'error', code: 'specification', message: `specification does not parse: ${analysed.error}` });
    api.specification = { format: spec.format, content: spec.text, origin: { file: spec.path } };
    for (const op of analysed.operations) {
      const opKey = `${key}/operations/${op.name}`;
      const existing = state.apiOperation.get(opKey);
      if (existing) {
        diagnostics.push({ file: existing.origin?.file, line: 1, column: 1, severity: 'warn', code: 'layout', message: `operation.yaml is ignored: API '${api.name}' has a specification, which defines its operations` });
      }
      putResource(state, makeSpecificationOperation(opKey, op.properties, spec.path));
    }
  }
  // operation.yaml beside a specification that does not define the operation: the writer would drop it.
  for (const op of [...state.apiOperation.values()]) {
    const api = state.api.get(op.parent ?? '');
    if (api?.specification && !op.fromSpecification) {
      diagnostics.push({ file: op.origin?.file, line: 1, column: 1, severity: 'error', code: 'layout', message: `operation '${op.name}' is not in ${api.specification.origin?.file ?? 'the specification'}; an API with a specification takes its operations from it` });
      state.apiOperation.delete(op.key);
    }
  }

  // Policy files → policy resources (and fragments' XML).
  settleFragments();
  for (const [key, { parsed, path, text }] of policies) {
    if (parsed.kind !== 'policyFragment') putResource(state, makePolicyResource(parsed.kind, key, text, path));
  }
  for (const fragment of state.policyFragment.values()) {
    if (!fragment.policy) {
      diagnostics.push({ file: fragment.origin?.file, line: 1, column: 1, severity: 'error', code: 'layout', message: `policy fragment '${fragment.name}' has no policy.xml` });
    }
  }

  diagnostics.push(...missingOwners(state));
  if (opts.checkPolicies !== false) diagnostics.push(...policyDiagnostics(state));
  if (opts.checkReferences !== false) {
    diagnostics.push(
      ...checkReferences(state, locate, { policies: opts.checkPolicyReferences }),
    );
  }
  return { state, diagnostics: sortDiagnostics(diagnostics), layout: 'apimops', ...(schemaBase ? { schemaBase } : {}) };
}

/**
 * Reads a folder and throws a `DiagnosticsError` (exit 2) listing every problem when any is an error.
 * Warnings are returned with the state for the caller to print.
 */
export async function loadArtifacts(source: FileSource, opts: ReadOptions = {}): Promise<ReadResult> {
  const result = await readArtifacts(source, opts);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    // The CLI prints these as `file:line:col: message`; say which lines are only warnings.
    const labelled = result.diagnostics.map((d) => (d.severity === 'error' ? d : { ...d, message: `warning: ${d.message}` }));
    throw new DiagnosticsError('E_ARTIFACT', `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${source.description}`, labelled);
  }
  return result;
}


/** An API folder being read in a scan: what `onApiFolderRead` gives, and what the folder added. */
interface ReadingApiFolder {
  key: string;
  /** The folder's path prefix (`apis/<a>/`). */
  prefix: string;
  operations: string[];
  specification: boolean;
  /** Kinds and keys of the resources of its information files, and keys of its policies. */
  infos: [ResourceKind, string][];
  policies: string[];
}

/**
 * A nested resource whose owner is not in the folder (a policy.xml for an API without api.yaml, …): for every
 * resource of the state, or for `resources` only.
 */
function missingOwners(state: ApimState, resources?: readonly Resource[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rs of resources ? [resources] : (Object.values(state) as Map<string, Resource>[]).map((m) => m.values())) {
    for (const r of rs) {
      const kind = r.kind;
      // A resource's parent is of its kind's parent kind (makeResource), a workspace of kind `workspace`.
      const parentKind = KINDS[kind].parent;
      // The owners that are missing (nearly every resource has its own).
      const missing: [string, ResourceKind][] = [];
      if (r.parent && parentKind && !(state[parentKind] as Map<string, unknown>).has(r.parent)) missing.push([r.parent, parentKind]);
      const workspaceKey = r.workspace && kind !== 'workspacePolicy' ? `/workspaces/${r.workspace}` : undefined;
      if (workspaceKey && !state.workspace.has(workspaceKey)) missing.push([workspaceKey, 'workspace']);
      for (const [owner, ownerKind] of missing) {
        const info = KINDS[ownerKind];
        const api = ownerKind === 'apiOperation' ? state.api.get(parentKeyOf(owner) ?? '') : undefined;
        if (api?.specification) {
          // GraphQL/WSDL definitions are not parsed for operations: trust the folder.
          if (!api.specification.format.startsWith('openapi')) continue;
          out.push({
            file: r.origin?.file,
            severity: 'error',
            code: 'layout',
            message: `${describe(r)} belongs to operation '${nameOfKey(owner)}', which is not in ${api.specification.origin?.file ?? 'the specification'}`,
          });
          continue;
        }
        out.push({
          file: r.origin?.file,
          severity: 'error',
          code: 'layout',
          message: `${describe(r)} belongs to ${ownerKind} '${nameOfKey(owner)}', which has no ${info.file ?? 'definition'}`,
        });
      }
    }
  }
  return out;
}

function describe(r: Resource): string {
  return KINDS[r.kind].policy && r.kind !== 'policyFragment' ? 'this policy' : `${r.kind} '${r.name}'`;
}

/** Parse problems of every policy document (POLICY-ENGINE.md §2.2 tokenizer), or of `resources` only. */
function policyDiagnostics(state: ApimState, resources?: readonly Resource[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kinds: readonly ResourceKind[] = ['servicePolicy', 'workspacePolicy', 'apiPolicy', 'apiOperationPolicy', 'productPolicy', 'policyFragment'];
  for (const rs of resources ? [resources.filter((r) => kinds.includes(r.kind))] : kinds.map((k) => state[k].values())) {
    for (const r of rs) {
      if (!r.policy) continue;
      const file = r.policy.origin?.file ?? r.origin?.file ?? r.key;
      const { diagnostics } = parsePolicyDocument(r.policy.text, file);
      out.push(...diagnostics.map((d) => ({ ...d, severity: d.severity ?? ('error' as const) })));
    }
  }
  return out;
}

function unknownFileMessage(path: string): string {
  const name = path.split('/').pop() ?? path;
  if (/Information\.json$/.test(name)) return `unknown file: '${name}' is an Azure/apiops file; run \`apimops convert\` to migrate the folder`;
  return 'unknown file: not part of the artifact layout (ARTIFACT-FORMAT.md), ignored';
}

/** The schema base of a file's `$schema` line, made relative to the folder root (or a URL as is). */
function schemaBaseOf(path: string, text: string): string | undefined {
  const m = SCHEMA_LINE.exec(text);
  if (!m) return undefined;
  const ref = m[1]!;
  const dir = ref.slice(0, ref.lastIndexOf('/'));
  if (/^[a-z]+:\/\//i.test(ref) || ref.startsWith('/')) return dir;
  let rel = dir;
  const depth = path.split('/').length - 1;
  for (let i = 0; i < depth; i++) {
    if (!rel.startsWith('../')) return undefined;
    rel = rel.slice(3);
  }
  return rel;
}

/** The texts of `paths` in order, in the batches the source reads them in (one batch when it cannot stream). */
async function* textBatches(source: FileSource, paths: readonly string[]): AsyncGenerator<(string | undefined)[]> {
  if (source.readTextBatches) yield* source.readTextBatches(paths);
  else if (source.readTexts) yield await source.readTexts(paths);
  else yield await mapLimit(paths, READ_CONCURRENCY, (path) => source.readText(path));
}

/** Errors and warnings in file, line, column order: stable output whatever the read order. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const fa = a.d.file ?? '';
      const fb = b.d.file ?? '';
      if (fa !== fb) return fa < fb ? -1 : 1;
      return (a.d.line ?? 0) - (b.d.line ?? 0) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i;
    })
    .map((x) => x.d);
}
