/**
 * Evaluation fuzzing: random compositions of every allow-listed static/instance member with random
 * arguments either compile-fail with ExpressionError or evaluate to a value / a .NET exception — never a
 * JS error that would reach the gateway as a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, CsException, ExpressionError } from '../../src/expressions/index.js';
import { createTestContext } from '../../src/expressions/testing.js';
import { STATICS, INSTANCE } from '../../src/expressions/runtime/library.js';
const ctx = createTestContext({ variables: { s: 'abc', n: 5, j: null } });
const atoms = ['"abc"', '""', '"2024-01-02T03:04:05Z"', '"{\\"a\\":1}"', '"[1,2]"', '1', '0', '-1', '2.5', '5L', 'true', 'null', "'c'", 'new byte[] { 1, 2, 3 }', 'new[] { "a", "b" }', 'new List<string> { "x" }', 'context.Request.Headers', 'context.Request.Url', 'DateTime.UtcNow', 'TimeSpan.FromSeconds(5)', 'Guid.NewGuid()', 'JObject.Parse("{\\"a\\":[1,{\\"b\\":2}]}")', 'new JArray(1, "x")', 'StringComparison.OrdinalIgnoreCase', 'x => x', 'Encoding.UTF8', 'new Random(1)', 'Regex.Match("ab12", @"(?<d>\\d+)")', 'new StringBuilder("q")', 'context.Variables', 'new Dictionary<string, int>()', 'Newtonsoft.Json.Formatting.None', 'new Uri("https://x.y/p?q=1")', 'XElement.Parse("<a x=\\"1\\"><b/></a>")', 'new JProperty("p", 1)', '"a b".AsJwt()', 'context.Request.Body'];
const statics = Object.entries(STATICS).flatMap(([t, m]) => [...Object.keys(m.methods ?? {}).map((k) => ['m', t, k]), ...Object.keys(m.props ?? {}).map((k) => ['p', t, k]), ...(m.ctor ? [['c', t, '']] : [])]);
const inst = [...new Set(Object.values(INSTANCE).flatMap((m) => [...Object.keys(m.methods ?? {}), ...Object.keys(m.props ?? {}).map((p) => '.' + p)]))];
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof({ depthSize: 'small' },
    fc.constantFrom(...atoms),
    fc.tuple(fc.constantFrom(...statics), fc.array(tie('e'), { maxLength: 3 })).map(([[k, t, m], a]) => k === 'm' ? `${t}.${m}(${a.join(', ')})` : k === 'p' ? `${t}.${m}` : `new ${t}(${a.join(', ')})`),
    fc.tuple(tie('e'), fc.constantFrom(...inst), fc.array(tie('e'), { maxLength: 3 })).map(([o, m, a]) => m.startsWith('.') ? `(${o})${m}` : `(${o}).${m}(${a.join(', ')})`),
    fc.tuple(tie('e'), tie('e')).map(([o, i]) => `(${o})[${i}]`),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '==', '<', '&', '??', '%', '<<'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    fc.tuple(fc.constantFrom('string', 'int', 'long', 'double', 'bool', 'JObject', 'DateTime', 'byte', 'char', 'object'), tie('e')).map(([t, a]) => `(${t})(${a})`),
  ),
})).e;
describe('evaluation robustness', () => {
  it('never throws anything but ExpressionError (compile) or CsException (run)', () => {
    const crashes: string[] = [];
    fc.assert(
      fc.property(expr, (e) => {
        let c;
        try {
          c = compileExpression(`@(${e})`);
        } catch (err) {
          if (!(err instanceof ExpressionError)) crashes.push(`compile ${e}: ${String(err)}`);
          return;
        }
        try {
          c.evaluate(ctx, { maxIterations: 1000 });
        } catch (err) {
          if (!(err instanceof CsException)) crashes.push(`eval ${e}: ${String(err)}`);
        }
      }),
      { numRuns: 3000, seed: Number(process.env['FC_SEED'] ?? 20261124) },
    );
    expect(crashes).toEqual([]);
  });
});
