import { readArtifacts, toLf } from '../artifacts/reader.js';
import type { ApimState } from '../artifacts/model.js';
import type { FileSource } from '../artifacts/file-source.js';
import type { Diagnostic } from '../shared/errors.js';
import { apiKeyOf, LintRun, operationNamesByApi, runLint, type LintOptions, type LintResult } from './engine.js';
import { buildLintInput, parsedUnit, sortUnitsByFile, standalonePlace, unitOf, type StandalonePolicyFile } from './model.js';
import type { BatchApi, LintRunInput, LintSettings, PolicyUnit } from './types.js';

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
 *
 * Policies are parsed as they are read (in the gaps while a reading thread fetches the next files). A large
 * folder is scanned with its API folders last (FileSource.scan), so each API is linted as soon as its folder
 * is read, with everything it may refer to already known, and its documents die young instead of living
 * until the end (on a 2-core machine, what a run keeps is what costs: every kept object is copied by the
 * garbage collector). The global, workspace, product and fragment policies, loose files and APIs read last
 * (those with a specification) are linted at the end, as `runLint` lints a whole input: same findings.
 */
export async function lintSource(source: FileSource, options: LintSourceOptions = {}): Promise<SourceLintResult> {
  const settings = options.settings ?? {};
  const parseDiagnostics: Diagnostic[] = [];
  // The reader's state, once it hands it over (the first API folder read, or the end of the read).
  const input: Omit<LintRunInput, 'state'> & { state?: ApimState } = { settings, parseDiagnostics };
  let run: LintRun | undefined;
  /** Units outside API folders: every batch may look them up; linted in the last batch. */
  const kept: PolicyUnit[] = [];
  /** Units of API folders not linted yet, by API key. */
  const pending = new Map<string, PolicyUnit[]>();
  const linted = new Set<string>();
  const started = (state: ApimState): LintRun => {
    if (run) return run;
    input.state = state;
    run = new LintRun(input as LintRunInput, options);
    for (const u of kept) run.keep(u);
    return run;
  };
  const read = await readArtifacts(source, {
    // The reader lists the folder first (a large one in the same pass as its reading: FileSource.scan); loose
    // XML is left to be linted on its own. Policy parse problems come from our own parse (rule policy-parse),
    // not twice from the reader.
    checkPolicies: false,
    // The undefined-* rules report what policies reference (under their own ids, which `--rule` can turn off).
    checkPolicyReferences: false,
    ignore: isLooseXml,
    onPolicyText: (path, text, key) => {
      const place = unitOf(key);
      if (!place) return;
      const unit = parsedUnit(place, path, text, parseDiagnostics);
      if (place.kind === 'api' || place.kind === 'operation') {
        const apiKey = apiKeyOf(place);
        const list = pending.get(apiKey);
        if (list) list.push(unit);
        else pending.set(apiKey, [unit]);
      } else {
        kept.push(unit);
        run?.keep(unit);
      }
    },
    // An API folder's operations and policies leave the reader's state once linted: they die young too.
    releaseApiFolders: true,
    onApiFolderRead: (api, state) => {
      const units = pending.get(api.key) ?? [];
      pending.delete(api.key);
      linted.add(api.key);
      started(state).lint({ units, apis: [{ key: api.key, resource: state.api.get(api.key), operations: api.operations }] });
    },
  });
  const files = await source.listFiles();
  const standalone: StandalonePolicyFile[] = [];
  for (const file of files.filter(isLooseXml)) {
    const text = await source.readText(file);
    if (text !== undefined) standalone.push({ file, text: toLf(text) });
  }
  if (read.layout === 'apiops') {
    // An Azure/apiops folder is known as one only once listed, and read again in its layout: lint its state.
    const whole = buildLintInput(read.state, settings, standalone);
    return { ...runLint({ ...whole, artifactDiagnostics: read.diagnostics }, options), filesRead: files.length };
  }
  const last = started(read.state);
  input.artifactDiagnostics = read.diagnostics;
  // The last batch: the kept units, loose files, and the APIs not linted yet (all of them when the folder was
  // not scanned) with their policies.
  const units = [...kept];
  for (const list of pending.values()) units.push(...list);
  for (const f of standalone) units.push(parsedUnit(standalonePlace(f.file), f.file, f.text, parseDiagnostics));
  sortUnitsByFile(units);
  const operations = operationNamesByApi(read.state);
  const apis: BatchApi[] = [];
  for (const api of read.state.api.values()) {
    if (!linted.has(api.key)) apis.push({ key: api.key, resource: api, operations: operations.get(api.key) ?? [] });
  }
  last.lint({ units, apis });
  return { ...last.finish(), filesRead: files.length };
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
