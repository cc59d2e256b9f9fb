import { SECTION_NAMES, type PolicyElement, type SectionName } from '../policy/index.js';
import { POLICY_CONTAINERS, policySpec, type PolicySpec } from './policy-catalog.js';
import type { LintModel } from './model.js';
import type { PolicyUnit } from './types.js';

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

/**
 * Visits every element at a policy position in every parsed unit, in file order. Children of `choose`
 * are `when`/`otherwise` (containers, not policies); their children are policies again. Sub-elements
 * (`set-header/value`, `validate-jwt/audiences`, `send-request/set-url`) are not policy positions.
 */
export function forEachPolicy(model: LintModel, visit: (site: PolicySite) => void): void {
  model.policySitesCache ??= collectPolicySites(model);
  const { units, elements, sections, ancestors } = model.policySitesCache as PolicySites;
  for (let i = 0; i < units.length; i++) {
    const element = elements[i]!;
    const section = sections[i];
    const spec = policySpec(element.name);
    // A site object per visit dies young; only the parallel lists are kept for the run.
    visit(section ? { unit: units[i]!, element, section, ancestors: ancestors[i]!, spec } : { unit: units[i]!, element, ancestors: ancestors[i]!, spec });
  }
}

/** The policy sites of a run as parallel lists (four references per site instead of an object each). */
interface PolicySites {
  units: PolicyUnit[];
  elements: PolicyElement[];
  sections: (SectionName | undefined)[];
  ancestors: (readonly PolicyElement[])[];
}

const NO_ANCESTORS: readonly PolicyElement[] = [];

function collectPolicySites(model: LintModel): PolicySites {
  const sites: PolicySites = { units: [], elements: [], sections: [], ancestors: [] };
  for (const unit of model.input.units) {
    const doc = unit.document;
    if (!doc) continue;
    if (doc.kind === 'fragment') collect(sites, unit, doc.root, undefined, NO_ANCESTORS);
    else {
      for (const s of SECTION_NAMES) {
        const root = doc.sections[s];
        if (root) collect(sites, unit, root, s, NO_ANCESTORS);
      }
    }
  }
  return sites;
}

function collect(sites: PolicySites, unit: PolicyUnit, parent: PolicyElement, section: SectionName | undefined, ancestors: readonly PolicyElement[]): void {
  for (const el of parent.children) {
    if (el.type !== 'element') continue;
    sites.units.push(unit);
    sites.elements.push(el);
    sites.sections.push(section);
    sites.ancestors.push(ancestors);
    if (el.name === 'choose') {
      for (const branch of el.children) {
        if (branch.type === 'element' && POLICY_CONTAINERS.has(branch.name)) collect(sites, unit, branch, section, [...ancestors, el, branch]);
      }
    } else if (policySpec(el.name)?.policyChildren) collect(sites, unit, el, section, [...ancestors, el]);
  }
}

/** True for a value lint cannot judge statically: an expression or one containing `{{named value}}`. */
export function isDynamic(value: string, hasExpression: boolean): boolean {
  return hasExpression || value.includes('{{');
}
