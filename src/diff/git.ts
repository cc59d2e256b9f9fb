/**
 * The artifact folder as it was at any commit, read straight from git objects (`git ls-tree` + one
 * `git cat-file --batch`), never through a checkout: the working tree is left alone and a commit range can be
 * read without switching branches (APIOps read from the working tree until #499). The only file that imports
 * `simple-git`.
 */
import { spawn } from 'node:child_process';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { FileSource } from '../artifacts/file-source.js';
import { UserError } from '../shared/errors.js';

/** A git repository opened at a folder inside it. */
export interface GitRepo {
  /** Absolute path of the work tree root. */
  readonly root: string;
  /** The full commit id of a ref (`HEAD~2`, a branch, a tag, a sha); `E_GIT` when it does not name a commit. */
  resolveCommit(ref: string): Promise<string>;
  /**
   * A `FileSource` over `folder` (absolute, or relative to the repository root) at `commit`. Paths are relative
   * to that folder. A folder absent at that commit is an empty source (e.g. the commit before the first one).
   */
  fileSource(commit: string, folder: string): Promise<FileSource>;
  /** One file (path relative to the repository root) at a commit, or undefined. */
  readFile(commit: string, path: string): Promise<string | undefined>;
  /** Commits in `from..to`, oldest first (for messages: "publishing 3 commits"). */
  commitsBetween(from: string, to: string): Promise<string[]>;
  /** Files (repository paths) that differ between two commits under any of `paths`. */
  changedPaths(from: string, to: string, paths: readonly string[]): Promise<string[]>;
  /** True when `folder` has no uncommitted change (tracked or untracked) in the working tree. */
  isClean(folder: string): Promise<boolean>;
}

/** `HEAD~1 (1a2b3c4d5e6f)`, or just the short id when the ref is the commit id itself. */
export function refLabel(ref: string, commit: string): string {
  return commit.startsWith(ref) ? commit.slice(0, 12) : `${ref} (${commit.slice(0, 12)})`;
}

/** Opens the repository containing `dir`; `E_GIT` with a hint when it is not in one. */
export async function openGitRepo(dir: string): Promise<GitRepo> {
  const git: SimpleGit = simpleGit({ baseDir: dir });
  let root: string;
  try {
    root = (await git.revparse(['--show-toplevel'])).trim();
  } catch (err) {
    throw new UserError('E_GIT', `${dir} is not inside a git repository`, {
      cause: err,
      hint: '--from/--to read the artifact folder from git commits; run inside the repository (or use --live)',
    });
  }
  return new GitRepoImpl(git, root);
}

interface TreeEntry {
  sha: string;
  path: string;
}

class GitRepoImpl implements GitRepo {
  constructor(
    private readonly git: SimpleGit,
    readonly root: string,
  ) {}

  async resolveCommit(ref: string): Promise<string> {
    if (ref.startsWith('-')) throw new UserError('E_GIT', `'${ref}' is not a git revision`);
    try {
      return (await this.git.revparse(['--verify', '--end-of-options', `${ref}^{commit}`])).trim();
    } catch (err) {
      throw new UserError('E_GIT', `'${ref}' does not name a commit in ${this.root}`, {
        cause: err,
        hint: 'in CI, fetch enough history (e.g. actions/checkout with fetch-depth: 0) for the ref to exist',
      });
    }
  }

  /** `folder` as a repository-relative, `/`-separated prefix ('' for the root). */
  private prefixOf(folder: string): string {
    const abs = isAbsolute(folder) ? folder : resolvePath(this.root, folder);
    const rel = relative(this.root, abs).split(sep).join('/');
    if (rel.startsWith('..')) throw new UserError('E_GIT', `${folder} is outside the git repository ${this.root}`);
    return rel === '' ? '' : `${rel}/`;
  }

  private async lsTree(commit: string, prefix: string): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
    if (prefix) args.push('--', prefix);
    const out = await this.git.raw(args);
    const entries: TreeEntry[] = [];
    for (const rec of out.split('\0')) {
      if (!rec) continue;
      // "<mode> blob <sha>\t<path>"
      const tab = rec.indexOf('\t');
      const [, type, sha] = rec.slice(0, tab).split(' ');
      if (type !== 'blob' || !sha) continue;
      entries.push({ sha, path: rec.slice(tab + 1) });
    }
    return entries;
  }

  async fileSource(commit: string, folder: string): Promise<FileSource> {
    const prefix = this.prefixOf(folder);
    const entries = await this.lsTree(commit, prefix);
    const shaByPath = new Map<string, string>();
    for (const e of entries) if (e.path.startsWith(prefix)) shaByPath.set(e.path.slice(prefix.length), e.sha);
    const files = [...shaByPath.keys()].sort();
    let blobs: Promise<Map<string, string>> | undefined;
    const root = this.root;
    return {
      description: `${commit.slice(0, 12)}:${prefix.replace(/\/$/, '') || '.'}`,
      listFiles: async () => [...files],
      async readText(path: string): Promise<string | undefined> {
        const sha = shaByPath.get(path);
        if (!sha) return undefined;
        // The reader reads (nearly) every file: fetch them all through one `cat-file --batch` process.
        blobs ??= readBlobs(root, [...new Set(shaByPath.values())]);
        return (await blobs).get(sha);
      },
    };
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    const rel = this.prefixOf(path).replace(/\/$/, '');
    const entries = await this.lsTree(commit, rel);
    const hit = entries.find((e) => e.path === rel);
    if (!hit) return undefined;
    return (await readBlobs(this.root, [hit.sha])).get(hit.sha);
  }

  async changedPaths(from: string, to: string, paths: readonly string[]): Promise<string[]> {
    const specs = paths.map((p) => `:(top)${this.prefixOf(p).replace(/\/$/, '')}`);
    const out = await this.git.raw(['diff', '--name-only', '-z', '--no-renames', from, to, '--', ...specs]);
    return out.split('\0').filter((l) => l !== '');
  }

  async isClean(folder: string): Promise<boolean> {
    const prefix = this.prefixOf(folder);
    // `:(top)`: the pathspec is relative to the root, whatever folder the repository was opened at
    const out = await this.git.raw(['status', '--porcelain', '--untracked-files=all', '--', `:(top)${prefix}`]);
    return out.trim() === '';
  }

  async commitsBetween(from: string, to: string): Promise<string[]> {
    const out = await this.git.raw(['rev-list', '--reverse', `${from}..${to}`]);
    return out.split('\n').filter((l) => l !== '');
  }
}

/**
 * Reads blobs through one `git cat-file --batch` process: `<sha> blob <size>\n<bytes>\n` per object. Text is
 * UTF-8 with CRLF normalised to LF (the model's rule for policy text).
 */
function readBlobs(cwd: string, shas: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => reject(new UserError('E_GIT', `cannot run git: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code !== 0) return reject(new UserError('E_GIT', `git cat-file failed: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      const out = new Map<string, string>();
      let pos = 0;
      while (pos < buf.length) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0) break;
        const header = buf.subarray(pos, nl).toString();
        const [sha, type, sizeText] = header.split(' ');
        if (type === 'missing' || !sha || !sizeText) {
          pos = nl + 1;
          continue;
        }
        const size = Number(sizeText);
        out.set(sha, buf.subarray(nl + 1, nl + 1 + size).toString('utf8').replace(/\r\n/g, '\n'));
        pos = nl + 1 + size + 1;
      }
      resolve(out);
    });
    child.stdin.end(shas.map((s) => `${s}\n`).join(''));
  });
}
