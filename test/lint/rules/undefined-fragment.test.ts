import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('undefined-fragment', () => {
  testRule('undefined-fragment', [
    {
      name: 'an existing fragment',
      files: {
        'policyFragments/edge/policyFragment.yaml': 'description: edge\n',
        'policyFragments/edge/policy.xml': '<fragment><set-variable name="a" value="1" /></fragment>',
        'apis/orders/policy.xml': apiPolicy('    <include-fragment fragment-id="edge" />'),
      },
      findings: [],
    },
    {
      name: 'a missing fragment',
      files: { 'apis/orders/policy.xml': apiPolicy('    <include-fragment fragment-id="edg" />') },
      findings: ['apis/orders/policy.xml:4:36: policy fragment "edg" does not exist (no policyFragments/edg/)'],
    },
  ]);
});
