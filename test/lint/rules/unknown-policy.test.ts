import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('unknown-policy', () => {
  testRule('unknown-policy', [
    {
      name: 'known policies, sub-elements and choose branches',
      files: { 'apis/orders/policy.xml': apiPolicy('    <choose><when condition="@(true)"><set-header name="a"><value>1</value></set-header></when><otherwise /></choose>') },
      findings: [],
    },
    {
      name: 'a typo at section level and inside a when branch',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-headers name="a" />\n    <choose><when condition="@(true)"><foo /></when></choose>') },
      findings: [
        'apis/orders/policy.xml:4:5: <set-headers> is not an APIM policy; did you mean <set-header>?',
        'apis/orders/policy.xml:5:39: <foo> is not an APIM policy',
      ],
    },
  ]);
});
