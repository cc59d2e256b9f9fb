/**
 * The JSON Schemas shipped in `schemas/` (one per YAML file kind), compiled once with ajv.
 * They are files, not code, so editors (yaml-language-server) use exactly what the reader checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from '../shared/errors.js';
import { schemaDiagnostics, type YamlFile, type YamlPath } from './yaml-doc.js';

/** The `schemas/` folder of the apimops package (two levels above both `src/artifacts` and `dist/artifacts`). */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** Schema names: the YAML kinds plus the configuration files. */
export type SchemaName =
  | 'api'
  | 'operation'
  | 'backend'
  | 'gateway'
  | 'group'
  | 'logger'
  | 'namedValue'
  | 'policyFragment'
  | 'product'
  | 'subscription'
  | 'tag'
  | 'versionSet'
  | 'workspace'
  | 'diagnostic'
  | 'release'
  | 'apimops'
  | 'configuration'
  | 'configuration.extractor';

interface Compiled {
  validate: ValidateFunction;
  schema: Record<string, unknown>;
}

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
let ajv: Ajv | undefined;
const compiled = new Map<string, Compiled>();

function load(name: string, partial = false): Compiled {
  const cacheKey = partial ? `${name}#partial` : name;
  let c = compiled.get(cacheKey);
  if (c) return c;
  ajv ??= (() => {
    const a = new Ajv({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv) => void)(a);
    return a;
  })();
  let schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}${name}.schema.json`, 'utf8')) as Record<string, unknown>;
  if (partial) schema = withoutRequired({ ...schema, $id: `${String(schema.$id)}#partial` }) as Record<string, unknown>;
  c = { validate: ajv.compile(schema), schema };
  compiled.set(cacheKey, c);
  return c;
}

/** A schema with every `required` dropped: what an override (a partial resource) is checked against. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required' && Array.isArray(v)) continue;
    out[k] = withoutRequired(v);
  }
  return out;
}

/**
 * Like `validateWithSchema`, for a part of a resource (an override's `properties`): the same property names
 * and types, nothing required.
 */
export function validatePartial(name: SchemaName, y: YamlFile, value: unknown, basePath: YamlPath): Diagnostic[] {
  const c = load(name, true);
  if (c.validate(value)) return [];
  return schemaDiagnostics(y, c.validate.errors ?? [], (p) => propertiesAt(c.schema, p), basePath);
}

/** The property names a schema allows at a JSON-pointer-like ajv `schemaPath` (`#/properties/a`). */
function propertiesAt(schema: Record<string, unknown>, schemaPath: string): string[] {
  let node: unknown = schema;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (seg === '') continue;
    node = (node as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/**
 * Validates `value` (the whole document, or the part at `basePath`) against schema `name`; returns one
 * diagnostic per problem with its position in the YAML file.
 */
export function validateWithSchema(name: SchemaName, y: YamlFile, value: unknown, basePath: YamlPath = []): Diagnostic[] {
  const c = load(name);
  if (c.validate(value)) return [];
  return schemaDiagnostics(y, c.validate.errors ?? [], (p) => propertiesAt(c.schema, p), basePath);
}

/** True when `value` is valid for schema `name` (no positions; used for non-YAML inputs such as APIOps JSON). */
export function schemaErrors(name: SchemaName, value: unknown): string[] {
  const c = load(name);
  if (c.validate(value)) return [];
  return (c.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}

/** The raw JSON of a schema (for tools that walk it, e.g. the `APIMOPS_*` variable table). */
export function schemaJson(name: SchemaName): Record<string, unknown> {
  return load(name).schema;
}
