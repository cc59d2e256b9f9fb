import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('unknown-attribute', () => {
  testRule('unknown-attribute', [
    { name: 'known attributes and id', files: { 'apis/orders/policy.xml': apiPolicy('    <set-header id="h1" name="a" exists-action="skip" />') }, findings: [] },
    {
      name: 'a misspelt attribute',
      files: { 'apis/orders/policy.xml': apiPolicy('    <rate-limit-by-key calls="1" renewal-perid="60" counter-key="@(context.Request.IpAddress)" />') },
      findings: ['apis/orders/policy.xml:4:34: <rate-limit-by-key> has no attribute "renewal-perid"; did you mean "renewal-period"?'],
    },
  ]);
});
