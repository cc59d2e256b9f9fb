import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('undefined-named-value', () => {
  testRule('undefined-named-value', [
    { name: 'a defined display name', files: { 'apis/orders/policy.xml': apiPolicy('    <set-header name="t"><value>{{TenantId}}</value></set-header>') }, findings: [] },
    {
      name: 'undefined and case-mismatched references in text and an expression',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-header name="t"><value>{{tenantid}}</value></set-header>\n    <set-variable name="v" value="@("{{Missing}}")" />') },
      findings: [
        'apis/orders/policy.xml:4:33: named value "{{tenantid}}" is not defined; "TenantId" differs only in case (names are case-sensitive)',
        'apis/orders/policy.xml:5:38: named value "{{Missing}}" is not defined in namedValues/',
      ],
    },
  ]);
});
