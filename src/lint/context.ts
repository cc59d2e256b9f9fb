/**
 * The files lint must read to report on a few files exactly as a lint of the whole folder would (the
 * pre-commit hook passes the staged files). Pure: paths in, paths out.
 *
 * A finding on a file inside an API folder (`apis/<api>/…`, `workspaces/<ws>/apis/<api>/…`) depends on that
 * API's own files, on the broader scopes and everything outside `apis/` (global and workspace policies,
 * products, fragments, named values, backends, loggers, gateways, version sets), and on which other APIs
 * exist (a product or tag that lists them). It never depends on another API's policies or operations. So for
 * changed files that are all inside API folders, the context is: every file outside API folders, every file
 * of the APIs concerned (all their revisions), and the `api.yaml` of every other API. A changed file outside
 * an API folder (a fragment, the global policy, a product) can be affected by any API — for example, a
 * fragment's findings come from everywhere it is included — so then the whole folder is read.
 */
import type { FileSource } from '../artifacts/file-source.js';

/** `apis/<name>` or `workspaces/<ws>/apis/<name>` (revision suffix `;rev=n` stripped) and the rest of the path. */
const API_FOLDER = /^((?:workspaces\/[^/]+\/)?apis\/[^/;]+)(?:;rev=[^/]*)?\/(.*)$/;

/**
 * The files to read to lint `only` with the findings of a whole-folder lint, or undefined when that takes
 * the whole folder. `files` is the folder's listing.
 */
export function lintContextFiles(files: readonly string[], only: ReadonlySet<string>): string[] | undefined {
  const apis = new Set<string>();
  for (const f of only) {
    const m = API_FOLDER.exec(f);
    if (!m) return undefined;
    apis.add(m[1]!);
  }
  const out = files.filter((f) => {
    const m = API_FOLDER.exec(f);
    return !m || apis.has(m[1]!) || m[2] === 'api.yaml';
  });
  return out.length < files.length ? out : undefined;
}

/** `source` showing only `files` (a subset of its listing, in its order). */
export function sourceOfFiles(source: FileSource, files: readonly string[]): FileSource {
  const listing = [...files];
  return {
    description: source.description,
    listFiles: async () => listing,
    readText: (path) => source.readText(path),
    ...(source.readTexts ? { readTexts: (paths: readonly string[]) => source.readTexts!(paths) } : {}),
    ...(source.readTextBatches ? { readTextBatches: (paths: readonly string[]) => source.readTextBatches!(paths) } : {}),
  };
}
