/**
 * The one way commands load a folder: configuration → folder → state → the environment's overrides.
 * `serve`, `lint`, `test`, `render` and `publish` call `loadEffectiveState` so they all see the same state.
 */
import { existsSync } from 'node:fs';
import { DiagnosticsError, UserError, type Diagnostic } from '../shared/errors.js';
import { loadConfig, overridesLocation, resolveArtifactsFolder, type ConfigFlags, type LoadedConfig } from './config.js';
import type { FileSource } from './file-source.js';
import { folderSource } from './folder-source.js';
import type { ApimState } from './model.js';
import { applyOverrides, readOverrides } from './overrides.js';
import { loadArtifacts, type ReadOptions } from './reader.js';
import { checkReferences } from './references.js';

/** What a command gets: the effective state and everything it came from. */
export interface EffectiveState {
  /** After the environment's overrides (the folder's state when no environment was asked for). */
  state: ApimState;
  /** The folder's state before overrides. */
  baseState: ApimState;
  /** Warnings (errors throw): unknown files, overrides naming nothing, … */
  diagnostics: Diagnostic[];
  /** Absolute path of the artifact folder. */
  folder: string;
  config: LoadedConfig;
  /** The overrides file applied, if any (absolute). */
  overridesFile?: string;
  layout: 'apimops' | 'apiops';
}

export interface EffectiveStateOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--config`. */
  configPath?: string;
  /** Flags that take precedence over the file and variables. */
  flags?: ConfigFlags;
  /** The folder argument; default `artifacts` of apimops.yaml, else the cwd. */
  folder?: string;
  /**
   * The environment whose overrides apply. `local` uses `configuration.local.yaml` when present; any other
   * name must be in apimops.yaml or have a `configuration.<env>.yaml`.
   */
  environment?: string;
  /** Read the folder through this source instead of the disk (a git tree). */
  source?: FileSource;
  read?: ReadOptions;
}

/** Loads the effective state; throws a `UserError` (exit 2) with every problem when the input is bad. */
export async function loadEffectiveState(opts: EffectiveStateOptions): Promise<EffectiveState> {
  const config = loadConfig({ cwd: opts.cwd, configPath: opts.configPath, env: opts.env, flags: opts.flags });
  const folder = resolveArtifactsFolder(config, opts.cwd, opts.folder);
  if (!opts.source && !existsSync(folder)) {
    throw new UserError('E_IO', `artifact folder not found: ${folder}`, { hint: 'pass the folder as an argument, or set `artifacts:` in apimops.yaml' });
  }
  const source = opts.source ?? folderSource(folder);
  const read = await loadArtifacts(source, opts.read);
  const diagnostics = [...read.diagnostics];
  let state = read.state;
  let overridesFile: string | undefined;
  const envName = opts.environment;
  if (envName) {
    const where = overridesLocation(config, envName, folder);
    const declared = config.config.environments?.[envName];
    if (!where && envName !== 'local' && !declared) {
      throw new UserError('E_CONFIG', `unknown environment '${envName}': no environments.${envName} in apimops.yaml and no configuration.${envName}.yaml`, {
        hint: `create configuration.${envName}.yaml in ${folder}, or declare the environment in apimops.yaml`,
      });
    }
    if (where) {
      const { overrides, diagnostics: od } = await readOverrides(where.source, where.path);
      if (!overrides && declared?.overrides) {
        throw new UserError('E_CONFIG', `overrides file of environment '${envName}' not found: ${where.display}`);
      }
      const withFile = od.map((d) => ({ ...d, file: where.display }));
      const errors = withFile.filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new DiagnosticsError('E_CONFIG', `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${where.display}`, withFile);
      if (overrides) {
        overrides.file = where.display;
        state = applyOverrides(state, overrides, diagnostics);
        overridesFile = where.display;
        // An override can itself dangle (a loggerId, a policy's {{name}}): what the folder alone did not have.
        const before = new Set(checkReferences(read.state, () => ({})).map((d) => d.message));
        const introduced = checkReferences(state, () => ({})).filter((d) => !before.has(d.message));
        if (introduced.length > 0) {
          throw new DiagnosticsError(
            'E_CONFIG',
            `${introduced.length} dangling reference${introduced.length === 1 ? '' : 's'} after applying ${where.display}`,
            introduced.map((d) => ({ ...d, file: where.display, line: undefined, column: undefined })),
          );
        }
      }
    }
  }
  return { state, baseState: read.state, diagnostics, folder, config, layout: read.layout, ...(overridesFile ? { overridesFile } : {}) };
}
