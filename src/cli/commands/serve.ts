import { resolve } from 'node:path';
import type { CommandModule } from '../command.js';
import { outputOption } from '../main.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../../shared/exit-codes.js';
import { isRelaunched, startedWithV8Flag, stopWhenParentExits } from '../relaunch.js';
import { formatDiagnostic, isUserError, UserError, type Diagnostic } from '../../shared/errors.js';
import { loadEffectiveState } from '../../artifacts/effective.js';
import { loadConfig } from '../../artifacts/config.js';
import type { LocalGateway } from '../../gateway/index.js';
import type { AccessLine } from '../../gateway/server.js';
import type { ClientCertificate, GatewayLogger } from '../../gateway/state.js';
import { readFileSync } from 'node:fs';

interface ServeFlags {
  env?: string;
  host?: string;
  port?: string;
  store?: string;
  watch?: boolean;
  backend: string[];
  certificate: string[];
  ca: string[];
  output: 'text' | 'json';
  maxBodyBytes?: string;
  maxHeaderBytes?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const SEMI_SPACE_FLAG = '--max-semi-space-size';
/**
 * V8 flags the gateway runs with (the CLI relaunches `serve` in a child node with them unless the process was
 * started with its own `--max-semi-space-size`, or APIMOPS_SERVE_RELAUNCH=0). Each request in flight holds
 * ~25 KB across its backend call; with V8's default 16 MB semi-spaces a scavenge runs every few dozen
 * milliseconds under load and copies every request in flight, then promotes it to the old generation. 32 MB
 * semi-spaces halve that. Measured in paired runs against the default (npm run bench -- gateway, and 2 s
 * alternating wrk runs at 50 connections): 0.81–0.85× the CPU per request and 1.1–1.2× the requests per second
 * (a bare undici proxy, which allocates far less per request, gains ~4% CPU from the same flag).
 */
const SERVE_V8_FLAGS: readonly string[] = [`${SEMI_SPACE_FLAG}=32`];

/**
 * `apimops serve`: the artifact folder as a local APIM gateway (CLI.md, POLICY-ENGINE.md). Prints
 * `apimops serve: listening on http://host:port` on stderr once bound (tests and scripts read it), one
 * access-log line per request, and stops gracefully on SIGTERM/SIGINT (in-flight requests finish, exit 0).
 */
export const command: CommandModule = {
  examples: `Example:
  apimops serve artifacts-sample --port 8080
  apimops serve artifacts-sample --port 0 --backend payments-backend=http://127.0.0.1:9091/api --watch`,
  define(cmd, io, setExit) {
    cmd
      .usage('[<folder>] [--env <name>] [--host 127.0.0.1] [--port 8080] [--store memory|redis://host:port] [--watch] [--backend <name>=<url>]... [--certificate <name>=<path>]... [--ca <pem-file>]...')
      .argument('[folder]', 'the artifact folder (default: artifacts of apimops.yaml, else .)')
      .option('--env <name>', 'environment whose overrides apply (configuration.<env>.yaml; default serve.environment of apimops.yaml, else local)')
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--port <port>', 'port to listen on; 0 picks a free one (default 8080)')
      .option('--store <url>', 'memory (default) or redis://host:port for shared counters and cache')
      .option('--watch', 'reload when the folder changes; a broken change keeps the last good configuration')
      .option('--backend <name=url>', 'point a backend (or an API\'s service URL) at a local service; repeatable', collect, [])
      .option('--ca <path>', 'a PEM file of CA certificates trusted for https backends, on top of node\'s root store (a private CA of on-premises backends); repeatable', collect, [])
      .option('--certificate <name=path>', 'a client certificate for authentication-certificate (PEM with its key, or PFX; password in APIMOPS_CERTIFICATE_PASSWORD_<NAME>); repeatable', collect, [])
      .option('--max-body-bytes <n>', 'largest request body (413 above it)', undefined)
      .option('--max-header-bytes <n>', 'largest request header section (431 above it)', undefined)
      .addOption(outputOption())
      .action(async (folder: string | undefined, flags: ServeFlags) => {
        if (io.relaunch && !isRelaunched(io.env) && !startedWithV8Flag(SEMI_SPACE_FLAG, io.env) && io.env.APIMOPS_SERVE_RELAUNCH !== '0') {
          const code = await io.relaunch(SERVE_V8_FLAGS);
          setExit(code === EXIT_OK || code === EXIT_FINDINGS ? code : EXIT_ERROR);
          return;
        }
        stopWhenParentExits();
        const globals = cmd.parent?.opts() as { config?: string } | undefined;
        await serve(io, folder, flags, globals?.config);
        setExit(EXIT_OK);
      });
  },
};

function parseBackends(values: readonly string[], fromConfig: Record<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>(Object.entries(fromConfig ?? {}));
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UserError('E_USAGE', `--backend: "${v}" is not <name>=<url>`);
    const url = v.slice(eq + 1);
    try {
      new URL(url);
    } catch {
      throw new UserError('E_USAGE', `--backend: "${url}" is not an absolute URL`);
    }
    out.set(v.slice(0, eq), url);
  }
  return out;
}

/**
 * Client certificates for `authentication-certificate`: `serve.certificates` of apimops.yaml (paths relative to
 * it) overlaid by `--certificate name=path` (relative to the current folder). The password of `name` comes
 * from `APIMOPS_CERTIFICATE_PASSWORD_<NAME>` (upper case, other characters as `_`) — never from a file in the repo.
 */
function loadCertificates(
  values: readonly string[],
  fromConfig: Record<string, string> | undefined,
  configDir: string,
  io: CliIO,
  readClientCertificate: (name: string, data: Buffer, password: string | undefined) => ClientCertificate,
): Map<string, ClientCertificate> {
  const paths = new Map<string, string>(Object.entries(fromConfig ?? {}).map(([n, p]) => [n, resolve(configDir, p)]));
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UserError('E_USAGE', `--certificate: "${v}" is not <name>=<path>`);
    paths.set(v.slice(0, eq), resolve(io.cwd, v.slice(eq + 1)));
  }
  const out = new Map<string, ClientCertificate>();
  for (const [name, path] of paths) {
    const password = io.env[`APIMOPS_CERTIFICATE_PASSWORD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    try {
      out.set(name, readClientCertificate(name, readFileSync(path), password));
    } catch (e) {
      throw new UserError('E_USAGE', `--certificate ${name}: ${path}: ${(e as Error).message}`, { hint: 'a PEM file with the certificate and its private key, or a PFX; its password in APIMOPS_CERTIFICATE_PASSWORD_' + name.toUpperCase().replace(/[^A-Z0-9]/g, '_') });
    }
  }
  return out;
}

/**
 * CA certificates (PEM) trusted for https backends besides node's root store: `serve.ca` of apimops.yaml
 * (paths relative to it) and `--ca path` (relative to the current folder).
 */
function loadCa(values: readonly string[], fromConfig: readonly string[] | undefined, configDir: string, io: CliIO): string[] {
  const paths = [...(fromConfig ?? []).map((p) => resolve(configDir, p)), ...values.map((v) => resolve(io.cwd, v))];
  return paths.map((path) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UserError('E_USAGE', `--ca: ${path}: ${(e as Error).message}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UserError('E_USAGE', `--ca: ${path}: no PEM certificate in the file`, { hint: 'a PEM file with one or more "-----BEGIN CERTIFICATE-----" blocks' });
    return text;
  });
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError('E_USAGE', `--${name}: "${v}" is not a whole number`);
  return n;
}

async function serve(io: CliIO, folderArg: string | undefined, flags: ServeFlags, configPath: string | undefined): Promise<void> {
  // The gateway (undici, ioredis, jose, the expression runtime) is loaded by `serve` alone: every other command,
  // a pre-commit `lint` above all, starts without it.
  const [
    { createGateway },
    { createUndiciClient },
    { startServer },
    { watchFolder },
    { createStore },
    { BackendResilience },
    { findProjectRoot, IDENTITY_PROVIDER_EXTENSION, LocalIdentityProvider },
    { SELF_HOSTED_APIS_EXTENSION, selfHostedApis, STORE_FAILURE_EXTENSION },
    { readClientCertificate },
    { pendingOneWayRequests },
  ] = await Promise.all([
    import('../../gateway/index.js'),
    import('../../gateway/backend-client.js'),
    import('../../gateway/server.js'),
    import('../../gateway/watch.js'),
    import('../../gateway/stores/factory.js'),
    import('../../gateway/backends-resilience.js'),
    import('../../gateway/identity-provider.js'),
    import('../../gateway/limits.js'),
    import('../../gateway/policies/authentication-certificate.js'),
    import('../../gateway/policies/send-one-way-request.js'),
  ]);
  const envName = flags.env ?? loadConfig({ cwd: io.cwd, configPath, env: io.env }).config.serve?.environment ?? 'local';
  const load = async () =>
    loadEffectiveState({ cwd: io.cwd, env: io.env, configPath, folder: folderArg, environment: envName });
  const first = await load();
  const serveConfig = first.config.config.serve ?? {};
  printWarnings(io, first.diagnostics);
  const backendUrls = parseBackends(flags.backend, serveConfig.backends);
  const certificates = loadCertificates(flags.certificate, serveConfig.certificates, first.config.dir, io, readClientCertificate);
  const ca = loadCa(flags.ca, serveConfig.ca, first.config.dir, io);
  const port = intFlag(flags.port, 'port') ?? serveConfig.port ?? 8080;
  const host = flags.host ?? serveConfig.host ?? '127.0.0.1';
  const storeUrl = flags.store ?? serveConfig.store;
  const json = flags.output === 'json';

  const store = await createStore(storeUrl, { namespace: first.folder, log: (l) => io.stderr(`apimops serve: ${l}\n`) });
  const extensions = new Map<string, unknown>();
  const root = findProjectRoot(first.folder);
  extensions.set(IDENTITY_PROVIDER_EXTENSION, await LocalIdentityProvider.load(root, { identityHosts: serveConfig.identityHosts }));
  extensions.set(STORE_FAILURE_EXTENSION, (serveConfig as { storeFailure?: string }).storeFailure === 'open' ? 'open' : 'closed');
  extensions.set(SELF_HOSTED_APIS_EXTENSION, selfHostedApis(first.state));

  const logger: GatewayLogger = {
    access() {},
    event(kind, data) {
      io.stderr(json ? `${JSON.stringify({ kind, ...data })}\n` : `[${kind}] ${Object.entries(data).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}\n`);
    },
  };
  let gateway: LocalGateway;
  try {
    // Circuit breakers and pools of backends/*.yaml; reads the current backends, so --watch reloads apply.
    const backendGuard = new BackendResilience(() => gateway.currentConfig.backends);
    gateway = await createGateway({ state: first.state, backendUrls, store, logger, extensions, backendGuard, certificates, ...(ca.length ? { backendClient: createUndiciClient({ ca }) } : {}) });
  } catch (e) {
    await store.close();
    throw e;
  }
  printWarnings(io, gateway.currentConfig.warnings);
  // Access lines are batched: one write every ACCESS_FLUSH_MS (or every ACCESS_FLUSH_LINES lines) rather than
  // one per request or per event-loop turn — stderr to a file or a terminal is a synchronous write, and under
  // load a write per turn was a visible share of the gateway's CPU. The delay is below what a person notices.
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flushAccess = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    io.stderr(text);
  };
  const onAccess = (l: AccessLine): void => {
    pending.push(json ? `${JSON.stringify(l)}\n` : `${l.time} ${l.method} ${l.path} ${l.api ?? '-'} ${l.operation ?? '-'} ${l.status} ${l.ms}ms\n`);
    if (pending.length >= ACCESS_FLUSH_LINES) flushAccess();
    else if (!timer) {
      timer = setTimeout(flushAccess, ACCESS_FLUSH_MS);
      timer.unref();
    }
  };
  const server = await startServer(gateway, {
    host,
    port,
    onAccess,
    maxBodyBytes: intFlag(flags.maxBodyBytes, 'max-body-bytes'),
    maxHeaderBytes: intFlag(flags.maxHeaderBytes, 'max-header-bytes'),
  });
  const apis = gateway.currentConfig.apis.length;
  io.stderr(`apimops serve: listening on ${server.url} (${apis} API${apis === 1 ? '' : 's'} from ${first.folder}, env ${envName}, store ${store.kind})\n`);

  const watcher = flags.watch ?? serveConfig.watch
    ? watchFolder(resolve(first.folder), async () => {
        try {
          const next = await load();
          gateway.reload(next.state, backendUrls);
          io.stderr(`apimops serve: reloaded ${first.folder}\n`);
        } catch (e) {
          io.stderr(`apimops serve: the change does not load; still serving the last good configuration\n`);
          reportLoadError(io, e);
        }
      })
    : undefined;

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      io.stderr(`apimops serve: ${signal}: finishing in-flight requests\n`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      done();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  watcher?.close();
  await server.close();
  // send-one-way-request calls still in flight finish too (each is bounded by its own timeout).
  await pendingOneWayRequests(extensions);
  flushAccess();
  await gateway.close();
  await store.close();
  io.stderr('apimops serve: stopped\n');
}

/** Access lines wait at most this long before they are written. */
const ACCESS_FLUSH_MS = 50;
/** …or until this many have accumulated. */
const ACCESS_FLUSH_LINES = 512;

function printWarnings(io: CliIO, ds: readonly Diagnostic[]): void {
  for (const d of ds) if (d.severity === 'warn') io.stderr(`${formatDiagnostic(d)} (warning)\n`);
}

function reportLoadError(io: CliIO, e: unknown): void {
  if (isUserError(e)) {
    for (const d of e.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`apimops serve: ${e.message}\n`);
  } else io.stderr(`apimops serve: ${(e as Error)?.message ?? String(e)}\n`);
}
