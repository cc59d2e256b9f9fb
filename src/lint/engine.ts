import type { ApimState } from '../artifacts/model.js';
import type { PolicyPos } from '../policy/index.js';
import { LintModel } from './model.js';
import { RULES } from './rules/index.js';
import type { Finding, LintBatch, LintInput, LintRule, LintRunInput, PolicyUnit, ReportedSeverity, RuleContext, RuleVisitors, Severity } from './types.js';
import { walkPolicySites } from './walk-policies.js';

export interface LintOptions {
  /** Severity per rule id (from `apimops.yaml` `lint.rules`, then `--rule`); `off` disables. */
  rules?: Readonly<Record<string, Severity>>;
  /** The rules to run (default: every built-in rule). */
  ruleSet?: readonly LintRule[];
}

export interface LintResult {
  findings: Finding[];
  /** Number of policy files looked at. */
  filesLinted: number;
  /** Rules that crashed: a bug in apimops, reported apart from findings. */
  ruleErrors: { ruleId: string; message: string }[];
}

const DISABLE = /^\s*apimops-disable-next-line\b([\s\S]*)$/;

/**
 * Lines on which findings are suppressed by `<!-- apimops-disable-next-line [rule-id…] -->`: the line after
 * the comment's last line; no rule ids means every rule.
 */
export function disabledLines(unit: PolicyUnit): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const c of unit.document?.comments ?? []) {
    const m = DISABLE.exec(c.text);
    if (!m) continue;
    const ids = m[1]!.split(/[\s,]+/).filter((s) => s !== '');
    const line = c.endPos.line + 1;
    const set = out.get(line) ?? new Set<string>();
    if (ids.length === 0) set.add('*');
    for (const id of ids) set.add(id);
    out.set(line, set);
  }
  return out;
}

/** Unknown rule ids in a severity map (a typo in `--rule` or `apimops.yaml` is a configuration error). */
export function unknownRuleIds(rules: Readonly<Record<string, Severity>>, ruleSet: readonly LintRule[] = RULES): string[] {
  const known = new Set(ruleSet.map((r) => r.id));
  return Object.keys(rules).filter((id) => !known.has(id));
}

/**
 * Runs every enabled rule over the input. Pure: no I/O. Findings are sorted by file, line, column, rule.
 * A rule that throws does not stop the others; its error is returned in `ruleErrors`. The units are linted
 * in the batches a folder read one API at a time gives (`lintBatches`), so both ways find the same.
 */
export function runLint(input: LintInput, options: LintOptions = {}): LintResult {
  const run = new LintRun(input, options);
  const { apiBatches, last } = lintBatches(input);
  for (const u of last.units) run.keep(u);
  for (const b of apiBatches) run.lint(b);
  run.lint(last);
  return run.finish();
}

/**
 * The batches of a whole input: one per API of the state (its API and operation policies; every API, with a
 * policy or not, is in one batch), then one with every other unit (global, workspace, product, fragment,
 * standalone, and the policies of an API that has no api.yaml).
 */
export function lintBatches(input: LintInput): { apiBatches: LintBatch[]; last: LintBatch } {
  const operations = operationNamesByApi(input.state);
  const byApi = new Map<string, PolicyUnit[]>();
  for (const api of input.state.api.values()) byApi.set(api.key, []);
  const rest: PolicyUnit[] = [];
  for (const u of input.units) {
    const api = u.kind === 'api' || u.kind === 'operation' ? byApi.get(apiKeyOf(u)) : undefined;
    if (api) api.push(u);
    else rest.push(u);
  }
  const apiBatches: LintBatch[] = [];
  for (const [key, units] of byApi) {
    apiBatches.push({ units, apis: [{ key, resource: input.state.api.get(key), operations: operations.get(key) ?? [] }] });
  }
  return { apiBatches, last: { units: rest, apis: [] } };
}

/** The names of the state's operations, by API key. */
export function operationNamesByApi(state: ApimState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const op of state.apiOperation.values()) {
    // `<api key>/operations/<name>`: the last "/operations/" followed by a name without "/".
    const at = op.key.lastIndexOf('/operations/');
    const name = at < 0 ? '' : op.key.slice(at + 12);
    if (name === '' || name.includes('/')) continue;
    const api = op.key.slice(0, at);
    const list = out.get(api);
    if (list) list.push(op.name);
    else out.set(api, [op.name]);
  }
  return out;
}

/** The key of the API an API or operation unit belongs to. */
export function apiKeyOf(unit: Pick<PolicyUnit, 'workspace' | 'api'>): string {
  return `${unit.workspace !== undefined ? `/workspaces/${unit.workspace}` : ''}/apis/${unit.api}`;
}

/**
 * One lint run, fed batch by batch (lint/run.ts feeds a large folder one API at a time as it is read, so an
 * API's documents die young instead of living until the whole folder is read). `keep` the units other batches
 * look up (broader scopes, fragments) as soon as they are known; lint them in the last batch.
 */
export class LintRun {
  private readonly model: LintModel;
  private readonly findings: Finding[] = [];
  private readonly ruleErrors: LintResult['ruleErrors'] = [];
  private readonly disabled = new Map<string, Map<number, Set<string>>>();
  private readonly active: { rule: LintRule; visitors: RuleVisitors; failed: boolean }[] = [];
  private readonly checks: { rule: LintRule; ctx: RuleContext }[] = [];
  private readonly kept = new Set<PolicyUnit>();
  private filesLinted = 0;

  /** `input`'s diagnostics are read when the run finishes (a streamed read adds to them until then). */
  constructor(
    private readonly input: LintRunInput,
    options: LintOptions = {},
  ) {
    this.model = new LintModel(input);
    for (const rule of options.ruleSet ?? RULES) {
      const configured = options.rules?.[rule.id];
      const severity: Severity = configured ?? rule.defaultSeverity;
      if (severity === 'off') continue;
      const ctx = this.contextFor(rule, severity, configured !== undefined);
      if (rule.check) this.checks.push({ rule, ctx });
      try {
        if (rule.create) this.active.push({ rule, visitors: rule.create(ctx), failed: false });
      } catch (e) {
        this.failed(rule, e);
      }
    }
  }

  keep(unit: PolicyUnit): void {
    this.kept.add(unit);
    this.model.keep(unit);
  }

  /** Lints a batch: one walk of its units for every rule's visitors, then each rule's `batch`. */
  lint(batch: LintBatch): void {
    this.filesLinted += batch.units.length;
    this.model.beginBatch(batch.units);
    // Suppression comments, noted while the documents live (a finding may be reported after its batch).
    for (const u of batch.units) if (u.document && u.document.comments.length > 0) this.disabled.set(u.file, disabledLines(u));
    this.visit('policy', (each) => walkPolicySites(batch.units, each));
    this.visit('expression', (each) => {
      for (const unit of batch.units) {
        const sites = this.model.expressions(unit);
        for (let i = 0; i < sites.length; i++) each(sites[i]!);
      }
    });
    this.visit('batch', (each) => each(batch));
    this.model.endBatch(this.kept);
  }

  /** Runs the rules' `check` and `end`, and returns the findings, sorted. */
  finish(): LintResult {
    for (const { rule, ctx } of this.checks) {
      try {
        rule.check!(ctx);
      } catch (e) {
        this.failed(rule, e);
      }
    }
    this.visit('end', (each) => each(undefined));
    this.findings.sort(compareFindings);
    return { findings: this.findings, filesLinted: this.filesLinted, ruleErrors: this.ruleErrors };
  }

  private contextFor(rule: LintRule, severity: Severity, configured: boolean): RuleContext {
    const seen = new Set<string>();
    const { findings, disabled } = this;
    return {
      input: this.input,
      model: this.model,
      report(unit: PolicyUnit, pos: Pick<PolicyPos, 'line' | 'column'>, message: string, own?: ReportedSeverity) {
        const off = disabled.get(unit.file)?.get(pos.line);
        if (off && (off.has('*') || off.has(rule.id))) return;
        const dedupe = `${unit.file}:${pos.line}:${pos.column}:${message}`;
        if (seen.has(dedupe)) return;
        seen.add(dedupe);
        findings.push({
          ruleId: rule.id,
          // A configured severity wins; otherwise a rule may pass one per finding (reader warnings stay warnings).
          severity: configured ? (severity as ReportedSeverity) : (own ?? (severity as ReportedSeverity)),
          message,
          file: unit.file,
          line: pos.line,
          column: pos.column,
          ...(unit.kind !== 'standalone' ? { resource: unit.key } : {}),
        });
      },
    };
  }

  private failed(rule: LintRule, e: unknown): void {
    this.ruleErrors.push({ ruleId: rule.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }

  /** Calls every rule's `kind` visitor for each item `walk` gives. A visitor that throws is not called again. */
  private visit<K extends keyof RuleVisitors>(kind: K, walk: (each: (item: Parameters<NonNullable<RuleVisitors[K]>>[0]) => void) => void): void {
    const active = this.active.filter((v) => v.visitors[kind] && !v.failed);
    if (active.length === 0) return;
    walk((item) => {
      for (let i = 0; i < active.length; i++) {
        const v = active[i]!;
        if (v.failed) continue;
        try {
          (v.visitors[kind] as (x: typeof item) => void)(item);
        } catch (e) {
          v.failed = true;
          this.failed(v.rule, e);
        }
      }
    });
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
