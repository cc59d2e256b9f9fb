import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('policy-parse', () => {
  testRule('policy-parse', [
    { name: 'a well-formed rawxml policy', files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="a" value="@(context.Request.Method == "GET")" />') }, findings: [] },
    {
      name: 'an unbalanced expression',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault("x", "")" />') },
      findings: ['apis/orders/policy.xml:4:87: unterminated string literal in policy expression'],
    },
  ]);
});
