import { SECTION_NAMES, type PolicyElement, type SectionName } from '../policy/index.js';
import { POLICY_CONTAINERS, policySpec } from './policy-catalog.js';
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
}

/** Policy elements directly under `el` (a section, a fragment root, a `when`, a `retry`…). */
function policyChildren(el: PolicyElement): PolicyElement[] {
  return el.children.filter((c): c is PolicyElement => c.type === 'element');
}

/**
 * Visits every element at a policy position in every parsed unit, in file order. Children of `choose`
 * are `when`/`otherwise` (containers, not policies); their children are policies again. Sub-elements
 * (`set-header/value`, `validate-jwt/audiences`, `send-request/set-url`) are not policy positions.
 */
export function forEachPolicy(model: LintModel, visit: (site: PolicySite) => void): void {
  model.policySitesCache ??= collectPolicySites(model);
  for (const site of model.policySitesCache as PolicySite[]) visit(site);
}

function collectPolicySites(model: LintModel): PolicySite[] {
  const sites: PolicySite[] = [];
  const visit = (site: PolicySite) => void sites.push(site);
  for (const unit of model.input.units) {
    const doc = unit.document;
    if (!doc) continue;
    const roots: [PolicyElement, SectionName | undefined][] =
      doc.kind === 'fragment' ? [[doc.root, undefined]] : SECTION_NAMES.flatMap((s) => (doc.sections[s] ? [[doc.sections[s], s] as [PolicyElement, SectionName]] : []));
    for (const [root, section] of roots) {
      const go = (parent: PolicyElement, ancestors: PolicyElement[]): void => {
        for (const el of policyChildren(parent)) {
          const site: PolicySite = section ? { unit, element: el, section, ancestors } : { unit, element: el, ancestors };
          visit(site);
          const spec = policySpec(el.name);
          if (el.name === 'choose') {
            for (const branch of policyChildren(el)) if (POLICY_CONTAINERS.has(branch.name)) go(branch, [...ancestors, el, branch]);
          } else if (spec?.policyChildren) go(el, [...ancestors, el]);
        }
      };
      go(root, []);
    }
  }
  return sites;
}

/** True for a value lint cannot judge statically: an expression or one containing `{{named value}}`. */
export function isDynamic(value: string, hasExpression: boolean): boolean {
  return hasExpression || value.includes('{{');
}
