import { editDistance } from '../../shared/text.js';
import { POLICY_CATALOG } from '../policy-catalog.js';
import { defineRule } from '../types.js';

/** The closest known name (edit distance ≤ 2), for "did you mean". */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Edit distance, skipping the table when the lengths alone rule a name out (over 2 apart). */
function distance(a: string, b: string): number {
  return Math.abs(a.length - b.length) > 2 ? 99 : editDistance(a, b);
}

export const rule = defineRule({
  id: 'unknown-policy',
  defaultSeverity: 'error',
  description: 'An element in a policy position that is not an APIM policy (often a typo): APIM rejects the whole policy.',
  help: 'Correct the element name (see the APIM policy reference) or remove it.',
  example: { bad: '<inbound>\n  <set-headers name="a"><value>1</value></set-headers>\n</inbound>', good: '<inbound>\n  <set-header name="a"><value>1</value></set-header>\n</inbound>' },
  create: (ctx) => ({
    policy({ unit, element, spec }) {
      if (spec) return;
      const guess = closest(element.name, Object.keys(POLICY_CATALOG));
      ctx.report(unit, element.pos, `<${element.name}> is not an APIM policy${guess ? `; did you mean <${guess}>?` : ''}`);
    },
  }),
});
