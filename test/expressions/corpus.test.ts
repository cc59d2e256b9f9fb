import { describe, expect, it } from 'vitest';
import { compileExpression, CsException, ExpressionError } from '../../src/expressions/index.js';
import { createTestContext } from '../../src/expressions/testing.js';
import { corpusFiles, extractExpressions, type ExtractedExpression } from './corpus.js';

const all: ExtractedExpression[] = corpusFiles().flatMap((f) => extractExpressions(f));

/**
 * The known-bad corpus files of POLICY-ENGINE.md §7 and the clean error each must give (file → exprCode
 * and first line:col). Everything else in the corpus must compile.
 */
const EXPECTED_FAILURES: Record<string, [code: string, where: string, message: RegExp][]> = {
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml': [
    ['E_PARSE', '16:67', /',' or '\)' expected/],
    ['E_PARSE', '31:88', /']' expected/],
    ['E_PARSE', '35:99', /',' or '\)' expected/],
    ['E_PARSE', '35:150', /']' expected/],
    ['E_PARSE', '41:73', /Newline in constant/],
  ],
  'examples/Loopback request for service at same API Management service.xml': [['E_PARSE', '15:119', /',' or '\)' expected/]],
  'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml': [
    ['E_PARSE', '10:66', /',' or '\)' expected/],
    ['E_PARSE', '22:43', /'}' expected/],
  ],
  'examples/DELETE a from to blobStorage account.xml': [['E_TYPE', '26:115', /Non-invocable member 'IRequest.MatchedParameters'/]],
  'examples/GET a file from blobStorage account.xml': [['E_TYPE', '26:115', /Non-invocable member 'IRequest.MatchedParameters'/]],
  'examples/PUT a file to blobStorage account.xml': [['E_TYPE', '27:115', /Non-invocable member 'IRequest.MatchedParameters'/]],
  'examples/Extract value from XML.xml': [['E_UNSUPPORTED', '23:24', /'XmlReader' is not allowed/]],
  'examples/Return a blob URL signed with a user delegation SAS token.xml': [['E_UNSUPPORTED', '76:17', /'XmlDocument' is not allowed/]],
  'examples/Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml': [
    ['E_UNSUPPORTED', '65:15', /'RSACng' is not allowed/],
  ],
};

describe('policy-snippets corpus', () => {
  it('extracts every expression region (435 per the survey, + the unbalanced one)', () => {
    expect(corpusFiles()).toHaveLength(59);
    expect(all.length).toBe(436);
    expect(all.filter((e) => e.source.startsWith('@{')).length).toBeGreaterThanOrEqual(61);
  });

  it('compiles everything except the known-corrupted files of §7, which fail cleanly with a position', () => {
    const failures: Record<string, [string, string, string][]> = {};
    for (const e of all) {
      try {
        compileExpression(e.source, { file: e.file, line: e.line, column: e.column });
      } catch (err) {
        expect(err).toBeInstanceOf(ExpressionError);
        const x = err as ExpressionError;
        expect(x.file).toBe(e.file);
        expect(x.format()).toContain('^');
        (failures[e.file] ??= []).push([x.exprCode, `${x.line}:${x.column}`, x.detail]);
      }
    }
    expect(Object.keys(failures).sort()).toEqual(Object.keys(EXPECTED_FAILURES).sort());
    for (const [file, expected] of Object.entries(EXPECTED_FAILURES)) {
      const got = failures[file]!;
      expect(got.map(([c, w]) => [c, w])).toEqual(expected.map(([c, w]) => [c, w]));
      got.forEach(([, , msg], i) => expect(msg).toMatch(expected[i]![2]));
    }
  });

  it('evaluating any corpus expression yields a value or a .NET exception, never a JS error', () => {
    let values = 0;
    let exceptions = 0;
    for (const e of all) {
      let compiled;
      try {
        compiled = compileExpression(e.source);
      } catch {
        continue;
      }
      const ctx = createTestContext({ headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' } });
      try {
        compiled.evaluate(ctx, { maxIterations: 10_000, now: () => Date.UTC(2024, 0, 1), random: () => 0.5 });
        values++;
      } catch (err) {
        if (!(err instanceof CsException)) throw new Error(`${e.file}:${e.line}:${e.column} threw ${String((err as Error).stack)}`);
        exceptions++;
      }
    }
    // Most corpus expressions read variables that only earlier policies set, so exceptions are expected.
    expect(values + exceptions).toBe(422);
    expect(values).toBeGreaterThan(100);
  });
});
