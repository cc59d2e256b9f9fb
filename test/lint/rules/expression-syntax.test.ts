import { describe, expect, it } from 'vitest';
import { checkTokens, maskNamedValues } from '../../../src/lint/expression-check.js';
import { apiPolicy, testRule } from '../support.js';

describe('expression-syntax', () => {
  testRule('expression-syntax', [
    {
      name: 'valid expressions, including named values inside strings and as code',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="u" value="@($"https://login/{{TenantId}}/x" + (string)"a")" />\n    <set-variable name="n" value="@(new Random().Next(1, 100) <= {{TenantId}})" />') },
      findings: [],
    },
    {
      name: 'a string damaged by an XML round-trip, an empty expression, an invoked property, a type outside the allow-list',
      files: {
        'apis/orders/policy.xml': apiPolicy(
          '    <when-x />\n    <set-variable name="a" value="@(context.Request.Method.Equals("patch=""", StringComparison.OrdinalIgnoreCase))" />\n    <set-variable name="b" value="@( )" />\n' +
            '    <set-variable name="c" value="@(context.Request.MatchedParameters("id"))" />\n    <set-body>@{ var r = XmlReader.Create("x"); return ""; }</set-body>',
        ),
      },
      findings: [
        `apis/orders/policy.xml:5:75: Unexpected '""': ',' or ')' expected`,
        "apis/orders/policy.xml:6:38: Invalid expression term ')'",
        "apis/orders/policy.xml:7:53: Non-invocable member 'IRequest.MatchedParameters' cannot be used like a method.",
        "apis/orders/policy.xml:8:26: not supported in APIM policy expressions: The type 'XmlReader' is not allowed in policy expressions",
      ],
    },
  ]);

  it('masks named values keeping offsets (strings: underscores, code: a number)', () => {
    expect(maskNamedValues('@("{{a}}" + {{bb}})')).toBe('@("_____" + 0     )');
  });

  it('keeps a token-level fallback for when the compiler itself fails', () => {
    expect(checkTokens('@(x.Equals("patch=""", y))')).toEqual([
      { offset: 19, message: 'missing operator between string "patch=" and string "" (a string like "a=""" is usually damage from an XML round-trip)' },
    ]);
    expect(checkTokens('@( )')).toEqual([{ offset: 0, message: 'empty policy expression' }]);
    expect(checkTokens('@((string)"a" + b)')).toEqual([]);
  });
});
