import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('invalid-attribute-value', () => {
  testRule('invalid-attribute-value', [
    {
      name: 'literal, expression and named-value values of the right type',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-header name="a" exists-action="@("skip")" />\n    <retry condition="true" count="{{TenantId}}" interval="1"><forward-request /></retry>') },
      findings: [],
    },
    {
      name: 'an enum, an integer, a boolean and an expression where none is allowed',
      files: {
        'apis/orders/policy.xml': apiPolicy(
          '    <set-header name="a" exists-action="replace" />\n    <rate-limit calls="ten" renewal-period="@(60)" />\n    <cache-lookup vary-by-developer="no" vary-by-developer-groups="false" />',
        ),
      },
      findings: [
        'apis/orders/policy.xml:4:41: "exists-action" of <set-header> must be one of override, skip, append, delete, not "replace"',
        'apis/orders/policy.xml:5:24: "calls" of <rate-limit> must be an integer, not "ten"',
        'apis/orders/policy.xml:5:45: "renewal-period" of <rate-limit> does not accept a policy expression; use a literal value',
        'apis/orders/policy.xml:6:38: "vary-by-developer" of <cache-lookup> must be true or false, not "no"',
      ],
    },
  ]);
});
