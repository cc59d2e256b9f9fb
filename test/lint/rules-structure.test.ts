import { describe, expect, it } from 'vitest';
import { lintWithRule, apiPolicy } from './support.js';

// Sanity: the base folder is clean for every rule that reads the folder.
describe('BASE_FOLDER', () => {
  it('has no artifact errors', async () => {
    expect(await lintWithRule('artifact-error', { 'apis/orders/policy.xml': apiPolicy('    <set-header name="a"><value>1</value></set-header>') })).toEqual([]);
  });
});
