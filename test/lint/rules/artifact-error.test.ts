import { describe } from 'vitest';
import { testRule } from '../support.js';

describe('artifact-error', () => {
  testRule('artifact-error', [
    { name: 'a valid folder', files: {}, findings: [] },
    {
      name: 'YAML syntax error',
      files: { 'apis/orders/api.yaml': 'displayName: Orders\npath: [orders\n' },
      findings: ['apis/orders/api.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    },
  ]);
});
