import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('policy-in-wrong-section', () => {
  testRule('policy-in-wrong-section', [
    { name: 'cache-store in outbound', files: { 'apis/orders/policy.xml': apiPolicy('', { outbound: '<base /><cache-store duration="60" />' }) }, findings: [] },
    {
      name: 'forward-request and cache-store in inbound, rate-limit at global scope',
      files: {
        'apis/orders/policy.xml': apiPolicy('    <forward-request />\n    <cache-store duration="60" />'),
        'policy.xml': '<policies>\n<inbound><rate-limit calls="1" renewal-period="60" /></inbound>\n<backend><forward-request /></backend>\n</policies>\n',
      },
      findings: [
        'apis/orders/policy.xml:4:5: <forward-request> is not allowed in <inbound> (allowed in: backend)',
        'apis/orders/policy.xml:5:5: <cache-store> is not allowed in <inbound> (allowed in: outbound)',
        'policy.xml:2:10: <rate-limit> is not allowed in a global policy (allowed at: product, api, operation scope)',
      ],
    },
    {
      name: 'a fragment policy checked against the including section',
      files: {
        'policyFragments/f/policyFragment.yaml': 'description: f\n',
        'policyFragments/f/policy.xml': '<fragment>\n  <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />\n</fragment>\n',
        'apis/orders/policy.xml': apiPolicy('', { outbound: '<base /><include-fragment fragment-id="f" />' }),
      },
      findings: [
        'policyFragments/f/policy.xml:2:3: <cache-lookup> is not allowed in <outbound>, where API orders includes this fragment (apis/orders/policy.xml:10) (allowed in: inbound)',
      ],
    },
  ]);
});
