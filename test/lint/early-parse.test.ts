import { describe, expect, it } from 'vitest';
import { readArtifacts } from '../../src/artifacts/reader.js';
import { buildLintInput, parseForLint, type ParsedPolicyFile } from '../../src/lint/model.js';
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

  it('buildLintInput uses an early parse of the same text and parses again when the text differs', async () => {
    const parsed = new Map<string, ParsedPolicyFile>();
    const read = await readArtifacts(memorySource(files), { onPolicyText: (path, text) => parsed.set(path, parseForLint(path, text)) });
    const stale = parseForLint('apis/orders/policy.xml', '<policies><inbound /></policies>');
    parsed.set('apis/orders/policy.xml', stale);
    const input = buildLintInput(read.state, {}, [], parsed);
    const api = input.units.find((u) => u.file === 'apis/orders/policy.xml')!;
    expect(api.document).toBeDefined();
    expect(api.document).not.toBe(stale.result.document);
    expect(api.document!.sections.backend).toBeDefined();
    const global = input.units.find((u) => u.kind === 'global');
    expect(global?.document).toBeDefined();
    expect(global!.document).toBe(parsed.get(global!.file)!.result.document);
  });
});
