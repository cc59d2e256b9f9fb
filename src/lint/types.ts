import type { ExpressionSite, PolicyDocument, PolicyElement, PolicyPos, SectionName } from '../policy/index.js';
import type { ApimState, Resource } from '../artifacts/model.js';
import type { Diagnostic } from '../shared/errors.js';
import type { LintModel } from './model.js';
import type { PolicySpec } from './policy-catalog.js';

/** Severities, most severe first. `off` disables a rule. */
export const SEVERITIES = ['error', 'warn', 'info', 'off'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ReportedSeverity = Exclude<Severity, 'off'>;

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: ReportedSeverity, threshold: ReportedSeverity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold);
}

/** One problem found by a rule, at a position in a file (paths relative to the linted folder). */
export interface Finding {
  ruleId: string;
  severity: ReportedSeverity;
  message: string;
  file: string;
  line: number;
  column: number;
  /** Resource key of the policy the finding is about, when there is one. */
  resource?: string;
}

/** The scope a policy document belongs to. */
export type UnitKind = 'global' | 'workspace' | 'product' | 'api' | 'operation' | 'fragment' | 'standalone';

/** One policy file of the linted folder, parsed once. */
export interface PolicyUnit {
  /** Resource key (`/apis/a/policies/policy`, `/policyFragments/f`), or the file path for a standalone file. */
  key: string;
  kind: UnitKind;
  /** For messages: `global`, `workspace team-a`, `product premium`, `API payments-api`, `operation create`, `fragment std-edge`. */
  label: string;
  file: string;
  text: string;
  document?: PolicyDocument;
  workspace?: string;
  /** API name for api/operation units, product name for product units, fragment name for fragments. */
  api?: string;
  product?: string;
  operation?: string;
  fragment?: string;
}

/**
 * A place a fragment is included from: lets rules check a fragment's policies against the including section.
 * Kept for the whole run, so it holds the including unit without its text and document (those die with their
 * batch) and the line of the `<include-fragment>`.
 */
export interface FragmentInclusion {
  unit: PolicyUnit;
  line: number;
  section?: string;
}

/** Lint configuration beyond rule severities. */
export interface LintSettings {
  /**
   * Self-hosted gateways (by name, as in `gateways/<name>/`) whose deployment has an external (Redis)
   * cache configured. Set in `apimops.yaml` as `lint.gateways.<name>.externalCache: true`.
   */
  externalCacheGateways?: readonly string[];
}

/**
 * What a run reads besides the units: the state and settings, and the problems found while reading. The
 * diagnostics are complete when the rules' `check` runs (at the end of the run).
 */
export interface LintRunInput {
  state: ApimState;
  settings: LintSettings;
  /** Problems found while parsing the policy files (reported by the `policy-parse` rule). */
  parseDiagnostics: readonly Diagnostic[];
  /** Problems of the folder itself (YAML syntax, schema, layout, links), from the artifact reader. */
  artifactDiagnostics?: readonly Diagnostic[];
}

/** A whole folder at once: the state, every parsed policy unit, the problems found while reading. */
export interface LintInput extends LintRunInput {
  units: readonly PolicyUnit[];
}

/**
 * Units a run lints together, and the APIs whose every policy is among them (so a rule that composes an API's
 * operations sees all of them). A large folder is linted one API at a time as it is read (lint/run.ts), then
 * everything else (global, workspace, product and fragment policies, loose files, APIs read last) in a final
 * batch; `runLint` makes the same batches from a whole input.
 */
export interface LintBatch {
  units: readonly PolicyUnit[];
  apis: readonly BatchApi[];
}

/** An API of a batch: its key, its resource (undefined without api.yaml) and the names of its operations. */
export interface BatchApi {
  key: string;
  resource?: Resource;
  /** Operation names from the state (operation.yaml or the specification); operation policy units add theirs. */
  operations: readonly string[];
}

/** What a rule may do. */
export interface RuleContext {
  readonly input: LintRunInput;
  readonly model: LintModel;
  /** Report a finding at `pos` (a node position) in `unit`'s file. */
  report(unit: PolicyUnit, pos: Pick<PolicyPos, 'line' | 'column'>, message: string, severity?: ReportedSeverity): void;
}

/**
 * What a rule looks at in the walk the engine makes once for every rule (ESLint's `create`/listeners,
 * Spectral's `given`): each policy at a policy position, each policy expression. A folder has ~100,000 of
 * each; one walk for every rule instead of one per rule.
 */
export interface RuleVisitors {
  /** Every element at a policy position (walk-policies.ts), units in input order, elements in document order. */
  policy?(site: PolicySite): void;
  /** Every `@(…)`/`@{…}` of every parsed unit, in the same order. */
  expression?(site: UnitExpressionSite): void;
  /**
   * Each batch of units, after its walk (a rule that relates the units of an API, or looks units up by element
   * name: `ctx.model.elementsNamed` answers for the batch). What a rule keeps across batches must not hold
   * documents: they die with their batch.
   */
  batch?(batch: LintBatch): void;
  /** Once, after the last batch (a rule that reports what it gathered across batches). */
  end?(): void;
}

/** A policy element at a policy position (a section child, a `when` body, a `retry` body, a fragment child). */
export interface PolicySite {
  unit: PolicyUnit;
  element: PolicyElement;
  /** The enclosing section; undefined for a fragment's policies (they take the including section). */
  section?: SectionName;
  /** Policies and containers from the section (or fragment root) down to the element's parent. */
  ancestors: readonly PolicyElement[];
  /** `policySpec(element.name)`, looked up once for every rule that asks. */
  spec: PolicySpec | undefined;
}

/** A policy expression and the unit it is in. */
export interface UnitExpressionSite extends ExpressionSite {
  unit: PolicyUnit;
}

/**
 * A lint rule: one file under `rules/`, one line in `rules/index.ts`. `create` returns visitors: for the shared
 * walk (a rule about one policy or expression at a time), per batch of units (a rule that relates units:
 * composition, references) and at the end, with any state it keeps for the run in its closure. `check` runs
 * once at the end, for a rule about the run's diagnostics rather than its policies. A rule has either or both.
 */
export interface LintRule {
  id: string;
  defaultSeverity: ReportedSeverity;
  /** One sentence: what the rule finds. */
  description: string;
  /** How to fix it (SARIF `help`, README). */
  help: string;
  /** A failing policy snippet and its fix, for the docs. */
  example?: { bad: string; good: string };
  check?(ctx: RuleContext): void;
  create?(ctx: RuleContext): RuleVisitors;
}

/** Defines a rule (identity function that checks the shape). */
export function defineRule(rule: LintRule): LintRule {
  return rule;
}
