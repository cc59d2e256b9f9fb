/**
 * `gateway/`: the local APIM gateway. Build one with `createGateway`, call `dispatch(Request)` (tests) or
 * serve it with `startServer` (server.ts).
 *
 * @example
 * const gw = await createGateway({ state });
 * const res = await gw.dispatch(new Request('http://localhost/payments/payments'));
 * await gw.close();
 */
import type { ApimState } from '../artifacts/model.js';
import { createUndiciClient } from './backend-client.js';
import { createExpressionCompiler } from './expressions.js';
import { Gateway } from './gateway.js';
import { loadGateway, type LoadedConfig } from './load.js';
import { POLICIES } from './policies/index.js';
import type { PolicyModule } from './policies/types.js';
import type { BackendClient, BackendGuard, GatewayLogger, GatewayServices } from './state.js';
import { MemoryStore } from './stores/memory.js';
import { BackendResilience } from './backends-resilience.js';
import type { Store } from './stores/store.js';

export { Gateway, STATUS_PATH, TRACE_PATH_PREFIX, type GatewayRequest, type GatewayResult } from './gateway.js';
export { loadGateway, type LoadedConfig } from './load.js';
export { PolicyError, GatewayLoadError, type LastError } from './errors.js';
export { POLICIES } from './policies/index.js';

export interface CreateGatewayOptions {
  state: ApimState;
  /** `--backend name=url`: a backend entity's (or an API's) URL. */
  backendUrls?: ReadonlyMap<string, string>;
  store?: Store;
  clock?: () => number;
  logger?: GatewayLogger;
  backendClient?: BackendClient;
  backendGuard?: BackendGuard;
  sleep?: (ms: number) => Promise<void>;
  uuid?: () => string;
  /** Extra or replacement policies (tests, plug-ins). */
  policies?: readonly PolicyModule[];
  extensions?: Map<string, unknown>;
  maxBufferedBody?: number;
  /** Client certificates by name for authentication-certificate (see `readClientCertificate`). */
  certificates?: ReadonlyMap<string, import('./state.js').ClientCertificate>;
}

/** A logger that drops everything (the default in-process). */
export const silentLogger: GatewayLogger = { access() {}, event() {} };

/** Loads `state` and returns a ready gateway; throws `GatewayLoadError` with every positioned problem. */
/** A gateway made by `createGateway`: `reload` swaps in a new state (last-known-good on failure), `close` releases it. */
export type LocalGateway = Gateway & {
  /** Loads `state` and swaps it in; throws `GatewayLoadError` and keeps the current configuration on failure. */
  reload(state: ApimState, backendUrls?: ReadonlyMap<string, string>): void;
  close(): Promise<void>;
};

export async function createGateway(options: CreateGatewayOptions): Promise<LocalGateway> {
  const registry = new Map(POLICIES);
  for (const p of options.policies ?? []) registry.set(p.name, p);
  const compiler = createExpressionCompiler();
  const config: LoadedConfig = loadGateway(options.state, { registry, compiler, backendUrls: options.backendUrls, certificates: options.certificates });
  const clock = options.clock ?? (() => Date.now());
  const store = options.store ?? new MemoryStore({ clock });
  const backendClient = options.backendClient ?? createUndiciClient();
  let current = config;
  const services: GatewayServices = {
    store,
    clock,
    logger: options.logger ?? silentLogger,
    backendClient,
    backendGuard: options.backendGuard ?? new BackendResilience(() => current.backends),
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    uuid: options.uuid ?? (() => crypto.randomUUID()),
    extensions: options.extensions ?? new Map(),
  };
  const gw = new Gateway({ config, services, maxBufferedBody: options.maxBufferedBody }) as LocalGateway;
  gw.reload = (state, backendUrls) => {
    // A fresh compiler: named values or policies may have changed, so nothing compiled before is reused.
    const next = loadGateway(state, { registry, compiler: createExpressionCompiler(), backendUrls: backendUrls ?? options.backendUrls, certificates: options.certificates });
    current = next;
    gw.setConfig(next);
  };
  gw.close = async () => {
    await backendClient.close();
    if (!options.store) await store.close();
  };
  return gw;
}
