/**
 * Seeds a fake ARM server through its own HTTP API (PUTs, as a publish would), from an `ApimState` or an
 * artifact folder: resources level by level (`DEPENDENCY_ORDER`), links last. Secret named values without
 * a value get a placeholder (the folder never holds secrets; extract never reads them back).
 */
import { DEPENDENCY_ORDER } from '../../../src/artifacts/kinds.js';
import { folderSource } from '../../../src/artifacts/folder-source.js';
import { allResources, type ApimState, type Resource } from '../../../src/artifacts/model.js';
import { loadArtifacts } from '../../../src/artifacts/reader.js';
import { GRAPHQL_SCHEMA, IMPORT_FORMATS, linksOf, policyBody, toArmProperties } from '../../../src/arm/resources.js';
import type { FakeArm } from './server.js';

async function put(fake: FakeArm, key: string, body: unknown): Promise<void> {
  const url = `${fake.url}${fake.serviceId}${key.split('/').map(encodeURIComponent).join('/')}?api-version=2024-05-01`;
  const res = await fetch(url, {
    method: 'PUT',
    headers: { authorization: 'Bearer seed', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`seeding PUT ${key} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

function bodyOf(fake: FakeArm, r: Resource): unknown {
  const props = toArmProperties(r.kind, r.properties, fake.serviceId);
  if (r.kind === 'policyFragment') return { properties: { ...props, format: 'rawxml', value: r.policy?.text ?? '' } };
  if (r.policy) return policyBody(r.policy.text);
  if (r.kind === 'namedValue' && props.secret === true && props.value === undefined && !props.keyVault) {
    return { properties: { ...props, value: `seeded-secret-${r.name}` } };
  }
  if (r.kind === 'api' && r.specification && r.specification.format !== 'graphql') {
    return { properties: { ...props, format: IMPORT_FORMATS[r.specification.format], value: r.specification.content } };
  }
  return { properties: props };
}

/** PUTs every resource of `state` into the fake, dependencies first, then the links. */
export async function seedFakeFromState(fake: FakeArm, state: ApimState): Promise<void> {
  const all = [...allResources(state)];
  for (const level of DEPENDENCY_ORDER) {
    // workspaces before anything inside them, APIs before their revisions
    const here = all
      .filter((r) => level.includes(r.kind) && !r.fromSpecification)
      .sort((a, b) => Number(Boolean(a.workspace)) - Number(Boolean(b.workspace)) || Number(/;rev=/.test(a.key)) - Number(/;rev=/.test(b.key)));
    for (const r of here) {
      await put(fake, r.key, bodyOf(fake, r));
      if (r.kind === 'api' && r.specification?.format === 'graphql') {
        await put(fake, `${r.key}/schemas/${GRAPHQL_SCHEMA.id}`, { properties: { contentType: GRAPHQL_SCHEMA.contentType, document: { value: r.specification.content } } });
      }
    }
  }
  for (const r of all) {
    const prefix = r.workspace ? `/workspaces/${r.workspace}` : '';
    for (const link of linksOf(r.kind)) {
      const names = r.properties[link.field];
      if (!Array.isArray(names)) continue;
      for (const name of names) await put(fake, link.assignPath(r.key, prefix, String(name)), {});
    }
  }
}

/** Reads an artifact folder (throws on errors) and seeds the fake with it. */
export async function seedFakeFromFolder(fake: FakeArm, folder: string): Promise<ApimState> {
  const { state } = await loadArtifacts(folderSource(folder));
  await seedFakeFromState(fake, state);
  return state;
}
