/**
 * Resolving `--env <name>` for diff and publish: the ARM target of the environment (apimops.yaml, with
 * `APIMOPS_*` variables and `--endpoint` on top), the overrides file, and the live state of the service.
 */
import { createArmClient, type ArmClient } from '../arm/client.js';
import { dumpState } from '../arm/dump.js';
import { getEnvironment, type LoadedConfig } from '../artifacts/config.js';
import type { ApimState } from '../artifacts/model.js';

/** The ARM client for an environment; `E_CONFIG` naming the missing field when the target is incomplete. */
export function armForEnvironment(loaded: LoadedConfig, envName: string, env: NodeJS.ProcessEnv, endpoint?: string): ArmClient {
  const e = getEnvironment(loaded, envName, { require: ['subscriptionId', 'resourceGroup', 'serviceName'], env });
  const ep = endpoint ?? e.endpoint;
  return createArmClient(
    { subscriptionId: e.subscriptionId!, resourceGroup: e.resourceGroup!, serviceName: e.serviceName!, ...(ep ? { endpoint: ep } : {}) },
    env,
  );
}

/** Reads the live service into a state; a service that cannot be read completely is an error (exit 2). */
export async function loadLiveState(arm: ArmClient, opts: { parallelism?: number } = {}): Promise<ApimState> {
  return dumpState(arm, { parallelism: opts.parallelism ?? 8 });
}
