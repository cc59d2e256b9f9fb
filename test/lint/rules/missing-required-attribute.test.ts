import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('missing-required-attribute', () => {
  testRule('missing-required-attribute', [
    { name: 'complete attributes', files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="a" value="1" />\n    <set-backend-service base-url="https://x" />') }, findings: [] },
    {
      name: 'set-variable without value, set-backend-service without a target',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="a" />\n    <set-backend-service />') },
      findings: [
        'apis/orders/policy.xml:4:5: <set-variable> requires the attribute "value"',
        'apis/orders/policy.xml:5:5: <set-backend-service> requires one of the attributes "base-url", "backend-id"',
      ],
    },
  ]);
});
