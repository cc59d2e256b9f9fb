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
  for (const site of policySites(model)) visit(site);
}

/** The policy sites of every unit, in file order (what `forEachPolicy` visits), computed once per run. */
export function policySites(model: LintModel): readonly PolicySite[] {
  model.policySitesCache ??= collectPolicySites(model);
  return model.policySitesCache as PolicySite[];
}

function collectPolicySites(model: LintModel): PolicySite[] {
  const sites: PolicySite[] = [];
  for (const unit of model.input.units) {
    const doc = unit.document;
    if (!doc) continue;
    const go = (parent: PolicyElement, section: SectionName | undefined, ancestors: PolicyElement[]): void => {
      for (const el of parent.children) {
        if (el.type !== 'element') continue;
        const spec = policySpec(el.name);
        sites.push(section ? { unit, element: el, section, ancestors, spec } : { unit, element: el, ancestors, spec });
        if (el.name === 'choose') {
          for (const branch of el.children) {
            if (branch.type === 'element' && POLICY_CONTAINERS.has(branch.name)) go(branch, section, [...ancestors, el, branch]);
          }
        } else if (spec?.policyChildren) go(el, section, [...ancestors, el]);
      }
    };
    if (doc.kind === 'fragment') go(doc.root, undefined, []);
    else {
      for (const s of SECTION_NAMES) {
        const root = doc.sections[s];
        if (root) go(root, s, []);
      }
    }
  }
  return sites;
}

/** True for a value lint cannot judge statically: an expression or one containing `{{named value}}`. */
export function isDynamic(value: string, hasExpression: boolean): boolean {
  return hasExpression || value.includes('{{');
}
