import { forEachPolicy } from '../walk-policies.js';
import { POLICY_CATALOG, policySpec } from '../policy-catalog.js';
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

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export const rule = defineRule({
  id: 'unknown-policy',
  defaultSeverity: 'error',
  description: 'An element in a policy position that is not an APIM policy (often a typo): APIM rejects the whole policy.',
  help: 'Correct the element name (see the APIM policy reference) or remove it.',
  example: { bad: '<inbound>\n  <set-headers name="a"><value>1</value></set-headers>\n</inbound>', good: '<inbound>\n  <set-header name="a"><value>1</value></set-header>\n</inbound>' },
  check(ctx) {
    forEachPolicy(ctx.model, ({ unit, element }) => {
      if (policySpec(element.name)) return;
      const guess = closest(element.name, Object.keys(POLICY_CATALOG));
      ctx.report(unit, element.pos, `<${element.name}> is not an APIM policy${guess ? `; did you mean <${guess}>?` : ''}`);
    });
  },
});
