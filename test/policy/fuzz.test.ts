import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectExpressions, parsePolicyDocument, type PolicyElement } from '../../src/policy/index.js';

/** Characters that stress the tokenizer: markup, quotes, C# brackets and literals, entities, newlines. */
const noisy = fc.string({ unit: fc.constantFrom('<', '>', '/', '"', "'", '@', '(', ')', '{', '}', '[', ']', '&', ';', '!', '-', '?', '=', ' ', '\n', 'a', 'b', '$', '\\', 'quot', 'lt') , maxLength: 80 });

describe('parsePolicyDocument on arbitrary input (fast-check)', () => {
  it('never throws: either a document or positioned diagnostics within the text', () => {
    fc.assert(
      fc.property(fc.oneof(noisy, fc.string({ maxLength: 60 })), (text) => {
        const { document, diagnostics } = parsePolicyDocument(text, 'f.xml');
        if (!document) expect(diagnostics.length).toBeGreaterThan(0);
        const lines = text.split('\n').length;
        for (const d of diagnostics) {
          expect(d.file).toBe('f.xml');
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000, seed: 4 },
    );
  });

  it('finds every generated expression, raw or entity-escaped, with the position of its @', () => {
    const literal = fc.string({ unit: fc.constantFrom('a', '(', ')', '{', '}', '<', '>', '&', "'", ' '), maxLength: 12 });
    const expr = fc.tuple(literal, fc.boolean()).map(([s, escaped]) => {
      const body = `x == "${s.replace(/["\\]/g, '')}" && y < (z)`;
      return escaped ? `@(${body.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')})` : `@(${body})`;
    });
    fc.assert(
      fc.property(fc.array(expr, { minLength: 1, maxLength: 4 }), (exprs) => {
        const lines = exprs.map((e, i) => `<set-variable name="v${i}" value="${e}" />`);
        const xml = `<policies>\n<inbound>\n${lines.join('\n')}\n</inbound>\n</policies>`;
        const { document, diagnostics } = parsePolicyDocument(xml, 'g.xml');
        expect(diagnostics).toEqual([]);
        const found = collectExpressions(document!.root as PolicyElement);
        expect(found).toHaveLength(exprs.length);
        found.forEach((f, i) => {
          expect(f.expression.pos).toMatchObject({ line: 3 + i, column: 31 + String(i).length });
          expect(f.expression.source).toBe(exprs[i]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&'));
        });
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
