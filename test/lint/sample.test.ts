import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from './cli-harness.js';

const MAIN = join(import.meta.dirname, '../..');

describe('apimops lint artifacts-sample (the README quickstart folder)', () => {
  it('passes (exit 0) with the self-hosted counter warnings of the two products', async () => {
    const r = await runLint(['artifacts-sample', '--format', 'github'], MAIN);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '::warning file=artifacts-sample/products/premium/policy.xml,line=4,col=5,title=apimops self-hosted-local-counters::<rate-limit-by-key> counters are per replica on self-hosted gateway onprem-gateway (no external cache configured): N replicas admit N× the limit',
        '::warning file=artifacts-sample/products/premium/policy.xml,line=5,col=5,title=apimops self-hosted-local-counters::<quota-by-key> counters are per replica on self-hosted gateway onprem-gateway (no external cache configured): N replicas admit N× the limit',
        '::warning file=artifacts-sample/products/starter/policy.xml,line=4,col=5,title=apimops self-hosted-local-counters::<rate-limit-by-key> counters are per replica on self-hosted gateway onprem-gateway (no external cache configured): N replicas admit N× the limit',
        '::warning file=artifacts-sample/products/starter/policy.xml,line=5,col=5,title=apimops self-hosted-local-counters::<quota-by-key> counters are per replica on self-hosted gateway onprem-gateway (no external cache configured): N replicas admit N× the limit',
        '',
      ].join('\n'),
    );
    expect((await runLint(['artifacts-sample', '--fail-severity', 'warn'], MAIN)).code).toBe(1);
  });
});
