import { SECTION_NAMES, type PolicyElement, type SectionName } from '../policy/index.js';
import { POLICY_CONTAINERS, policySpec } from './policy-catalog.js';
import type { PolicySite, PolicyUnit } from './types.js';

/**
 * Visits every element at a policy position of the units, in file order. Children of `choose` are
 * `when`/`otherwise` (containers, not policies); their children are policies again. Sub-elements
 * (`set-header/value`, `validate-jwt/audiences`, `send-request/set-url`) are not policy positions. The engine
 * walks once for every rule's `policy` visitor; a site object per visit dies young (nothing is kept).
 */
export function walkPolicySites(units: readonly PolicyUnit[], visit: (site: PolicySite) => void): void {
  for (const unit of units) {
    const doc = unit.document;
    if (!doc) continue;
    if (doc.kind === 'fragment') walk(unit, doc.root, undefined, NO_ANCESTORS, visit);
    else {
      for (const s of SECTION_NAMES) {
        const root = doc.sections[s];
        if (root) walk(unit, root, s, NO_ANCESTORS, visit);
      }
    }
  }
}

const NO_ANCESTORS: readonly PolicyElement[] = [];

function walk(
  unit: PolicyUnit,
  parent: PolicyElement,
  section: SectionName | undefined,
  ancestors: readonly PolicyElement[],
  visit: (site: PolicySite) => void,
): void {
  // Indexed: every element of every policy passes here; `for…of` would allocate an iterator result per step.
  const children = parent.children;
  for (let i = 0; i < children.length; i++) {
    const element = children[i]!;
    if (element.type !== 'element') continue;
    const spec = policySpec(element.name);
    visit({ unit, element, section, ancestors, spec });
    if (element.name === 'choose') {
      for (const branch of element.children) {
        if (branch.type === 'element' && POLICY_CONTAINERS.has(branch.name)) walk(unit, branch, section, [...ancestors, element, branch], visit);
      }
    } else if (spec?.policyChildren) walk(unit, element, section, [...ancestors, element], visit);
  }
}
