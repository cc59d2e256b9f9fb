/**
 * The two sides of a diff or a publish, loaded the same way: the artifact folder at a commit (through a git
 * `FileSource`, never a checkout) with that commit's overrides file applied. Reading the overrides from the
 * same commit as the folder is what makes an override-only commit show up as a change (ANCHORS.md §7 #4).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { emptyState, type ApimState } from '../artifacts/model.js';
import { applyOverrides, parseOverrides } from '../artifacts/overrides.js';
import { loadArtifacts, readArtifacts } from '../artifacts/reader.js';
import type { GitRepo } from '../diff/git.js';
import { DiagnosticsError, type Diagnostic } from '../shared/errors.js';
import type { PlaceholderSource } from './secrets.js';

/** A state read from git, and what it was read from. */
export interface CommitState {
  state: ApimState;
  commit: string;
  /** The overrides file at that commit, when there was one (placeholders are located in it). */
  overrides?: PlaceholderSource;
  diagnostics: Diagnostic[];
}

/**
 * Loads `folder` at `commit` and applies the overrides file `overridesPath` (absolute, or relative to the
 * repository root) as it was at that commit. A folder that did not exist at that commit is an empty state
 * (publishing "everything since the beginning" works); an invalid folder is an `E_ARTIFACT` error listing
 * every problem with `commit:path:line:column` (unless `strict: false`: then problems are only returned).
 */
export async function loadStateAtCommit(
  repo: GitRepo,
  commit: string,
  folder: string,
  overridesPath?: string,
  opts: { strict?: boolean } = {},
): Promise<CommitState> {
  const source = await repo.fileSource(commit, folder);
  const short = commit.slice(0, 12);
  const prefix = repoPath(repo, folder);
  // `abc123:artifacts/apis/x/api.yaml:3:1: …`: the commit and the repository path of every problem
  const at = (d: Diagnostic): Diagnostic => (d.file ? { ...d, file: `${short}:${prefix ? `${prefix}/` : ''}${d.file}` } : d);
  let read: Awaited<ReturnType<typeof loadArtifacts>>;
  try {
    // The side being left behind (`--from`) is history: a problem there must not block publishing the fix,
    // and its policies need no validation, so it is read leniently (and faster).
    read = opts.strict === false ? await readArtifacts(source, { checkPolicies: false, checkReferences: false }) : await loadArtifacts(source);
  } catch (err) {
    if (err instanceof DiagnosticsError) throw new DiagnosticsError(err.code as 'E_ARTIFACT', err.message, err.diagnostics.map(at));
    throw err;
  }
  const diagnostics = read.diagnostics.map(at);
  let state = read.state;
  let overrides: PlaceholderSource | undefined;
  if (overridesPath) {
    const rel = repoPath(repo, overridesPath);
    const text = await repo.readFile(commit, rel);
    if (text !== undefined) {
      const display = `${short}:${rel}`;
      const parsed = parseOverrides(display, text);
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new DiagnosticsError('E_CONFIG', `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${display}`, parsed.diagnostics);
      state = applyOverrides(state, parsed.overrides, diagnostics);
      overrides = { file: display, text };
    }
  }
  return { state, commit, diagnostics, ...(overrides ? { overrides } : {}) };
}

/** A path as the repository sees it (`/`-separated, relative to the root). */
export function repoPath(repo: GitRepo, path: string): string {
  const abs = isAbsolute(path) ? path : resolve(repo.root, path);
  return relative(repo.root, abs).split(sep).join('/');
}

/** Both sides of a commit range. */
export interface RangeStates {
  from: CommitState;
  to: CommitState;
  /** No file of the folder or of the overrides changed in the range: nothing was read, both states are empty. */
  unchanged: boolean;
}

/**
 * Loads both sides of `from..to`: `to` strictly (its problems stop a publish), `from` leniently. When
 * neither the folder nor the overrides file changed in the range (`git diff --name-only`), nothing is read
 * at all: a pipeline run on a commit that did not touch the artifacts costs two git calls.
 */
export async function loadRangeStates(repo: GitRepo, from: string, to: string, folder: string, overridesPath?: string): Promise<RangeStates> {
  const paths = [folder, ...(overridesPath ? [overridesPath] : [])];
  if (from === to || (await repo.changedPaths(from, to, paths)).length === 0) {
    const empty = (commit: string): CommitState => ({ state: emptyState(), commit, diagnostics: [] });
    return { from: empty(from), to: empty(to), unchanged: true };
  }
  const [a, b] = await Promise.all([loadStateAtCommit(repo, from, folder, overridesPath, { strict: false }), loadStateAtCommit(repo, to, folder, overridesPath)]);
  return { from: a, to: b, unchanged: false };
}
