import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('duplicate-base', () => {
  testRule('duplicate-base', [
    { name: 'one <base /> per section', files: { 'apis/orders/policy.xml': apiPolicy('') }, findings: [] },
    {
      name: 'a second <base /> in inbound',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-variable name="a" value="1" />\n    <base />') },
      findings: ['apis/orders/policy.xml:5:5: <inbound> has more than one <base /> (the first is at line 3); remove this one'],
    },
  ]);
});
