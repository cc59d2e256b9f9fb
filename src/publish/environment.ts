/**
 * Resolving `--env <name>` for diff and publish: the ARM target of the environment (apimops.yaml, with
 * `APIMOPS_*` variables and `--endpoint` on top), the overrides file, and the live state of the service.
 */
import { join } from 'node:path';
import { createArmClient, type ArmClient } from '../arm/client.js';
import { getEnvironment, overridesLocation, type LoadedConfig } from '../artifacts/config.js';
import type { ApimState } from '../artifacts/model.js';
import { UserError } from '../shared/errors.js';

/** The ARM client for an environment; `E_CONFIG` naming the missing field when the target is incomplete. */
export function armForEnvironment(loaded: LoadedConfig, envName: string, env: NodeJS.ProcessEnv, endpoint?: string): ArmClient {
  const e = getEnvironment(loaded, envName, { require: ['subscriptionId', 'resourceGroup', 'serviceName'], env });
  const ep = endpoint ?? e.endpoint;
  return createArmClient(
    { subscriptionId: e.subscriptionId!, resourceGroup: e.resourceGroup!, serviceName: e.serviceName!, ...(ep ? { endpoint: ep } : {}) },
    env,
  );
}

/**
 * The overrides file of an environment as an absolute path, whether or not it exists in the working tree
 * (at an older commit it may): the configured one, else `configuration.<env>.yaml` in the folder.
 */
export function overridesPathFor(loaded: LoadedConfig, envName: string, folder: string): string {
  return overridesLocation(loaded, envName, folder)?.display ?? join(folder, `configuration.${envName}.yaml`);
}

/** Reads the live service into a state (`src/arm/dump.ts`, built by the extract side). */
export async function loadLiveState(arm: ArmClient, opts: { parallelism?: number } = {}): Promise<ApimState> {
  // Resolved at run time so this file compiles while dump.ts is being built in parallel.
  const spec = '../arm/dump.js';
  const mod = (await import(spec)) as Record<string, unknown>;
  const dump = (mod.dumpService ?? mod.dumpState ?? mod.dump) as
    | ((arm: ArmClient, opts?: Record<string, unknown>) => Promise<ApimState | { state: ApimState }>)
    | undefined;
  if (!dump) throw new UserError('E_NOT_IMPLEMENTED', 'reading the live service is not available in this build');
  const out = await dump(arm, { parallelism: opts.parallelism ?? 8 });
  return 'state' in out && !(out instanceof Map) && (out as { state?: ApimState }).state ? (out as { state: ApimState }).state : (out as ApimState);
}
