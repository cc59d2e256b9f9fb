import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/diff/diff.js';
import { diffStates } from '../../src/diff/diff.js';
import { changeSetToJson, renderChangeSetText } from '../../src/diff/render.js';
import { emptyState, putResource } from '../../src/artifacts/model.js';

describe('render', () => {
  const current = emptyState();
  const target = emptyState();
  putResource(current, { kind: 'namedValue', key: '/namedValues/key', name: 'key', properties: { displayName: 'Key', secret: true, value: 'old-secret' } });
  putResource(target, { kind: 'namedValue', key: '/namedValues/key', name: 'key', properties: { displayName: 'Key', secret: true, value: 'new-secret' } });
  putResource(target, { kind: 'namedValue', key: '/namedValues/plain', name: 'plain', properties: { displayName: 'Plain', value: 'visible' } });
  putResource(current, { kind: 'backend', key: '/backends/b', name: 'b', properties: { url: 'https://a', credentials: { header: { 'x-key': ['k1'] } } } });
  putResource(target, { kind: 'backend', key: '/backends/b', name: 'b', properties: { url: 'https://b', credentials: { header: { 'x-key': ['k2'] } } } });
  putResource(current, { kind: 'apiPolicy', key: '/apis/a/policies/policy', name: 'policy', parent: '/apis/a', properties: {}, policy: { text: '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n' } });
  putResource(target, { kind: 'apiPolicy', key: '/apis/a/policies/policy', name: 'policy', parent: '/apis/a', properties: {}, policy: { text: '<policies>\n  <inbound>\n    <base />\n    <rate-limit calls="5" renewal-period="60" />\n  </inbound>\n</policies>\n' } });
  const cs = diffStates(current, target, { secretsMayBeHidden: false });

  it('prints a readable per-resource diff with counts and secrets masked', () => {
    const text = renderChangeSetText(cs);
    expect(text).toContain('~ update namedValue /namedValues/key\n    properties.value: "***" → "***"');
    expect(text).toContain('+ create namedValue /namedValues/plain');
    expect(text).toContain('    value: "visible"');
    expect(text).toContain('    properties.url: "https://a" → "https://b"');
    expect(text).toContain('~ update apiPolicy /apis/a/policies/policy\n    policy:\n        @@ line 4\n      +     <rate-limit calls="5" renewal-period="60" />');
    expect(text).toMatch(/Created: 1 {2}Updated: 3 {2}Deleted: 0\n$/);
    expect(text).not.toMatch(/old-secret|new-secret|k1|k2/);
  });

  it('serialises to JSON with the same masking', () => {
    const json = JSON.stringify(changeSetToJson(cs));
    expect(json).not.toMatch(/old-secret|new-secret|"k1"|"k2"/);
    const doc = JSON.parse(json) as { summary: unknown; changes: Change[] };
    expect(doc.summary).toEqual({ created: 1, updated: 3, deleted: 0, total: 4 });
    expect(doc.changes.map((c) => `${c.op} ${c.key}`)).toEqual([
      'update /namedValues/key',
      'create /namedValues/plain',
      'update /backends/b',
      'update /apis/a/policies/policy',
    ]);
  });
});
