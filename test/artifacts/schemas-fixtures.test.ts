import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResourceKind } from '../../src/artifacts/kinds.js';
import { normalizeProperties } from '../../src/artifacts/normalize.js';
import { toServiceRelativeId } from '../../src/artifacts/references.js';
import { schemaErrors, type SchemaName } from '../../src/artifacts/schemas.js';
import { FIXTURES } from './helpers.js';

/** ARM resource type (after `service/`) → our kind and schema. */
const TYPES: Record<string, [ResourceKind, SchemaName]> = {
  apis: ['api', 'api'],
  'apis/operations': ['apiOperation', 'operation'],
  'apis/diagnostics': ['apiDiagnostic', 'diagnostic'],
  'apis/releases': ['apiRelease', 'release'],
  backends: ['backend', 'backend'],
  gateways: ['gateway', 'gateway'],
  groups: ['group', 'group'],
  loggers: ['logger', 'logger'],
  namedValues: ['namedValue', 'namedValue'],
  policyFragments: ['policyFragment', 'policyFragment'],
  products: ['product', 'product'],
  subscriptions: ['subscription', 'subscription'],
  tags: ['tag', 'tag'],
  'api-version-sets': ['versionSet', 'versionSet'],
  workspaces: ['workspace', 'workspace'],
  diagnostics: ['diagnostic', 'diagnostic'],
};

interface Body {
  type?: string;
  properties?: Record<string, unknown>;
  value?: Body[];
}

function bodies(b: unknown, out: Body[]): void {
  if (!b || typeof b !== 'object') return;
  const body = b as Body;
  if (Array.isArray(body.value)) body.value.forEach((x) => bodies(x, out));
  else if (typeof body.type === 'string' && body.properties) out.push(body);
}

/** Every example response body of the kinds we store, as the folder would hold it. */
function examples(): { file: string; kind: ResourceKind; schema: SchemaName; properties: Record<string, unknown> }[] {
  const out: ReturnType<typeof examples> = [];
  for (const file of readdirSync(FIXTURES).sort()) {
    const doc = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { responses?: Record<string, { body?: unknown }> };
    const found: Body[] = [];
    for (const r of Object.values(doc.responses ?? {})) bodies(r.body, found);
    for (const b of found) {
      const t = TYPES[b.type!.replace(/^Microsoft\.ApiManagement\/service\//, '')];
      if (!t) continue;
      const props = normalizeProperties(t[0], b.properties!);
      for (const f of ['loggerId', 'apiVersionSetId', 'scope', 'apiId']) if (typeof props[f] === 'string') props[f] = toServiceRelativeId(props[f] as string);
      out.push({ file, kind: t[0], schema: t[1], properties: props });
    }
  }
  return out;
}

describe('JSON Schemas accept what ARM 2024-05-01 returns', () => {
  const all = examples();
  it('covers every stored kind with real example bodies', () => {
    expect(new Set(all.map((e) => e.schema)).size).toBeGreaterThanOrEqual(14);
    expect(all.length).toBeGreaterThan(100);
  });
  it.each(all.map((e) => [`${e.file} (${e.kind})`, e] as const))('%s', (_, e) => {
    expect(schemaErrors(e.schema, e.properties)).toEqual([]);
  });
});
