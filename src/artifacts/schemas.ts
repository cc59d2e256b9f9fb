/**
 * The JSON Schemas shipped in `schemas/` (one per YAML file kind), compiled once with ajv.
 * They are files, not code, so editors (yaml-language-server) use exactly what the reader checks.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
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

/** The options every schema is compiled with, here and by scripts/build-schema-validators.mjs. */
export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

/** The name a schema's validator is exported under in the precompiled module (an identifier). */
export function validatorExportName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Hash of a schema file's text: the precompiled module records it, so a stale build is never used. */
export function schemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const requireHere = createRequire(import.meta.url);
let ajv: Ajv | undefined;

/**
 * ajv's compiler, loaded on first use: it is ~80 modules, and with the validators precompiled (below) a command
 * needs it only for a schema changed since the build, for overrides' partial schemas, or when run from the
 * TypeScript sources. `apimops lint` in a pre-commit hook starts without it.
 */
function compiler(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = requireHere('ajv') as typeof import('ajv');
    const formats = requireHere('ajv-formats') as { default?: (a: Ajv) => void } & ((a: Ajv) => void);
    ajv = new AjvClass({ ...AJV_OPTIONS });
    (formats.default ?? formats)(ajv);
  }
  return ajv;
}
const compiled = new Map<string, Compiled>();

/**
 * `npm run build` compiles every schema ahead of time into `schema-validators.cjs` beside this module (ajv's
 * standalone code; scripts/build-schema-validators.mjs): compiling them here costs ~0.15 s of a command's start
 * (measured on `lint` of a large folder). From the TypeScript sources there is none, and a validator whose
 * schema file changed since the build is not used: both compile here instead.
 */
type Precompiled = Record<string, ValidateFunction> & { hashes?: Record<string, string> };
let precompiled: Precompiled | null | undefined;

function precompiledValidator(name: string, text: string): ValidateFunction | undefined {
  if (precompiled === undefined) {
    try {
      precompiled = requireHere('./schema-validators.cjs') as Precompiled;
    } catch {
      precompiled = null;
    }
  }
  if (!precompiled || precompiled.hashes?.[name] !== schemaHash(text)) return undefined;
  return precompiled[validatorExportName(name)];
}

function load(name: string, partial = false): Compiled {
  const cacheKey = partial ? `${name}#partial` : name;
  let c = compiled.get(cacheKey);
  if (c) return c;
  const text = readFileSync(`${SCHEMAS_DIR}${name}.schema.json`, 'utf8');
  let schema = JSON.parse(text) as Record<string, unknown>;
  const ready = partial ? undefined : precompiledValidator(name, text);
  if (partial) schema = withoutRequired({ ...schema, $id: `${String(schema.$id)}#partial` }) as Record<string, unknown>;
  if (ready) c = { validate: ready, schema };
  else {
    c = { validate: compiler().compile(schema), schema };
  }
  compiled.set(cacheKey, c);
  return c;
}

/**
 * Loads the validators of `names` now (the precompiled module and each schema file): a large read calls this
 * while its reading thread starts, so that ~50 ms of module compilation is not spent after the first batch.
 */
export function prepareSchemas(names: readonly SchemaName[]): void {
  for (const name of names) load(name);
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
