import { describe, expect, it } from 'vitest';
import { readArtifacts } from '../../src/artifacts/reader.js';
import { BASE_FOLDER, apiPolicy, memorySource } from './support.js';

describe('policies parsed while the folder is read', () => {
  const files = { ...BASE_FOLDER, 'apis/orders/policy.xml': apiPolicy('    <base />\r\n    <forward-request />') };

  it('the reader hands over every policy file with the text the state holds (line endings normalised)', async () => {
    const seen = new Map<string, string>();
    const read = await readArtifacts(memorySource(files), { onPolicyText: (path, text) => seen.set(path, text) });
    const policies = [...read.state.servicePolicy.values(), ...read.state.apiPolicy.values(), ...read.state.policyFragment.values()].filter((r) => r.policy);
    expect(policies.length).toBeGreaterThan(0);
    for (const r of policies) expect(seen.get(r.policy!.origin!.file)).toBe(r.policy!.text);
    expect(seen.get('apis/orders/policy.xml')).not.toContain('\r');
  });
});
