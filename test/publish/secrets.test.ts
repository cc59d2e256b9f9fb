import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/diff/diff.js';
import { resolveSecrets } from '../../src/publish/secrets.js';
import { DiagnosticsError } from '../../src/shared/errors.js';

const nv = (props: Record<string, unknown>): Change => ({
  op: 'create',
  kind: 'namedValue',
  key: '/namedValues/k',
  after: { kind: 'namedValue', key: '/namedValues/k', name: 'k', properties: { displayName: 'K', ...props }, origin: { file: 'namedValues/k/namedValue.yaml' } },
  fields: [],
});

describe('resolveSecrets', () => {
  it('fills {#TOKEN#} placeholders from the environment', () => {
    const [c] = resolveSecrets([nv({ secret: true, value: '{#API_KEY#}' })], { API_KEY: 's3cret' });
    expect(c!.after!.properties.value).toBe('s3cret');
  });
  it('passes Key Vault references through', () => {
    const kv = { secretIdentifier: 'https://kv.vault.azure.net/secrets/x' };
    const [c] = resolveSecrets([nv({ secret: true, keyVault: kv })], {});
    expect(c!.after!.properties.keyVault).toEqual(kv);
  });
  it('lists every missing secret with the position of its placeholder', () => {
    const sources = [{ file: 'configuration.prod.yaml', text: 'namedValues:\n  - name: k\n    properties:\n      value: "{#API_KEY#}"\n' }];
    let err: DiagnosticsError | undefined;
    try {
      resolveSecrets([nv({ secret: true, value: '{#API_KEY#}' }), { ...nv({ secret: true }), key: '/namedValues/k2' }], {}, sources);
    } catch (e) {
      err = e as DiagnosticsError;
    }
    expect(err).toBeInstanceOf(DiagnosticsError);
    expect(err!.diagnostics.map((d) => [d.file, d.line, d.column])).toEqual([
      ['configuration.prod.yaml', 4, 15],
      ['namedValues/k/namedValue.yaml', undefined, undefined],
    ]);
    expect(err!.diagnostics[0]!.message).toMatch(/API_KEY is not set/);
  });
});
