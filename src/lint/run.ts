import { readArtifacts, toLf } from '../artifacts/reader.js';
import type { FileSource } from '../artifacts/file-source.js';
import { runLint, type LintOptions, type LintResult } from './engine.js';
import { buildLintInput, parseForLint, type ParsedPolicyFile, type StandalonePolicyFile } from './model.js';
import type { LintSettings } from './types.js';

/** What `lintSource` needs besides the files. */
export interface LintSourceOptions extends LintOptions {
  settings?: LintSettings;
}

/** Result of linting one folder: findings plus how many files were read. */
export interface SourceLintResult extends LintResult {
  /** Every file of the folder that was read (artifact files and standalone policy files). */
  filesRead: number;
}

/**
 * Reads a folder (through a `FileSource`) and lints it. Files of the artifact layout become the state; any
 * other `*.xml` is linted as a standalone policy (a folder of snippets, like the policy corpus), so every
 * policy file is either linted or reported with a position.
 */
export async function lintSource(source: FileSource, options: LintSourceOptions = {}): Promise<SourceLintResult> {
  // The reader lists the folder first (a large one in the same pass as its reading: FileSource.scan); loose
  // XML is left to be linted on its own. Policy parse problems come from our own parse (rule policy-parse),
  // not twice from the reader.
  // Policies are parsed as they are read (in the gaps while a reading thread fetches the next files).
  const parsed = new Map<string, ParsedPolicyFile>();
  const read = await readArtifacts(source, {
    checkPolicies: false,
    // The undefined-* rules report what policies reference (under their own ids, which `--rule` can turn off).
    checkPolicyReferences: false,
    ignore: isLooseXml,
    onPolicyText: (path, text) => parsed.set(path, parseForLint(path, text)),
  });
  const files = await source.listFiles();
  const standalone: StandalonePolicyFile[] = [];
  for (const file of files.filter(isLooseXml)) {
    const text = await source.readText(file);
    if (text !== undefined) standalone.push({ file, text: toLf(text) });
  }
  const input = buildLintInput(read.state, options.settings ?? {}, standalone, parsed);
  const result = runLint({ ...input, artifactDiagnostics: read.diagnostics }, options);
  return { ...result, filesRead: files.length };
}

/** An `*.xml` outside the layout's policy places: linted as a standalone policy. */
function isLooseXml(path: string): boolean {
  // Asked of every file of the folder (twice): the suffix first, without lower-casing the whole path.
  return path.slice(-4).toLowerCase() === '.xml' && !isLayoutPolicy(path);
}

/** `policy.xml` at a place of the layout (global, API, operation, product, workspace, fragment). */
function isLayoutPolicy(path: string): boolean {
  if (!path.endsWith('/policy.xml') && path !== 'policy.xml') return false;
  let slashes = 0;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) slashes++;
  return slashes % 2 === 0;
}
