import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

const gateway = { 'gateways/onprem/gateway.yaml': 'locationData:\n  name: DC1\napis:\n  - orders\n' };
const limit = apiPolicy('    <rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" />');

describe('self-hosted-local-counters', () => {
  testRule('self-hosted-local-counters', [
    { name: 'not on a self-hosted gateway', files: { 'apis/orders/policy.xml': limit }, findings: [] },
    { name: 'a gateway with an external cache', files: { ...gateway, 'apis/orders/policy.xml': limit }, settings: { externalCacheGateways: ['onprem'] }, findings: [] },
    {
      name: 'a gateway without an external cache',
      files: { ...gateway, 'apis/orders/policy.xml': limit },
      findings: ['apis/orders/policy.xml:4:5: <rate-limit-by-key> counters are per replica on self-hosted gateway onprem (no external cache configured): N replicas admit N× the limit'],
    },
  ]);
});
