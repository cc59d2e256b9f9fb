/**
 * `npm run build` compiles the schemas ahead of time (scripts/build-schema-validators.mjs →
 * dist/artifacts/schema-validators.cjs), and the compiled reader uses those validators instead of compiling at
 * start. They must judge exactly as the validators compiled at run time (what the sources use, under this test
 * runner): the same errors, with the same paths and messages, for valid and broken files of every kind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as runtime from '../../src/artifacts/schemas.js';
import { parseYamlFile } from '../../src/artifacts/yaml-doc.js';

const REPO = join(import.meta.dirname, '..', '..');
const PRECOMPILED = join(REPO, 'dist', 'artifacts', 'schema-validators.cjs');
let built: typeof runtime;
const require = createRequire(import.meta.url);

const NAMES: runtime.SchemaName[] = [
  'api', 'operation', 'backend', 'gateway', 'group', 'logger', 'namedValue', 'policyFragment', 'product',
  'subscription', 'tag', 'versionSet', 'workspace', 'diagnostic', 'release', 'apimops', 'configuration', 'configuration.extractor',
];

/** Values for a schema: nothing, a wrong type, unknown and mistyped properties, and deeply broken ones. */
function probes(): unknown[] {
  return [
    {},
    [],
    'text',
    { displayName: '' },
    { displayName: 'x'.repeat(400), path: 42, protocols: ['ftp'], unknownProperty: true },
    { displayName: 'ok', description: 'fine', value: 'v', secret: 'yes', tags: [1, 2], url: 'not a url', protocol: 'smtp' },
    { method: 'FETCH', urlTemplate: 7, templateParameters: [{ name: 1, required: 'no' }], request: { headers: 'x' } },
    { apis: 'alpha', subscriptionRequired: 'no', state: 'open', approvalRequired: 1, subscriptionsLimit: -1 },
    { environments: { prod: { namedValues: [1], backends: { b: { url: 3 } } } }, artifacts: 1, lint: { rules: { x: 'loud' } } },
    { circuitBreaker: { rules: [{ failureCondition: { count: 'many', interval: 'PT1M' }, tripDuration: 5 }] }, pool: { services: [{ id: 1, weight: 'heavy' }] } },
  ];
}

beforeAll(async () => {
  expect(existsSync(PRECOMPILED), 'run npm run build (npm test does) first').toBe(true);
  built = (await import(pathToFileURL(join(REPO, 'dist', 'artifacts', 'schemas.js')).href)) as typeof runtime;
});

describe('precompiled schema validators', () => {
  it('exist for every schema, each recorded with the hash of the schema file it was compiled from', () => {
    const validators = require(PRECOMPILED) as Record<string, unknown> & { hashes: Record<string, string> };
    for (const name of NAMES) {
      expect(typeof validators[runtime.validatorExportName(name)], name).toBe('function');
      expect(validators.hashes[name], name).toBe(runtime.schemaHash(readFileSync(join(runtime.SCHEMAS_DIR, `${name}.schema.json`), 'utf8')));
    }
  });

  it.each(NAMES)('%s: the same errors as the validator compiled at run time', (name) => {
    expect(probes().filter((v) => runtime.schemaErrors(name, v).length > 0).length).toBeGreaterThanOrEqual(2);
    for (const value of probes()) {
      expect(built.schemaErrors(name, value), JSON.stringify(value)).toEqual(runtime.schemaErrors(name, value));
      const yaml = parseYamlFile(`${name}.yaml`, '# probe\n').yaml;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        expect(built.validateWithSchema(name, yaml, value)).toEqual(runtime.validateWithSchema(name, yaml, value));
      }
    }
  });
});
