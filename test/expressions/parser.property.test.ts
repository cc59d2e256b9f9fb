/**
 * Property tests for the parser: it throws nothing but `ExpressionError`, whatever the input, and
 * printing an AST then parsing the text again gives the same AST (spans aside).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/expressions/errors.js';
import { parseProgram } from '../../src/expressions/parser.js';
import { printProgram } from '../../src/expressions/print.js';
import { corpusFiles, extractExpressions } from './corpus.js';

/** Deterministic by default; `FC_SEED=<n>` explores other inputs. */
const FC_SEED = Number(process.env['FC_SEED'] ?? 20261124);

/** The AST without source spans (they legitimately differ after printing). */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'span' && x !== undefined) out[k] = strip(x);
    return out;
  }
  return v;
}

function parseOrError(src: string): ReturnType<typeof parseProgram> | ExpressionError {
  try {
    return parseProgram(src);
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw new Error(`parser threw a non-ExpressionError for ${JSON.stringify(src)}: ${(e as Error).stack}`);
  }
}

function expectRoundTrip(src: string): boolean {
  const ast = parseOrError(src);
  if (ast instanceof ExpressionError) return false;
  const printed = printProgram(ast);
  const again = parseOrError(printed);
  if (again instanceof ExpressionError) throw new Error(`printed form does not parse:\n${src}\n→ ${printed}\n${again.format()}`);
  expect(strip(again), `${src}\n→ ${printed}`).toEqual(strip(ast));
  // printing is a fixed point after one round
  expect(printProgram(again)).toBe(printed);
  return true;
}

const corpus = corpusFiles().flatMap((f) => extractExpressions(f)).map((e) => e.source);

/** A small C# expression grammar producing mostly-valid source text. */
const ident = fc.constantFrom('a', 'b', 'x', 'context', 'value', 'item', 'JObject', 'string', 'n1');
const literal = fc.oneof(
  fc.integer({ min: 0, max: 5_000_000_000 }).map(String),
  fc.constantFrom('1.5', '2L', '3u', '1e3', '0x1F', '.5', '2.0d', '1m', 'true', 'false', 'null', "'c'", "'\\n'", '@"v""q"', '"s\\t\\"x"'),
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
);
const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    ident,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||', '??', '&', '|', '^', '<<', '>>'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom('!', '-', '~', '++', '--'), tie('e')).map(([op, a]) => `${op}${a}`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
    fc.tuple(tie('e'), ident, fc.boolean()).map(([a, m, nc]) => `${a}${nc ? '?.' : '.'}${m}`),
    fc.tuple(tie('e'), ident, fc.array(tie('e'), { maxLength: 3 })).map(([a, m, args]) => `${a}.${m}(${args.join(', ')})`),
    fc.tuple(tie('e'), fc.constantFrom('string', 'JObject', 'int', 'Dictionary<string, int>')).map(([a, t]) => `${a}.GetValueOrDefault<${t}>("k")`),
    fc.tuple(tie('e'), tie('e'), fc.boolean()).map(([a, i, nc]) => `${a}${nc ? '?[' : '['}${i}]`),
    fc.tuple(fc.constantFrom('string', 'int', 'JObject', 'int?', 'byte[]', 'List<string>'), tie('e')).map(([t, a]) => `(${t})${a}`),
    fc.tuple(tie('e'), fc.constantFrom('string', 'JObject', 'int?')).map(([a, t]) => `${a} is ${t}`),
    fc.tuple(tie('e'), fc.constantFrom('string', 'JObject')).map(([a, t]) => `${a} as ${t}`),
    fc.tuple(ident, tie('e')).map(([p, b]) => `${p} => ${b}`),
    fc.tuple(ident, ident, tie('e')).map(([p, q, b]) => `(${p}, ${q}) => ${b}`),
    fc.tuple(fc.constantFrom('JObject', 'JProperty', 'Random', 'List<string>'), fc.array(tie('e'), { maxLength: 2 })).map(([t, args]) => `new ${t}(${args.join(', ')})`),
    fc.array(tie('e'), { minLength: 1, maxLength: 3 }).map((xs) => `new[] { ${xs.join(', ')} }`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `new { p = ${a}, q = ${b} }`),
    fc.tuple(fc.string({ maxLength: 4 }).map((s) => s.replace(/[{}"\\\n\r]/g, '')), tie('e'), fc.constantFrom('', ':D2', ',5', ',-3:N1')).map(([s, a, f]) => `$"${s}{${a.includes(':') || a.includes('"') || a.includes('?') ? `(${a})` : a}${f}}"`),
    tie('e').map((a) => `(${a})`),
  ),
})).e;

const stmtArb: fc.Arbitrary<string> = fc.letrec<{ s: string }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small' },
    exprArb.map((e) => `return ${e};`),
    fc.tuple(fc.constantFrom('var', 'string', 'int', 'JObject', 'byte[]'), ident, exprArb).map(([t, n, e]) => `${t} ${n}9 = ${e};`),
    fc.tuple(exprArb, tie('s'), fc.option(tie('s'))).map(([c, a, b]) => `if (${c}) { ${a} }${b ? ` else { ${b} }` : ''}`),
    fc.tuple(ident, exprArb, tie('s')).map(([n, e, s]) => `foreach (var ${n}8 in ${e}) { ${s} }`),
    fc.tuple(exprArb, tie('s')).map(([c, s]) => `while (${c}) { ${s} break; }`),
    fc.tuple(exprArb, tie('s')).map(([e, s]) => `switch (${e}) { case 1: ${s} break; default: return null; }`),
    fc.tuple(tie('s'), tie('s')).map(([a, b]) => `try { ${a} } catch (Exception ex) { ${b} } finally { }`),
    fc.tuple(ident, exprArb).map(([n, e]) => `${n} += ${e};`),
    fc.constantFrom('x++;', 'continue;', 'throw;', 'for (int i = 0; i < 3; i++) { }', 'int F(int k) => k * 2;', 'unchecked { x = 1; }'),
  ),
})).s;

describe('parser properties', () => {
  it('throws only ExpressionError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme-ascii' }).map((s) => `@(${s})`), fc.string().map((s) => `@{${s}}`)), (s) => {
        parseOrError(s);
      }),
      { numRuns: 2000, seed: FC_SEED },
    );
  });

  it('throws only ExpressionError on mutated corpus expressions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 3 }), (src, at, del, ins) => {
        const i = at % (src.length + 1);
        parseOrError(src.slice(0, i) + ins + src.slice(i + del));
      }),
      { numRuns: 2000, seed: FC_SEED },
    );
  });

  it('print(parse(x)) reparses to the same AST for every corpus expression', () => {
    let n = 0;
    for (const src of corpus) if (expectRoundTrip(src)) n++;
    expect(n).toBe(428);
  });

  it('print(parse(x)) reparses to the same AST for generated expressions and blocks', () => {
    let parsed = 0;
    fc.assert(
      fc.property(exprArb, (e) => {
        if (expectRoundTrip(`@(${e})`)) parsed++;
      }),
      { numRuns: 800, seed: FC_SEED },
    );
    fc.assert(
      fc.property(fc.array(stmtArb, { minLength: 1, maxLength: 4 }), (ss) => {
        expectRoundTrip(`@{ ${ss.join(' ')} }`);
      }),
      { numRuns: 400, seed: FC_SEED },
    );
    // the generator is meant to produce mostly valid C#
    expect(parsed).toBeGreaterThan(350);
  });
});
