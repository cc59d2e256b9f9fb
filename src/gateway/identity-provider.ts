/**
 * The local identity provider (CLI.md): `apimops token` mints RS256 tokens with a per-project key kept in
 * `.apimops/identity/signing-key.json` (git-ignored), and `serve` answers the `openid-config` URLs of
 * `login.microsoftonline.com` / `sts.windows.net` / `login.windows.net` (and of any host in
 * `serve.identityHosts`) with its own discovery document and JWKS. So a `validate-jwt` policy written for
 * Entra ID runs unchanged on a laptop, and no request ever leaves the machine for those hosts.
 */
import { exportJWK, importJWK, SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fetchJsonOverHttp, type JsonFetcher } from './jwt.js';

/** Hosts the local identity provider answers for by default. */
export const DEFAULT_IDENTITY_HOSTS: readonly string[] = ['login.microsoftonline.com', 'sts.windows.net', 'login.windows.net'];

/** The claims of a token to mint (`apimops token` flags). */
export interface MintOptions {
  sub?: string;
  aud?: string;
  iss?: string;
  /** Extra claims; a name given twice becomes an array. */
  claims?: readonly (readonly [string, string])[];
  roles?: readonly string[];
  /** Lifetime in seconds (default 3600). */
  expiresIn?: number;
  /** Epoch ms (default: now). */
  now?: number;
}

/** Where a project keeps its local identity key. */
export function identityKeyPath(projectRoot: string): string {
  return join(projectRoot, '.apimops', 'identity', 'signing-key.json');
}

/**
 * The project root for `.apimops/`: the nearest folder upward with `apimops.yaml`, else with `.git`, else
 * `start` itself. `token` and `serve` both use it, so they share one key.
 */
export function findProjectRoot(start: string): string {
  for (const marker of ['apimops.yaml', '.git']) {
    let dir = start;
    for (;;) {
      if (existsSync(join(dir, marker))) return dir;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return start;
}

/**
 * A per-project RSA key with discovery and JWKS answers.
 *
 * @example
 * const idp = await LocalIdentityProvider.load(findProjectRoot(process.cwd()));
 * const token = await idp.mint({ aud: 'api://payments', roles: ['Payments.Write'] });
 */
export class LocalIdentityProvider {
  private constructor(
    private readonly privateJwk: JWK,
    private readonly publicJwk: JWK,
    private readonly hosts: ReadonlySet<string>,
    private readonly fallback: JsonFetcher,
  ) {}

  /** Loads the project's key, creating it (once, even with several processes racing) when missing. */
  static async load(
    projectRoot: string,
    options: { identityHosts?: readonly string[]; fallbackFetch?: JsonFetcher } = {},
  ): Promise<LocalIdentityProvider> {
    const path = identityKeyPath(projectRoot);
    if (!existsSync(path)) await createKeyFile(path);
    let stored: JWK;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as JWK;
    } catch (err) {
      throw new Error(`${path}: not a JSON Web Key (${(err as Error).message}); delete it to create a new one`);
    }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = stored;
    const hosts = new Set([...DEFAULT_IDENTITY_HOSTS, ...(options.identityHosts ?? [])].map((h) => h.toLowerCase()));
    return new LocalIdentityProvider(stored, { ...pub, use: 'sig', alg: 'RS256' }, hosts, options.fallbackFetch ?? fetchJsonOverHttp);
  }

  /** The key id (`kid`) tokens carry. */
  get keyId(): string {
    return this.publicJwk.kid ?? '';
  }

  /** The JWKS document. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** True when `url` is on a host this provider answers for. */
  handles(url: string): boolean {
    try {
      return this.hosts.has(new URL(url).hostname.toLowerCase());
    } catch {
      return false;
    }
  }

  /**
   * Fetches JSON the way `validate-jwt` needs it: identity hosts are answered here (discovery documents and
   * JWKS), every other URL goes over HTTP.
   */
  readonly fetchJson: JsonFetcher = async (url) => {
    if (!this.handles(url)) return this.fallback(url);
    const answer = this.answer(url);
    if (answer === undefined) throw new Error(`the local identity provider has no document at ${url}`);
    return answer;
  };

  /** The discovery document or JWKS for a URL on an identity host; undefined for any other path. */
  answer(url: string): unknown {
    const u = new URL(url);
    const path = u.pathname.replace(/\/+$/, '');
    if (/\/(keys|jwks(\.json)?)$/.test(path)) return this.jwks();
    const m = /^(.*)\/\.well-known\/openid-configuration$/.exec(path);
    if (!m) return undefined;
    const base = `${u.protocol}//${u.host}${m[1]}`;
    const issuer = issuerForDiscovery(u.host, m[1] ?? '');
    return {
      issuer,
      jwks_uri: `${base}/discovery/keys`,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'token'],
      subject_types_supported: ['pairwise'],
    };
  }

  /** Mints an RS256 token. */
  async mint(options: MintOptions = {}): Promise<string> {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const claims: Record<string, unknown> = {};
    for (const [name, value] of options.claims ?? []) {
      const prev = claims[name];
      claims[name] = prev === undefined ? value : Array.isArray(prev) ? [...(prev as unknown[]), value] : [prev, value];
    }
    if (options.roles?.length) claims.roles = [...options.roles];
    const iss = options.iss ?? 'https://login.microsoftonline.com/apimops-local/v2.0';
    const tid = /\/\/[^/]+\/([^/]+)/.exec(iss)?.[1];
    const key = await importJWK(this.privateJwk, 'RS256');
    return await new SignJWT({ ver: '2.0', ...(tid ? { tid } : {}), azp: 'apimops', ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keyId })
      .setIssuer(iss)
      .setSubject(options.sub ?? 'apimops-local-user')
      .setAudience(options.aud ?? 'api://apimops-local')
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .setJti(randomUUID())
      .sign(key);
  }
}

/**
 * The issuer Entra ID puts in a discovery document: `…/{tenant}/v2.0` for v2.0 endpoints, and
 * `https://sts.windows.net/{tenant}/` for v1 ones; other hosts issue as their base URL.
 */
export function issuerForDiscovery(host: string, basePath: string): string {
  const entra = DEFAULT_IDENTITY_HOSTS.includes(host.toLowerCase());
  if (entra && /\/v2\.0$/.test(basePath)) return `https://${host}${basePath}`;
  if (entra) return `https://sts.windows.net${basePath}/`;
  return `https://${host}${basePath}`;
}

async function createKeyFile(path: string): Promise<void> {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const root = dirname(dir);
  // Keep the key out of git even in a project whose .gitignore does not list .apimops/.
  if (!existsSync(join(root, '.gitignore'))) writeFileSync(join(root, '.gitignore'), '*\n');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  jwk.kid = (await calculateJwkThumbprint(jwk)).slice(0, 16);
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600 });
  try {
    // link() fails if another process created the key first: then its key wins and ours is dropped.
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The issuers and audiences that `validate-jwt` policies of an artifact folder accept, with `{{named
 * values}}` substituted: `apimops token` uses them as defaults when there is exactly one of each.
 */
export function jwtExpectations(folder: string): { issuers: string[]; audiences: string[] } {
  const values = namedValues(folder);
  const subst = (s: string): string => s.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (all, n: string) => values.get(n.toLowerCase()) ?? all);
  const issuers = new Set<string>();
  const audiences = new Set<string>();
  for (const file of walk(folder, (f) => f.endsWith('.xml'))) {
    const xml = readFileSync(file, 'utf8');
    for (const m of xml.matchAll(/<issuer>\s*([^<@]+?)\s*<\/issuer>/g)) issuers.add(subst(m[1]!));
    for (const m of xml.matchAll(/<audience>\s*([^<@]+?)\s*<\/audience>/g)) audiences.add(subst(m[1]!));
  }
  return { issuers: [...issuers].filter((i) => !i.includes('{{')), audiences: [...audiences].filter((a) => !a.includes('{{')) };
}

/** Named values of a folder by name and display name (plain `value:` lines; secrets are not read). */
function namedValues(folder: string): Map<string, string> {
  const out = new Map<string, string>();
  const dir = join(folder, 'namedValues');
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'namedValue.yaml');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const value = /^value:\s*(.+)$/m.exec(text)?.[1]?.trim().replace(/^["']|["']$/g, '');
    const display = /^displayName:\s*(.+)$/m.exec(text)?.[1]?.trim().replace(/^["']|["']$/g, '');
    if (value === undefined) continue;
    out.set(name.toLowerCase(), value);
    if (display) out.set(display.toLowerCase(), value);
  }
  return out;
}

function* walk(dir: string, keep: (f: string) => boolean): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) yield* walk(full, keep);
    else if (keep(full)) yield full;
  }
}

/** `services.extensions` key under which `serve` installs the project's `LocalIdentityProvider`. */
export const IDENTITY_PROVIDER_EXTENSION = 'apimops.identityProvider';

const lazyProviders = new Map<string, Promise<LocalIdentityProvider>>();

/**
 * The fetcher `validate-jwt` uses: the installed provider's (identity hosts answered locally), else one
 * loaded on first use from the project around the working folder, so a gateway embedded without `serve`
 * still never calls Entra ID.
 */
export function identityFetcher(extensions: ReadonlyMap<string, unknown>): JsonFetcher {
  const installed = extensions.get(IDENTITY_PROVIDER_EXTENSION);
  if (installed instanceof LocalIdentityProvider) return installed.fetchJson;
  return async (url) => {
    const root = findProjectRoot(process.cwd());
    let p = lazyProviders.get(root);
    if (!p) lazyProviders.set(root, (p = LocalIdentityProvider.load(root)));
    return (await p).fetchJson(url);
  };
}
