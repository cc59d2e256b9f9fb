import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

const gateway = { 'gateways/onprem/gateway.yaml': 'locationData:\n  name: DC1\napis:\n  - orders\n' };
const lookup = (type?: string) =>
  apiPolicy(`    <cache-lookup vary-by-developer="false" vary-by-developer-groups="false"${type ? ` caching-type="${type}"` : ''} />`);

describe('self-hosted-internal-cache', () => {
  testRule('self-hosted-internal-cache', [
    { name: 'external cache on a self-hosted API', files: { ...gateway, 'apis/orders/policy.xml': lookup('external') }, findings: [] },
    { name: 'internal cache on an API no self-hosted gateway serves', files: { 'apis/orders/policy.xml': lookup('internal') }, findings: [] },
    {
      name: 'prefer-external is fine when the gateway has an external cache (apimops.yaml lint.gateways)',
      files: { ...gateway, 'apis/orders/policy.xml': lookup() },
      settings: { externalCacheGateways: ['onprem'] },
      findings: [],
    },
    {
      name: 'internal, and the default prefer-external without an external cache',
      files: { ...gateway, 'apis/orders/policy.xml': lookup('internal'), 'apis/orders/operations/get/operation.yaml': 'displayName: Get\nmethod: GET\nurlTemplate: /\n', 'apis/orders/operations/get/policy.xml': lookup() },
      findings: [
        'apis/orders/operations/get/policy.xml:4:5: cache-lookup with caching-type="prefer-external" is a no-op on self-hosted gateway onprem (no internal cache there and no external cache configured); set caching-type="external" and configure an external cache',
        'apis/orders/policy.xml:4:5: cache-lookup with caching-type="internal" is a no-op on self-hosted gateway onprem (no internal cache there); set caching-type="external" and configure an external cache',
      ],
    },
  ]);
});
