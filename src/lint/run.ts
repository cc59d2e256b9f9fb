import { readArtifacts } from '../artifacts/reader.js';
import type { FileSource } from '../artifacts/file-source.js';
import { emptyState } from '../artifacts/model.js';
import type { Diagnostic } from '../shared/errors.js';
import { runLint, type LintOptions, type LintResult } from './engine.js';
import { buildLintInput, type StandalonePolicyFile } from './model.js';
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
  const files = await source.listFiles();
  const looseXml = files.filter((f) => f.toLowerCase().endsWith('.xml') && !isLayoutPolicy(f));
  const standalone: StandalonePolicyFile[] = [];
  for (const file of looseXml) {
    const text = await source.readText(file);
    if (text !== undefined) standalone.push({ file, text: text.replace(/\r\n?/g, '\n') });
  }
  const loose = new Set(looseXml);
  let state = emptyState();
  let artifactDiagnostics: Diagnostic[] = [];
  if (files.length > looseXml.length) {
    // Policy parse problems come from our own parse (rule policy-parse), not twice from the reader.
    const read = await readArtifacts(source, { checkPolicies: false, ignore: (p) => loose.has(p) });
    state = read.state;
    artifactDiagnostics = read.diagnostics;
  }
  const input = buildLintInput(state, options.settings ?? {}, standalone);
  const result = runLint({ ...input, artifactDiagnostics }, options);
  return { ...result, filesRead: files.length };
}

/** `policy.xml` at a place of the layout (global, API, operation, product, workspace, fragment). */
function isLayoutPolicy(path: string): boolean {
  if (!path.endsWith('/policy.xml') && path !== 'policy.xml') return false;
  const segs = path.split('/');
  return segs.length % 2 === 1;
}
