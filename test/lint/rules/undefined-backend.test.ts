import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('undefined-backend', () => {
  testRule('undefined-backend', [
    {
      name: 'an existing backend',
      files: {
        'backends/orders-backend/backend.yaml': 'protocol: http\nurl: https://orders.example.com\n',
        'apis/orders/policy.xml': apiPolicy('    <set-backend-service backend-id="orders-backend" />'),
      },
      findings: [],
    },
    {
      name: 'a missing backend',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-backend-service backend-id="orders-backnd" />') },
      findings: ['apis/orders/policy.xml:4:38: backend "orders-backnd" does not exist (no backends/orders-backnd/)'],
    },
  ]);
});
