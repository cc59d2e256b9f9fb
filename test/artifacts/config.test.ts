import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configVariables, findConfigFile, getEnvironment, loadConfig, resolveArtifactsFolder } from '../../src/artifacts/config.js';
import { DiagnosticsError, formatDiagnostic, UserError } from '../../src/shared/errors.js';
import { tempDir, writeTree } from './helpers.js';

const CONFIG = `artifacts: apim
environments:
  dev:
    subscriptionId: 00000000-0000-0000-0000-000000000001
    resourceGroup: rg-dev
    serviceName: apim-dev
  prod:
    subscriptionId: 00000000-0000-0000-0000-000000000002
    resourceGroup: rg-prod
serve:
  port: 8080
  store: memory
lint:
  rules:
    missing-base: error
`;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function project(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir('apimops-config-');
  cleanups.push(cleanup);
  writeTree(dir, files);
  return dir;
}

describe('apimops.yaml', () => {
  it('is found upward from the current folder', () => {
    const dir = project({ 'apimops.yaml': CONFIG });
    const deep = join(dir, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(findConfigFile(deep)).toBe(join(dir, 'apimops.yaml'));
    const loaded = loadConfig({ cwd: deep });
    expect(loaded.file).toBe(join(dir, 'apimops.yaml'));
    expect(resolveArtifactsFolder(loaded, deep)).toBe(join(dir, 'apim')); // relative to the file, not the cwd
    expect(resolveArtifactsFolder(loaded, deep, 'other')).toBe(join(deep, 'other'));
  });

  it('flags > APIMOPS_* variables > file', () => {
    const dir = project({ 'apimops.yaml': CONFIG });
    expect(loadConfig({ cwd: dir }).config.serve).toEqual({ port: 8080, store: 'memory' });
    const env = { APIMOPS_SERVE_PORT: '9000', APIMOPS_SERVE_STORE: 'redis://127.0.0.1:6390', APIMOPS_SERVE_IDENTITY_HOSTS: 'a.example, b.example' };
    expect(loadConfig({ cwd: dir, env }).config.serve).toEqual({ port: 9000, store: 'redis://127.0.0.1:6390', identityHosts: ['a.example', 'b.example'] });
    const flagged = loadConfig({ cwd: dir, env, flags: { serve: { port: 7000, host: undefined } } });
    expect(flagged.config.serve).toMatchObject({ port: 7000, store: 'redis://127.0.0.1:6390' });
    expect(flagged.fileConfig.serve?.port).toBe(8080);
    expect(loadConfig({ cwd: dir, env: { APIMOPS_ARTIFACTS: 'elsewhere' } }).config.artifacts).toBe('elsewhere');
    expect(configVariables().map((v) => v.variable)).toEqual(expect.arrayContaining(['APIMOPS_ARTIFACTS', 'APIMOPS_SERVE_PORT', 'APIMOPS_EXTRACT_FILTER', 'APIMOPS_LINT_FAIL_SEVERITY']));
  });

  it('reports a bad variable by name', () => {
    const dir = project({ 'apimops.yaml': CONFIG });
    const err = (() => {
      try {
        loadConfig({ cwd: dir, env: { APIMOPS_SERVE_PORT: 'eighty', APIMOPS_PUBLISH_PRUNE: 'maybe' } });
      } catch (e) {
        return e;
      }
    })() as DiagnosticsError;
    expect(err).toBeInstanceOf(DiagnosticsError);
    expect(err.diagnostics.map(formatDiagnostic)).toEqual(['APIMOPS_PUBLISH_PRUNE=maybe: must be true or false', 'APIMOPS_SERVE_PORT=eighty: must be an integer']);
  });

  it('schema-checks the file with positions', () => {
    const dir = project({ 'apimops.yaml': 'artifacts: 3\nserve:\n  prot: 8080\nenvironments:\n  dev:\n    serviceNme: x\n' });
    const err = (() => {
      try {
        loadConfig({ cwd: dir });
      } catch (e) {
        return e;
      }
    })() as DiagnosticsError;
    expect(err.code).toBe('E_CONFIG');
    expect(err.diagnostics.map((d) => formatDiagnostic({ ...d, file: 'apimops.yaml' }))).toEqual([
      "apimops.yaml:1:12: 'artifacts' must be string",
      "apimops.yaml:6:5: unknown property 'environments.dev.serviceNme' (did you mean 'serviceName'?)",
      "apimops.yaml:3:3: unknown property 'serve.prot' (did you mean 'port'?)",
    ]);
  });

  it('looks up an environment with named-field errors', () => {
    const dir = project({ 'apimops.yaml': CONFIG });
    const loaded = loadConfig({ cwd: dir });
    expect(getEnvironment(loaded, 'dev', { require: ['subscriptionId', 'resourceGroup', 'serviceName'] }).serviceName).toBe('apim-dev');
    const missing = (() => {
      try {
        getEnvironment(loaded, 'prod', { require: ['serviceName'] });
      } catch (e) {
        return e as DiagnosticsError;
      }
    })()!;
    expect(missing.diagnostics.map((d) => formatDiagnostic({ ...d, file: 'apimops.yaml' }))).toEqual([
      'apimops.yaml:8:5: environments.prod.serviceName is required (or set APIMOPS_SERVICE_NAME)',
    ]);
    expect(getEnvironment(loaded, 'prod', { require: ['serviceName'], env: { APIMOPS_SERVICE_NAME: 'apim-prod' } }).serviceName).toBe('apim-prod');
    expect(() => getEnvironment(loaded, 'qa')).toThrow(/environment 'qa' is not defined/);
  });

  it("the repository's apimops.yaml and the sample's extractor filter are valid", async () => {
    const { readFileSync } = await import('node:fs');
    const { parseYamlFile } = await import('../../src/artifacts/yaml-doc.js');
    const { validateWithSchema } = await import('../../src/artifacts/schemas.js');
    const { parseConfig } = await import('../../src/artifacts/config.js');
    const repoConfig = new URL('../../apimops.yaml', import.meta.url);
    expect(parseConfig('apimops.yaml', readFileSync(repoConfig, 'utf8')).diagnostics).toEqual([]);
    const text = readFileSync(new URL('../../artifacts-sample/configuration.extractor.yaml', import.meta.url), 'utf8');
    const { yaml } = parseYamlFile('configuration.extractor.yaml', text);
    expect(validateWithSchema('configuration.extractor', yaml, yaml.value)).toEqual([]);
    const bad = parseYamlFile('x.yaml', 'apiNames:\n  - a\napis: all\n').yaml;
    expect(validateWithSchema('configuration.extractor', bad, bad.value).map(formatDiagnostic)).toEqual([
      "x.yaml:1:1: unknown property 'apiNames' (did you mean 'apis'?)",
      "x.yaml:3:7: 'apis' must be a list",
    ]);
  });

  it('--config must exist; no file at all is fine', () => {
    const dir = project({});
    expect(() => loadConfig({ cwd: dir, configPath: 'nope.yaml' })).toThrow(UserError);
    expect(loadConfig({ cwd: dir }).file === undefined || !loadConfig({ cwd: dir }).file!.startsWith(dir)).toBe(true);
  });
});
