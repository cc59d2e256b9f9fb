#!/usr/bin/env node
// Part of `npm run build`, after tsc: compiles every schema of schemas/ ahead of time into
// dist/artifacts/schema-validators.cjs (ajv's standalone code), so commands that read a folder do not compile
// them at start (src/artifacts/schemas.ts uses them, and falls back to compiling when a schema's hash differs).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { AJV_OPTIONS, validatorExportName, schemaHash, SCHEMAS_DIR } = await import(join(repo, 'dist', 'artifacts', 'schemas.js'));
const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneModule.default ?? standaloneModule;

const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
addFormats(ajv);
const exportsByName = {};
const hashes = {};
for (const file of readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort()) {
  const name = file.slice(0, -'.schema.json'.length);
  const text = readFileSync(join(SCHEMAS_DIR, file), 'utf8');
  const schema = JSON.parse(text);
  ajv.addSchema(schema);
  exportsByName[validatorExportName(name)] = schema.$id;
  hashes[name] = schemaHash(text);
}
const code = `${standaloneCode(ajv, exportsByName)}\nexports.hashes = ${JSON.stringify(hashes)};\n`;
const out = join(repo, 'dist', 'artifacts', 'schema-validators.cjs');
writeFileSync(out, code);
process.stdout.write(`schema validators: ${Object.keys(hashes).length} schemas → ${out.slice(repo.length + 1)} (${Math.round(code.length / 1024)} KB)\n`);
