import { describe } from 'vitest';
import { BASE_FOLDER, testRule } from '../support.js';

describe('validate-jwt-unsigned', () => {
  testRule('validate-jwt-unsigned', [
    { name: 'signed tokens required (default)', files: {}, findings: [] },
    {
      name: 'require-signed-tokens="false"',
      files: { 'policy.xml': BASE_FOLDER['policy.xml']!.replace(' clock-skew="60"', ' clock-skew="60" require-signed-tokens="False"') },
      findings: ['policy.xml:3:63: <validate-jwt> accepts unsigned tokens (require-signed-tokens="false"): anyone can forge claims; remove the attribute'],
    },
  ]);
});
