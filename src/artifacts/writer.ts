/**
 * `ApimState` → folder. `renderArtifacts` is pure (state → path → text); `writeArtifacts` is the thin I/O
 * shell that replaces a folder's artifact files atomically. Output is deterministic: keys sorted, 2-space
 * indent, LF, one trailing newline, so extracting the same service twice changes no byte.
 *
 * The `# yaml-language-server: $schema=…` line: `schemaBase` is the schemas location *relative to the
 * artifact root* (e.g. `../schemas`, `../node_modules/apimops/schemas`) or an absolute URL. Each file gets
 * `../` once per folder level in front of a relative base, so the line is the same on every machine. When
 * not given, `writeArtifacts` keeps the base the folder's files already use, else finds the apimops
 * package's `schemas/` from the folder, else uses `DEFAULT_SCHEMA_BASE` (the published package on unpkg).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile, cp } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../shared/errors.js';
import { folderSource } from './folder-source.js';
import { KINDS, RESOURCE_KINDS, type ResourceKind } from './kinds.js';
import { allResources, type ApimState, type Resource } from './model.js';
import { normalizeProperties, sortKeysDeep } from './normalize.js';
import { infoPathOf, parseArtifactPath, policyPathOf, schemaNameOf, specificationPathOf } from './paths.js';
import { isNonArtifactFile, mapLimit } from './build.js';
import { parseApiopsPath, renderApiopsArtifacts } from './apiops-layout.js';
import { SCHEMAS_DIR } from './schemas.js';

/** The published schemas: versioned by major, so a patch release changes no artifact byte. */
export const DEFAULT_SCHEMA_BASE = 'https://unpkg.com/apimops@0/schemas';

/** Options of `renderArtifacts`. */
export interface RenderOptions {
  /** Schemas location relative to the artifact root, or a URL (see the file comment). */
  schemaBase?: string;
}

/** Options of `writeArtifacts`. */
export interface WriteOptions extends RenderOptions {
  /**
   * Kinds whose files are replaced: files of these kinds that the state no longer has are removed.
   * Files of other kinds, and files that are not artifacts, are left as they are. Default: every kind.
   */
  prune?: readonly ResourceKind[];
  /** `apiops` writes the Azure/apiops v7 layout instead (for teams that keep both, and round-trip tests). */
  layout?: 'apimops' | 'apiops';
}

/** Serialises YAML the one way apimops writes it. */
export function toYaml(value: unknown): string {
  return stringify(sortKeysDeep(value), { indent: 2, lineWidth: 0, minContentWidth: 0 });
}

/** The first line of an information file. */
export function schemaLine(path: string, schemaName: string, schemaBase: string): string {
  const depth = path.split('/').length - 1;
  const isAbsolute = /^[a-z]+:\/\//i.test(schemaBase) || schemaBase.startsWith('/');
  const prefix = isAbsolute ? '' : '../'.repeat(depth);
  return `# yaml-language-server: $schema=${prefix}${schemaBase.replace(/\/$/, '')}/${schemaName}.schema.json`;
}

/** The files of a state: path → text, every path relative and `/`-separated, in sorted order. */
export function renderArtifacts(state: ApimState, opts: RenderOptions = {}): Map<string, string> {
  const base = opts.schemaBase ?? DEFAULT_SCHEMA_BASE;
  const files = new Map<string, string>();
  for (const r of allResources(state)) {
    for (const [path, text] of renderResource(state, r, base)) files.set(path, text);
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function renderResource(state: ApimState, r: Resource, base: string): [string, string][] {
  const out: [string, string][] = [];
  if (r.kind === 'apiOperation') {
    // Operations of an API with a specification come from it: no operation.yaml.
    const api = r.parent ? state.api.get(r.parent) : undefined;
    if (r.fromSpecification || api?.specification) return out;
  }
  const info = infoPathOf(r.key);
  const schema = schemaNameOf(r.kind);
  if (info && schema) {
    const props = normalizeProperties(r.kind, r.properties);
    out.push([info, `${schemaLine(info, schema, base)}\n${toYaml(props)}`]);
  }
  if (KINDS[r.kind].policy && r.policy) {
    const p = policyPathOf(r.key);
    if (p) out.push([p, r.policy.text]);
  }
  if (r.kind === 'api' && r.specification) {
    out.push([specificationPathOf(r.key, r.specification.format), r.specification.content]);
  }
  return out;
}

/**
 * Writes a state into `folder` (created when missing). Atomic for the folder: everything is prepared in a
 * temporary sibling, then swapped in with renames, so a failure leaves the old folder untouched.
 * When nothing would change, nothing is touched.
 */
export async function writeArtifacts(state: ApimState, folder: string, opts: WriteOptions = {}): Promise<{ written: number; removed: number; changed: boolean }> {
  const target = resolve(folder);
  const exists = existsSync(target);
  const existing = exists ? await folderSource(target).listFiles() : [];
  const apiops = opts.layout === 'apiops';
  const schemaBase = apiops ? '' : (opts.schemaBase ?? (await existingSchemaBase(target, existing)) ?? packageSchemaBase(target));
  const rendered = apiops ? renderApiopsArtifacts(state) : renderArtifacts(state, { schemaBase });
  const kindOfFile = (p: string): ResourceKind | undefined => {
    if (!apiops) return parseArtifactPath(p)?.kind;
    const parsed = parseApiopsPath(p);
    if (!parsed) return undefined;
    return parsed.role === 'link' ? parsed.link.owner : parsed.role === 'specification' ? 'api' : parsed.kind;
  };
  const prune = new Set<ResourceKind>(opts.prune ?? RESOURCE_KINDS);

  // Which existing files go: artifact files of pruned kinds that the state no longer renders.
  const removed = existing.filter((p) => {
    if (rendered.has(p) || isNonArtifactFile(p)) return false;
    const kind = kindOfFile(p);
    return kind !== undefined && prune.has(kind);
  });
  let changed = removed.length > 0 || !exists;
  if (!changed) {
    const entries = [...rendered];
    const same = await mapLimit(entries, 32, async ([p, text]) => (await readFile(join(target, ...p.split('/')), 'utf8').catch(() => undefined)) === text);
    changed = same.includes(false);
  }
  if (!changed) return { written: 0, removed: 0, changed: false };

  const cwd = process.cwd();
  if (exists && (cwd === target || cwd.startsWith(target + sep))) {
    // Swapping the folder the process stands in would leave it in a deleted directory: replace file by file
    // instead (each file still written whole, then renamed into place).
    await writeInPlace(target, rendered, removed);
    return { written: rendered.size, removed: removed.length, changed: true };
  }
  const parent = dirname(target);
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const temp = join(parent, `.${basename(target)}.apimops-new-${stamp}`);
  const old = join(parent, `.${basename(target)}.apimops-old-${stamp}`);
  try {
    await mkdir(parent, { recursive: true });
    if (exists) await cp(target, temp, { recursive: true, errorOnExist: false });
    else await mkdir(temp, { recursive: true });
    for (const p of removed) await rm(join(temp, ...p.split('/')), { force: true });
    await removeEmptyParents(temp, removed);
    const dirs = new Set([...rendered.keys()].map((p) => dirname(join(temp, ...p.split('/')))));
    for (const d of [...dirs].sort()) await mkdir(d, { recursive: true });
    await mapLimit([...rendered], 32, ([p, text]) => writeFile(join(temp, ...p.split('/')), text, 'utf8'));
    if (exists) await rename(target, old);
    await rename(temp, target);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (!existsSync(target) && existsSync(old)) await rename(old, target).catch(() => undefined);
    throw new UserError('E_IO', `cannot write ${target}: ${(err as Error).message}`);
  }
  return { written: rendered.size, removed: removed.length, changed: true };
}

async function writeInPlace(target: string, rendered: ReadonlyMap<string, string>, removed: readonly string[]): Promise<void> {
  try {
    for (const [p, text] of rendered) {
      const file = join(target, ...p.split('/'));
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.apimops-${process.pid}.tmp`;
      await writeFile(tmp, text, 'utf8');
      await rename(tmp, file);
    }
    for (const p of removed) await rm(join(target, ...p.split('/')), { force: true });
    await removeEmptyParents(target, removed);
  } catch (err) {
    throw new UserError('E_IO', `cannot write ${target}: ${(err as Error).message}`);
  }
}

/** Removes the folders that removing `removed` left empty (only those: never .git or anything else). */
async function removeEmptyParents(root: string, removed: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const p of removed) {
    const parts = p.split('/');
    for (let n = parts.length - 1; n > 0; n--) dirs.add(parts.slice(0, n).join('/'));
  }
  // Deepest first, so a parent is looked at after its children went.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const abs = join(root, ...d.split('/'));
    const entries = await readdir(abs).catch(() => undefined);
    if (entries && entries.length === 0) await rm(abs, { recursive: true, force: true });
  }
}

/** The schema base the folder's information files already use (kept, so rewrites change no byte). */
async function existingSchemaBase(target: string, files: readonly string[]): Promise<string | undefined> {
  for (const p of files) {
    const parsed = parseArtifactPath(p);
    if (parsed?.role !== 'info') continue;
    const text = await readFile(join(target, ...p.split('/')), 'utf8').catch(() => '');
    const m = /^# yaml-language-server: \$schema=(\S+)\/[^/]+\.schema\.json/.exec(text);
    if (!m) continue;
    const ref = m[1]!;
    if (/^[a-z]+:\/\//i.test(ref) || ref.startsWith('/')) return ref;
    let rel = ref;
    for (let i = 0; i < p.split('/').length - 1; i++) {
      if (!rel.startsWith('../')) return undefined;
      rel = rel.slice(3);
    }
    return rel;
  }
  return undefined;
}

/**
 * The apimops package's `schemas/` relative to the folder when it is in the same project (a local
 * install under node_modules, or this repository); else the published URL, which is machine-independent.
 */
export function packageSchemaBase(target: string): string {
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const local = join(dir, 'node_modules', 'apimops', 'schemas');
    if (existsSync(local)) return toPosix(relative(target, local));
    if (dirname(dir) === dir) break;
  }
  const pkgRoot = dirname(SCHEMAS_DIR.replace(/[\\/]$/, ''));
  const rel = relative(pkgRoot, target);
  if (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '') return toPosix(relative(target, SCHEMAS_DIR));
  return DEFAULT_SCHEMA_BASE;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}
