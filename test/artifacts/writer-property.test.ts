import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/artifacts/folder-source.js';
import { emptyState, putResource, type ApimState } from '../../src/artifacts/model.js';
import { makeResource, readArtifacts } from '../../src/artifacts/reader.js';
import { renderArtifacts } from '../../src/artifacts/writer.js';

const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,11}$/);
/** Any text, including what YAML would misread unquoted: `yes`, `1.0`, `null`, `- x`, `#`, `{{x}}`, newlines. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('yes', 'no', 'null', '~', '1.0', '0x1F', '- x', '# c', ': y', '{{TenantId}}', '{#TOKEN#}', ' lead', 'trail ', 'a\nb\n', '\n', '"q"', "'s'"),
);

interface Gen {
  namedValues: { name: string; value: string; tags: string[]; secret: boolean }[];
  apis: { name: string; description: string; policy: string }[];
  product: { name: string; description: string; take: number };
}

const gen: fc.Arbitrary<Gen> = fc.record({
  namedValues: fc.uniqueArray(fc.record({ name, value: text, tags: fc.array(text, { maxLength: 3 }), secret: fc.boolean() }), { selector: (x) => x.name, maxLength: 5 }),
  apis: fc.uniqueArray(fc.record({ name, description: text, policy: text }), { selector: (x) => x.name, maxLength: 5 }),
  product: fc.record({ name, description: text, take: fc.nat(5) }),
});

function stateOf(g: Gen): ApimState {
  const s = emptyState();
  for (const nv of g.namedValues) {
    putResource(s, makeResource('namedValue', `/namedValues/${nv.name}`, { displayName: nv.name, value: nv.value, tags: nv.tags, secret: nv.secret }));
  }
  for (const a of g.apis) {
    putResource(s, makeResource('api', `/apis/${a.name}`, { displayName: a.name, path: a.name, description: a.description }));
    putResource(s, { ...makeResource('apiPolicy', `/apis/${a.name}/policies/policy`, {}), policy: { text: a.policy.replace(/\r\n?/g, '\n') } });
  }
  const apis = g.apis.slice(0, g.product.take).map((a) => a.name).sort();
  putResource(s, makeResource('product', `/products/${g.product.name}`, { displayName: 'P', description: g.product.description, apis }));
  return s;
}

/** The state as plain data, origins aside. */
function plain(s: ApimState): unknown {
  const out: Record<string, unknown> = {};
  for (const [kind, coll] of Object.entries(s)) {
    for (const [key, r] of coll as Map<string, { properties: unknown; policy?: { text: string } }>) out[`${kind} ${key}`] = { p: r.properties, x: r.policy?.text };
  }
  return out;
}

describe('writer: any state round-trips and renders the same bytes twice', () => {
  it('render → read → render is stable for arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(gen, async (g) => {
        const state = stateOf(g);
        const files = renderArtifacts(state);
        for (const [path, t] of files) if (path.endsWith('.yaml')) expect(t.endsWith('\n') && !t.includes('\r\n')).toBe(true);
        const read = await readArtifacts(memorySource(files), { checkReferences: false, checkPolicies: false });
        expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(plain(read.state)).toEqual(plain(state));
        expect(renderArtifacts(read.state)).toEqual(files);
      }),
      { numRuns: 150, seed: 20261123 },
    );
  });
});

describe('writer: canonical properties', () => {
  it('drops server fields and nulls, makes ids service-relative, sorts link lists', () => {
    const s = emptyState();
    const svc = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';
    putResource(s, makeResource('diagnostic', '/diagnostics/applicationinsights', { loggerId: `${svc}/loggers/ai`, verbosity: 'error', provisioningState: 'Succeeded' }));
    putResource(s, makeResource('product', '/products/p', { displayName: 'P', apis: ['b', 'a', 'b'], terms: null }));
    putResource(s, makeResource('backend', '/backends/pool', { type: 'Pool', pool: { services: [{ id: `${svc}/backends/b1`, weight: 1 }] }, url: null, title: null }));
    putResource(s, makeResource('group', '/groups/g', { displayName: 'G', builtIn: false, type: 'custom' }));
    const files = renderArtifacts(s, { schemaBase: '../schemas' });
    expect(files.get('diagnostics/applicationinsights/diagnostic.yaml')).toBe(
      '# yaml-language-server: $schema=../../../schemas/diagnostic.schema.json\nloggerId: /loggers/ai\nverbosity: error\n',
    );
    expect(files.get('products/p/product.yaml')).toBe('# yaml-language-server: $schema=../../../schemas/product.schema.json\napis:\n  - a\n  - b\ndisplayName: P\n');
    expect(files.get('backends/pool/backend.yaml')).toBe(
      '# yaml-language-server: $schema=../../../schemas/backend.schema.json\npool:\n  services:\n    - id: /backends/b1\n      weight: 1\ntype: Pool\n',
    );
    expect(files.get('groups/g/group.yaml')).toBe('# yaml-language-server: $schema=../../../schemas/group.schema.json\ndisplayName: G\ntype: custom\n');
    expect(renderArtifacts(s, {}).get('groups/g/group.yaml')!.split('\n')[0]).toBe('# yaml-language-server: $schema=https://unpkg.com/apimops@0/schemas/group.schema.json');
  });
});
