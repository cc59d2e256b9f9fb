import type { PolicyPos } from '../policy/index.js';
import { LintModel } from './model.js';
import { RULES } from './rules/index.js';
import type { Finding, LintInput, LintRule, PolicyUnit, ReportedSeverity, RuleContext, RuleVisitors, Severity } from './types.js';
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
 * A rule that throws does not stop the others; its error is returned in `ruleErrors`.
 */
export function runLint(input: LintInput, options: LintOptions = {}): LintResult {
  const model = new LintModel(input);
  const ruleSet = options.ruleSet ?? RULES;
  const findings: Finding[] = [];
  const ruleErrors: LintResult['ruleErrors'] = [];
  const disabled = new Map<string, Map<number, Set<string>>>();
  const disabledFor = (unit: PolicyUnit) => {
    let d = disabled.get(unit.file);
    if (!d) disabled.set(unit.file, (d = disabledLines(unit)));
    return d;
  };
  const failed = (rule: LintRule, e: unknown) => {
    ruleErrors.push({ ruleId: rule.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  };
  const visitors: { rule: LintRule; visitors: RuleVisitors; failed: boolean }[] = [];
  for (const rule of ruleSet) {
    const configured = options.rules?.[rule.id];
    const severity: Severity = configured ?? rule.defaultSeverity;
    if (severity === 'off') continue;
    const seen = new Set<string>();
    const ctx: RuleContext = {
      input,
      model,
      report(unit: PolicyUnit, pos: Pick<PolicyPos, 'line' | 'column'>, message: string, own?: ReportedSeverity) {
        const off = disabledFor(unit).get(pos.line);
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
    try {
      rule.check?.(ctx);
      if (rule.create) visitors.push({ rule, visitors: rule.create(ctx), failed: false });
    } catch (e) {
      failed(rule, e);
    }
  }
  // One walk for every rule's visitors. A visitor that throws is not called again (one error per rule).
  const visit = <K extends keyof RuleVisitors>(kind: K, walk: (each: (site: Parameters<NonNullable<RuleVisitors[K]>>[0]) => void) => void) => {
    const active = visitors.filter((v) => v.visitors[kind]);
    if (active.length === 0) return;
    walk((site) => {
      for (let i = 0; i < active.length; i++) {
        const v = active[i]!;
        if (v.failed) continue;
        try {
          (v.visitors[kind] as (s: typeof site) => void)(site);
        } catch (e) {
          v.failed = true;
          failed(v.rule, e);
        }
      }
    });
  };
  visit('policy', (each) => walkPolicySites(input.units, each));
  visit('expression', (each) => {
    for (const unit of input.units) {
      for (const site of model.expressions(unit)) each(site);
    }
  });
  findings.sort(compareFindings);
  return { findings, filesLinted: input.units.length, ruleErrors };
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
