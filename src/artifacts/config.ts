/**
 * `apimops.yaml`: environments and per-command settings (ARTIFACT-FORMAT.md "Environments"). Found by
 * searching upward from the current folder (or `--config`), schema-checked with positions, then overlaid:
 * flags > `APIMOPS_*` environment variables > file. Variables are derived from the schema, one per scalar
 * setting: `APIMOPS_ARTIFACTS`, `APIMOPS_SERVE_PORT`, `APIMOPS_SERVE_STORE`, `APIMOPS_LINT_FAIL_SEVERITY`,
 * `APIMOPS_EXTRACT_FILTER`, … (lists are comma-separated). `APIMOPS_SUBSCRIPTION_ID`,
 * `APIMOPS_RESOURCE_GROUP`, `APIMOPS_SERVICE_NAME` override the selected environment's target.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DiagnosticsError, UserError, type Diagnostic } from '../shared/errors.js';
import { toLf } from './build.js';
import { folderSource } from './folder-source.js';
import type { FileSource } from './file-source.js';
import { mergeDeep } from './overrides.js';
import { schemaJson, validateWithSchema } from './schemas.js';
import { parseYamlFile, positionOf, type YamlFile } from './yaml-doc.js';

/** One target APIM service. */
export interface EnvironmentConfig {
  subscriptionId?: string;
  resourceGroup?: string;
  serviceName?: string;
  /** The overrides file, relative to the artifact folder (else to apimops.yaml). Default: `configuration.<env>.yaml`. */
  overrides?: string;
  /** ARM endpoint (tests point it at the fake ARM server on 127.0.0.1). */
  endpoint?: string;
  workspace?: string;
  tenantId?: string;
}

/** The whole `apimops.yaml`. */
export interface ApimopsConfig {
  artifacts?: string;
  environments?: Record<string, EnvironmentConfig>;
  extract?: { filter?: string; parallelism?: number; workspace?: string; apiSpecificationFormat?: string };
  publish?: { parallelism?: number; prune?: boolean };
  lint?: {
    rules?: Record<string, 'error' | 'warn' | 'info' | 'off'>;
    failSeverity?: 'error' | 'warn' | 'info';
    format?: string;
    ignore?: string[];
    /** Per gateway: settings rules need (e.g. an external cache configured on a self-hosted gateway). */
    gateways?: Record<string, { externalCache?: boolean }>;
  };
  serve?: {
    environment?: string;
    host?: string;
    port?: number;
    store?: string;
    /** When the shared store is unreachable: `closed` (default) fails requests, `open` lets them through. */
    storeFailure?: 'open' | 'closed';
    identityHosts?: string[];
    backends?: Record<string, string>;
    /** Client certificates for authentication-certificate: name → PEM/PFX file (relative to apimops.yaml). */
    certificates?: Record<string, string>;
    /** PEM files of CA certificates trusted for https backends (relative to apimops.yaml). */
    ca?: string[];
    watch?: boolean;
  };
  test?: { cases?: string; store?: string };
}

/** Deeply optional: what flags contribute. */
export type ConfigFlags = { [K in keyof ApimopsConfig]?: ApimopsConfig[K] extends object ? Partial<ApimopsConfig[K]> : ApimopsConfig[K] };

/** The effective configuration and where it came from. */
export interface LoadedConfig {
  /** The apimops.yaml read, absolute; undefined when there is none. */
  file?: string;
  /** The folder relative paths in the file are resolved against (the file's folder, else the cwd). */
  dir: string;
  /** file < env < flags. */
  config: ApimopsConfig;
  /** The file's own content (before env and flags). */
  fileConfig: ApimopsConfig;
  /** Positions in the file, for errors about its values. */
  yaml?: YamlFile;
}

export const CONFIG_FILE_NAMES = ['apimops.yaml', 'apimops.yml'] as const;

/** The nearest apimops.yaml at or above `cwd`. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Parses and checks an apimops.yaml text; every problem with its position. */
export function parseConfig(file: string, text: string): { config: ApimopsConfig; yaml: YamlFile; diagnostics: Diagnostic[] } {
  const { yaml, diagnostics } = parseYamlFile(file, toLf(text));
  if (diagnostics.length > 0) return { config: {}, yaml, diagnostics };
  const value = yaml.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { config: {}, yaml, diagnostics: [{ file, ...positionOf(yaml, []), severity: 'error', code: 'schema', message: 'apimops.yaml must be a mapping' }] };
  }
  return { config: value as ApimopsConfig, yaml, diagnostics: validateWithSchema('apimops', yaml, value) };
}

/**
 * Loads the effective configuration. `configPath` (the `--config` flag) must exist; otherwise the file is
 * searched upward from `cwd` and may be absent. Throws `DiagnosticsError` (exit 2) for a bad file or variable.
 */
export function loadConfig(opts: { cwd: string; configPath?: string; env?: NodeJS.ProcessEnv; flags?: ConfigFlags }): LoadedConfig {
  const env = opts.env ?? {};
  let file: string | undefined;
  if (opts.configPath) {
    file = resolve(opts.cwd, opts.configPath);
    if (!existsSync(file)) throw new UserError('E_CONFIG', `config file not found: ${opts.configPath}`, { hint: 'check --config, or omit it to search for apimops.yaml upward from the current folder' });
  } else {
    file = findConfigFile(opts.cwd);
  }
  let fileConfig: ApimopsConfig = {};
  let yaml: YamlFile | undefined;
  if (file) {
    const parsed = parseConfig(file, readFileSync(file, 'utf8'));
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new DiagnosticsError('E_CONFIG', `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${file}`, parsed.diagnostics);
    fileConfig = parsed.config;
    yaml = parsed.yaml;
  }
  const fromEnv = configFromEnv(env);
  const config = mergeDeep(mergeDeep(fileConfig, fromEnv), dropUndefined(opts.flags ?? {})) as ApimopsConfig;
  return { ...(file ? { file } : {}), dir: file ? dirname(file) : resolve(opts.cwd), config, fileConfig, ...(yaml ? { yaml } : {}) };
}

function dropUndefined(x: unknown): unknown {
  if (Array.isArray(x)) return x;
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (v === undefined) continue;
      const d = dropUndefined(v);
      if (d && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length === 0) continue;
      out[k] = d;
    }
    return out;
  }
  return x;
}

/** camelCase → CAMEL_CASE. */
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every `APIMOPS_*` variable the configuration understands, with its path and type (from the schema). */
export function configVariables(): { variable: string; path: [string] | [string, string]; type: string }[] {
  const schema = schemaJson('apimops') as { properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }> };
  const out: { variable: string; path: [string] | [string, string]; type: string }[] = [];
  for (const [section, s] of Object.entries(schema.properties)) {
    if (s.type === 'object' && s.properties) {
      for (const [field, f] of Object.entries(s.properties)) {
        if (f.type && f.type !== 'object') out.push({ variable: `APIMOPS_${snake(section)}_${snake(field)}`, path: [section, field], type: f.type });
      }
    } else if (s.type && s.type !== 'object') {
      out.push({ variable: `APIMOPS_${snake(section)}`, path: [section], type: s.type });
    }
  }
  return out;
}

/** The part of the configuration that `APIMOPS_*` variables set. */
export function configFromEnv(env: NodeJS.ProcessEnv): ApimopsConfig {
  const out: Record<string, unknown> = {};
  const problems: Diagnostic[] = [];
  for (const v of configVariables()) {
    const raw = env[v.variable];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (v.type === 'integer' || v.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value) || (v.type === 'integer' && !Number.isInteger(value))) {
        problems.push({ message: `${v.variable}=${raw}: must be ${v.type === 'integer' ? 'an integer' : 'a number'}`, severity: 'error' });
        continue;
      }
    } else if (v.type === 'boolean') {
      if (!/^(true|false|1|0)$/i.test(raw)) {
        problems.push({ message: `${v.variable}=${raw}: must be true or false`, severity: 'error' });
        continue;
      }
      value = /^(true|1)$/i.test(raw);
    } else if (v.type === 'array') {
      value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    }
    if (v.path.length === 1) out[v.path[0]] = value;
    else ((out[v.path[0]] ??= {}) as Record<string, unknown>)[v.path[1]] = value;
  }
  if (problems.length > 0) throw new DiagnosticsError('E_CONFIG', 'bad APIMOPS_* environment variable', problems);
  return out as ApimopsConfig;
}

type TargetField = 'subscriptionId' | 'resourceGroup' | 'serviceName';
const TARGET_VARIABLES: Record<TargetField, string> = {
  subscriptionId: 'APIMOPS_SUBSCRIPTION_ID',
  resourceGroup: 'APIMOPS_RESOURCE_GROUP',
  serviceName: 'APIMOPS_SERVICE_NAME',
};

/**
 * The environment `name` of the configuration, with `APIMOPS_SUBSCRIPTION_ID/RESOURCE_GROUP/SERVICE_NAME`
 * applied; `require` lists fields that must be set. Errors name the field and point into apimops.yaml:
 * `apimops.yaml:4:3: environments.prod.serviceName is required`.
 */
export function getEnvironment(
  loaded: LoadedConfig,
  name: string,
  opts: { require?: readonly TargetField[]; env?: NodeJS.ProcessEnv } = {},
): EnvironmentConfig {
  const envs = loaded.config.environments ?? {};
  const found = Object.prototype.hasOwnProperty.call(envs, name) ? envs[name] : undefined;
  const where = (path: (string | number)[]): Partial<Diagnostic> =>
    loaded.file && loaded.yaml ? { file: loaded.file, ...positionOf(loaded.yaml, path) } : loaded.file ? { file: loaded.file } : {};
  if (!found) {
    const known = Object.keys(envs);
    throw new DiagnosticsError('E_CONFIG', `environment '${name}' is not defined${loaded.file ? ` in ${loaded.file}` : ' (no apimops.yaml found)'}`, [
      { ...where(['environments']), severity: 'error', message: `environments.${name} is not defined${known.length ? ` (defined: ${known.join(', ')})` : ''}` },
    ]);
  }
  const out: EnvironmentConfig = { ...found };
  for (const [field, variable] of Object.entries(TARGET_VARIABLES) as [TargetField, string][]) {
    const v = opts.env?.[variable];
    if (v) out[field] = v;
  }
  const missing = (opts.require ?? []).filter((f) => !out[f]);
  if (missing.length > 0) {
    throw new DiagnosticsError(
      'E_CONFIG',
      `environment '${name}' is incomplete`,
      missing.map((f) => ({ ...where(['environments', name]), severity: 'error' as const, message: `environments.${name}.${f} is required (or set ${TARGET_VARIABLES[f]})` })),
    );
  }
  return out;
}

/** The artifact folder: the argument, else `artifacts` of the configuration (relative to it), else the cwd. */
export function resolveArtifactsFolder(loaded: LoadedConfig, cwd: string, folderArg?: string): string {
  if (folderArg) return resolve(cwd, folderArg);
  const a = loaded.config.artifacts;
  if (a) return isAbsolute(a) ? a : resolve(loaded.fileConfig.artifacts === a ? loaded.dir : cwd, a);
  return resolve(cwd);
}

/**
 * Where an environment's overrides file is: `environments.<env>.overrides` (relative to the artifact folder,
 * else to apimops.yaml), else
 * `configuration.<env>.yaml` in the artifact folder, else beside apimops.yaml. Returns the source to read it
 * through and the path within it; undefined when there is no such file.
 */
export function overridesLocation(loaded: LoadedConfig, envName: string, folder: string): { source: FileSource; path: string; display: string } | undefined {
  const configured = loaded.config.environments?.[envName]?.overrides;
  if (configured) {
    // Relative to the artifact folder (where configuration.<env>.yaml files usually live), else to apimops.yaml.
    const candidates = [resolve(folder, configured), resolve(loaded.dir, configured)];
    const abs = candidates.find((c) => existsSync(c)) ?? candidates[0]!;
    return { source: folderSource(dirname(abs)), path: abs.slice(dirname(abs).length + 1), display: abs };
  }
  for (const dir of [folder, loaded.dir]) {
    for (const ext of ['yaml', 'yml']) {
      const p = join(dir, `configuration.${envName}.${ext}`);
      if (existsSync(p)) return { source: folderSource(dir), path: `configuration.${envName}.${ext}`, display: p };
    }
  }
  return undefined;
}

/**
 * The overrides file of an environment as an absolute path, whether or not it exists in the working tree
 * (at an older commit it may): the configured one, else `configuration.<env>.yaml` in the folder.
 */
export function overridesPathFor(loaded: LoadedConfig, envName: string, folder: string): string {
  return overridesLocation(loaded, envName, folder)?.display ?? join(folder, `configuration.${envName}.yaml`);
}
