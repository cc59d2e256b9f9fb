import { SECTION_NAMES, childElements, type ComposedPolicy, type PolicyElement } from '../../policy/index.js';
import { defineRule } from '../types.js';

/** "validate-jwt (fragment std-edge), set-header from global inbound and rate-limit from product p inbound". */
export function describeDropped(dropped: ComposedPolicy[], section: string): string {
  const byScope = new Map<string, string[]>();
  for (const p of dropped) {
    const name = p.element.includedFrom ? `${p.element.name} (fragment ${p.element.includedFrom.fragmentId})` : p.element.name;
    const list = byScope.get(p.scope) ?? [];
    if (!list.includes(name)) list.push(name);
    byScope.set(p.scope, list);
  }
  return [...byScope].map(([scope, names]) => `${names.join(', ')} from ${scope} ${section}`).join(' and ');
}

export const rule = defineRule({
  id: 'missing-base',
  defaultSeverity: 'error',
  description:
    'A section of a workspace, product, API or operation policy without <base />: every policy of the broader scopes for that section is silently dropped (an org-wide validate-jwt, the global forward-request).',
  help: 'Add <base /> to the section where the broader scopes\' policies should run (usually first). If dropping them is intended, re-add what is needed or disable the rule for that line with <!-- apimops-disable-next-line missing-base -->.',
  example: {
    bad: '<policies>\n  <inbound>\n    <set-header name="X-Api" exists-action="override"><value>1</value></set-header>\n  </inbound>\n</policies>',
    good: '<policies>\n  <inbound>\n    <base />\n    <set-header name="X-Api" exists-action="override"><value>1</value></set-header>\n  </inbound>\n</policies>',
  },
  create: (ctx) => ({
    batch({ units }) {
    for (const unit of units) {
      if (unit.kind === 'global' || unit.kind === 'fragment' || unit.kind === 'standalone' || !unit.document) continue;
      for (const section of SECTION_NAMES) {
        const sec = unit.document.sections[section];
        if (!sec) continue;
        if (hasBase(sec)) continue;
        const children = childElements(sec);
        // Policies the broader scopes would have run here, in any product context.
        const dropped: ComposedPolicy[] = [];
        for (const { chain } of ctx.model.parentChains(unit)) {
          for (const p of ctx.model.composedAbove(chain, section)) if (!dropped.some((d) => d.element === p.element)) dropped.push(p);
        }
        const own = new Set<string>();
        for (const e of children) collectNames(e, own);
        // A backend that replaces the broader forward-request with its own (often inside retry) is the
        // usual, deliberate override: a re-added forward-request is not a loss. Anything else dropped is.
        const lost = dropped.filter((p) => !(section === 'backend' && p.element.name === 'forward-request' && own.has('forward-request')));
        if (dropped.length > 0 && lost.length === 0) continue;
        const what =
          lost.length > 0
            ? `drops ${describeDropped(lost, section)}`
            : `drops nothing today, but any policy later added to a broader scope's ${section} will be skipped`;
        ctx.report(unit, sec.pos, `<${section}> of ${unit.label} has no <base />: ${what}; add <base /> where the broader policies should run`);
      }
    }
    },
  }),
});

function collectNames(el: PolicyElement, out: Set<string>): void {
  out.add(el.name);
  for (const c of el.children) if (c.type === 'element') collectNames(c, out);
}

/** Whether a section has a direct `<base />` (asked of every section of every file: no closure, no list). */
function hasBase(sec: PolicyElement): boolean {
  const children = sec.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.type === 'element' && c.name === 'base') return true;
  }
  return false;
}
