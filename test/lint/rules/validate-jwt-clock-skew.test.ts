import { describe } from 'vitest';
import { BASE_FOLDER, testRule } from '../support.js';

describe('validate-jwt-clock-skew', () => {
  testRule('validate-jwt-clock-skew', [
    { name: 'explicit clock-skew', files: {}, findings: [] },
    {
      name: 'no clock-skew',
      files: { 'policy.xml': BASE_FOLDER['policy.xml']!.replace(' clock-skew="60"', '') },
      findings: ['policy.xml:3:5: <validate-jwt> has no clock-skew (default 0 s): tokens are rejected when the issuer clock is a little ahead; set clock-skew explicitly'],
    },
  ]);
});
