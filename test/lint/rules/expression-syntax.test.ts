import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('expression-syntax', () => {
  testRule('expression-syntax', [
    {
      name: 'valid expressions, including named values inside code and interpolated strings',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="u" value="@($"https://login/{{TenantId}}/x" + (string)"a")" />') },
      findings: [],
    },
    {
      name: 'a string damaged by an XML round-trip, an empty expression',
      files: { 'apis/orders/policy.xml': apiPolicy('    <when-x />\n    <set-variable name="a" value="@(context.Request.Method.Equals("patch=""", StringComparison.OrdinalIgnoreCase))" />\n    <set-variable name="b" value="@( )" />') },
      findings: [
        'apis/orders/policy.xml:5:75: missing operator between string "patch=" and string "" (a string like "a=""" is usually damage from an XML round-trip)',
        'apis/orders/policy.xml:6:35: empty policy expression',
      ],
    },
  ]);
});
