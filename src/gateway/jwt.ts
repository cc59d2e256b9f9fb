/**
 * JWT validation for `validate-jwt` (POLICY-ENGINE.md §5.4) on `jose` — no hand-written crypto.
 *
 * - Keys: `issuer-signing-keys` (Base64 symmetric secrets, RSA `n`/`e`, PEM certificates or public keys, RSA
 *   or EC) and `openid-config` documents whose JWKS is fetched over HTTP, cached for an hour, and fetched
 *   again (at most every 5 minutes) when a token names an unknown `kid`.
 * - Encrypted tokens (JWE) are decrypted with `decryption-keys` first.
 * - Each key only accepts its own algorithm family, so an HS256 token signed with an RSA public key's bytes
 *   (algorithm confusion) never verifies; `alg: none` is refused whenever signed tokens are required.
 * - Claim checks (exp, nbf with clock skew, aud, iss, required claims) are done here, after the signature,
 *   so every failure has APIM's `Reason` (`TokenExpired`, `TokenAudienceNotAllowed`, …).
 * - Speed (PERFORMANCE.md): a verified signature is remembered in a bounded cache keyed by the exact token
 *   and the key set's version; on a hit only the claims (exp/nbf against the clock, aud, iss, required
 *   claims) are checked again, never the signature.
 */
import { compactDecrypt, compactVerify, decodeProtectedHeader, importJWK, importSPKI, type JWK } from 'jose';
import { createPublicKey, type KeyObject } from 'node:crypto';

/** A key of `<issuer-signing-keys>` or `<decryption-keys>`, as configured. */
export type KeySpec =
  | { kind: 'symmetric'; id?: string; secret: Uint8Array }
  | { kind: 'rsa'; id?: string; n: string; e: string }
  | { kind: 'pem'; id?: string; pem: string };

/** A `<required-claims><claim>` element. */
export interface RequiredClaim {
  name: string;
  /** `all` (default): every value must be present; `any`: at least one. */
  match: 'all' | 'any';
  /** Splits a claim string into values (`roles="a,b"`). */
  separator?: string;
  /** No values: only presence is checked. */
  values: readonly string[];
}

/** What `validate-jwt` checks (the per-request values of its attributes and children). */
export interface JwtRules {
  audiences: readonly string[];
  issuers: readonly string[];
  requiredClaims: readonly RequiredClaim[];
  requireExpirationTime: boolean;
  requireSignedTokens: boolean;
  /** Seconds of tolerance for exp/nbf. */
  clockSkewSeconds: number;
}

/** Fetches a JSON document (an OpenID discovery document or a JWKS). */
export type JsonFetcher = (url: string) => Promise<unknown>;

/** A token that failed validation, with APIM's `LastError.Reason`. */
export class JwtValidationError extends Error {
  constructor(
    readonly reason:
      | 'TokenNotPresent'
      | 'TokenSignatureInvalid'
      | 'TokenAudienceNotAllowed'
      | 'TokenIssuerNotAllowed'
      | 'TokenExpired'
      | 'TokenSignatureKeyNotFound'
      | 'TokenClaimNotFound'
      | 'TokenClaimValueNotAllowed'
      | 'JwtInvalid',
    message: string,
  ) {
    super(message);
    this.name = 'JwtValidationError';
  }
}

/**
 * The `Jwt` an expression sees after `output-token-variable-name` (POLICY-ENGINE.md §6.4). `Claims` maps a
 * claim to its values (a JSON array claim gives several).
 */
export interface Jwt {
  readonly Algorithm: string;
  readonly Audiences: readonly string[];
  readonly Claims: ReadonlyMap<string, readonly string[]>;
  readonly ExpirationTime: Date | undefined;
  readonly Id: string | undefined;
  readonly Issuer: string | undefined;
  readonly IssuedAt: Date | undefined;
  readonly NotBefore: Date | undefined;
  readonly Subject: string | undefined;
  readonly Type: string | undefined;
}

/** Builds a `Jwt` view of a decoded token. */
export function toJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Jwt {
  const claims = new Map<string, string[]>();
  for (const [k, v] of Object.entries(payload)) claims.set(k, claimValues(v));
  const date = (v: unknown): Date | undefined => (typeof v === 'number' ? new Date(v * 1000) : undefined);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    Algorithm: str(header.alg) ?? 'none',
    Audiences: claimValues(payload.aud),
    Claims: claims,
    ExpirationTime: date(payload.exp),
    Id: str(payload.jti),
    Issuer: str(payload.iss),
    IssuedAt: date(payload.iat),
    NotBefore: date(payload.nbf),
    Subject: str(payload.sub),
    Type: str(header.typ),
  };
}

/** A claim's values as strings: arrays give one value per item, objects their JSON. */
export function claimValues(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  if (typeof v === 'string') return [v];
  if (typeof v === 'object') return [JSON.stringify(v)];
  return [String(v)];
}

/** A successfully validated token. */
export interface ValidatedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  jwt: Jwt;
}

/** The Jwt view is built only when asked for (the hot path of validate-jwt does not need it). */
class Validated implements ValidatedToken {
  constructor(
    readonly header: Record<string, unknown>,
    readonly payload: Record<string, unknown>,
  ) {}
  get jwt(): Jwt {
    return toJwt(this.header, this.payload);
  }
}

/** Options of `JwtValidator`. */
export interface JwtValidatorOptions {
  signingKeys?: readonly KeySpec[];
  decryptionKeys?: readonly KeySpec[];
  /** `openid-config` URLs. */
  openIdConfigUrls?: readonly string[];
  /** Fetches discovery documents and JWKS (the local identity provider answers its own hosts). */
  fetchJson?: JsonFetcher;
  /** Entries of the verified-token cache. Default 10 000; 0 turns it off. */
  cacheSize?: number;
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const RSA = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC = ['ES256', 'ES384', 'ES512'];
/** JWKS and discovery documents are kept this long (APIM: 1 hour). */
const METADATA_TTL_MS = 3_600_000;
/** An unknown `kid` fetches the JWKS again at most this often (APIM: 5 minutes). */
const REFRESH_MIN_MS = 300_000;

type Material = { kind: 'secret'; secret: Uint8Array } | { kind: 'public'; key: KeyObject; family: 'RSA' | 'EC' } | { kind: 'jwk'; jwk: JWK; family: 'RSA' | 'EC' | 'oct' };

interface ResolvedKey {
  id: string | undefined;
  material: Material;
  /** Imported CryptoKeys per algorithm (jose 6 is fastest with CryptoKeys). */
  imported: Map<string, Promise<CryptoKey | Uint8Array>>;
}

interface OpenIdState {
  url: string;
  issuer: string | undefined;
  keys: ResolvedKey[];
  fetchedAt: number;
  loading: Promise<void> | undefined;
}

interface CacheEntry {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  version: number;
}

/**
 * Validates tokens against one `validate-jwt` configuration. Create one per compiled policy and keep it:
 * it holds the JWKS cache and the verified-token cache.
 *
 * @example
 * const v = new JwtValidator({ openIdConfigUrls: ['https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration'], fetchJson });
 * const { jwt } = await v.validate(token, rules, Date.now());
 */
export class JwtValidator {
  private readonly staticKeys: ResolvedKey[];
  private readonly decryptionKeys: ResolvedKey[];
  private readonly openId: OpenIdState[];
  private readonly fetchJson: JsonFetcher;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheSize: number;
  /** Bumped whenever a key set changes, so cached verifications against old keys are not trusted. */
  private version = 0;

  constructor(options: JwtValidatorOptions) {
    this.staticKeys = (options.signingKeys ?? []).map(resolveSpec);
    this.decryptionKeys = (options.decryptionKeys ?? []).map(resolveSpec);
    this.openId = (options.openIdConfigUrls ?? []).map((url) => ({ url, issuer: undefined, keys: [], fetchedAt: Number.NEGATIVE_INFINITY, loading: undefined }));
    this.fetchJson = options.fetchJson ?? fetchJsonOverHttp;
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  /** Validates `token` (without any `Bearer ` prefix) at time `now` (ms). Throws `JwtValidationError`. */
  /**
   * The synchronous hot path: a token whose signature this validator already verified against the current
   * key set, with fresh metadata. Claims are checked again (throws `JwtValidationError`); `undefined` means
   * "not known here, call `validate`".
   */
  validateCached(token: string, rules: JwtRules, now: number): ValidatedToken | undefined {
    if (!token || this.metadataStale(now)) return undefined;
    const hit = this.cache.get(token);
    if (!hit || hit.version !== this.version) return undefined;
    this.checkClaims(hit.payload, rules, now);
    return new Validated(hit.header, hit.payload);
  }

  async validate(token: string, rules: JwtRules, now: number): Promise<ValidatedToken> {
    if (!token) throw new JwtValidationError('TokenNotPresent', 'JWT not present.');
    // No await on the hot path (fresh metadata, cached token): each await costs a microtask turn.
    if (this.metadataStale(now)) await this.ensureMetadata(now);
    const hit = this.cache.get(token);
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    if (hit && hit.version === this.version) {
      ({ header, payload } = hit);
    } else {
      ({ header, payload } = await this.verify(token, rules, now));
      if (this.cacheSize > 0 && header.alg !== 'none') {
        if (this.cache.size >= this.cacheSize) {
          const oldest = this.cache.keys().next().value;
          if (oldest !== undefined) this.cache.delete(oldest);
        }
        this.cache.set(token, { header, payload, version: this.version });
      }
    }
    this.checkClaims(payload, rules, now);
    return new Validated(header, payload);
  }

  /** Signature (and decryption) only: returns the decoded header and payload. */
  private async verify(token: string, rules: JwtRules, now: number): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
    let compact = token;
    const parts = token.split('.');
    if (parts.length === 5) {
      compact = await this.decrypt(token);
      if (compact.split('.').length !== 3) {
        // An encrypted token whose content is the claims themselves (not a nested JWS): no signature to check.
        if (rules.requireSignedTokens) throw new JwtValidationError('TokenSignatureInvalid', 'IDX10504: Unable to validate signature, token does not have a signature. Access denied.');
        return { header: { alg: 'none' }, payload: parseClaims(new TextEncoder().encode(compact)) };
      }
    } else if (parts.length !== 3) {
      throw new JwtValidationError('JwtInvalid', 'IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.');
    }
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(compact) as Record<string, unknown>;
    } catch {
      throw new JwtValidationError('JwtInvalid', 'IDX14102: Unable to decode the header as Base64Url encoded string.');
    }
    const alg = typeof header.alg === 'string' ? header.alg : '';
    if (alg === 'none' || alg === '' || compact.endsWith('.')) {
      if (rules.requireSignedTokens) {
        throw new JwtValidationError('TokenSignatureInvalid', 'IDX10504: Unable to validate signature, token does not have a signature. Access denied.');
      }
      return { header, payload: parseClaims(b64urlDecode(compact.split('.')[1] ?? '')) };
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    let candidates = this.candidates(kid);
    if (kid !== undefined && candidates.length === 0 && this.openId.length) {
      await this.refreshForUnknownKid(now);
      candidates = this.candidates(kid);
    }
    candidates = candidates.filter((k) => familyOf(k.material) === familyOfAlg(alg));
    if (candidates.length === 0) {
      throw new JwtValidationError(
        'TokenSignatureKeyNotFound',
        `IDX10503: Signature validation failed. No key matches kid '${kid ?? ''}' and alg '${alg}'. Access denied.`,
      );
    }
    for (const key of candidates) {
      try {
        const result = await compactVerify(compact, await importFor(key, alg), { algorithms: [alg] });
        return { header, payload: parseClaims(result.payload) };
      } catch (err) {
        if (err instanceof JwtValidationError) throw err;
        // Wrong key: try the next one, as APIM does.
      }
    }
    throw new JwtValidationError('TokenSignatureInvalid', 'IDX10503: Signature validation failed. Keys tried: ' + candidates.length + '. Access denied.');
  }

  private async decrypt(token: string): Promise<string> {
    const header = (() => {
      try {
        return decodeProtectedHeader(token) as Record<string, unknown>;
      } catch {
        throw new JwtValidationError('JwtInvalid', 'IDX14102: Unable to decode the header of the encrypted token.');
      }
    })();
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const keys = this.decryptionKeys.filter((k) => kid === undefined || k.id === undefined || k.id === kid);
    for (const key of keys) {
      try {
        const material = key.material;
        const k = material.kind === 'secret' ? material.secret : material.kind === 'jwk' ? await importJWK(material.jwk, alg) : material.key;
        const { plaintext } = await compactDecrypt(token, k as Parameters<typeof compactDecrypt>[1]);
        return new TextDecoder().decode(plaintext);
      } catch {
        // try the next key
      }
    }
    throw new JwtValidationError('JwtInvalid', 'IDX10609: Decryption failed. No decryption key could decrypt the token. Access denied.');
  }

  private candidates(kid: string | undefined): ResolvedKey[] {
    const all = [...this.staticKeys, ...this.openId.flatMap((o) => o.keys)];
    if (kid === undefined) return all;
    // Keys without an id are tried for any kid (APIM: keys are tried in order until one succeeds).
    return all.filter((k) => k.id === undefined || k.id === kid);
  }

  /** Loads discovery documents and JWKS that are missing or older than an hour. */
  private metadataStale(now: number): boolean {
    for (const o of this.openId) if (now - o.fetchedAt >= METADATA_TTL_MS) return true;
    return false;
  }

  private async ensureMetadata(now: number): Promise<void> {
    const stale = this.openId.filter((o) => now - o.fetchedAt >= METADATA_TTL_MS);
    await Promise.all(stale.map((o) => this.load(o, now)));
  }

  private async refreshForUnknownKid(now: number): Promise<void> {
    const due = this.openId.filter((o) => now - o.fetchedAt >= REFRESH_MIN_MS);
    await Promise.all(due.map((o) => this.load(o, now)));
  }

  private load(o: OpenIdState, now: number): Promise<void> {
    // Concurrent requests share one fetch.
    o.loading ??= (async () => {
      try {
        const doc = asObject(await this.fetchJson(o.url), o.url);
        const jwksUri = doc.jwks_uri;
        if (typeof jwksUri !== 'string') throw new Error(`no jwks_uri in ${o.url}`);
        const jwks = asObject(await this.fetchJson(jwksUri), jwksUri);
        const keys = Array.isArray(jwks.keys) ? (jwks.keys as JWK[]) : [];
        o.issuer = typeof doc.issuer === 'string' ? doc.issuer : undefined;
        o.keys = keys.filter((k) => (k.use === undefined || k.use === 'sig') && (k.kty === 'RSA' || k.kty === 'EC')).map((jwk) => ({
          id: jwk.kid,
          material: { kind: 'jwk', jwk, family: jwk.kty as 'RSA' | 'EC' },
          imported: new Map(),
        }));
        o.fetchedAt = now;
        this.version++;
      } catch (err) {
        // Keep the keys we had; try again on the next request (not before the refresh interval for kids).
        o.fetchedAt = Math.max(o.fetchedAt, now - METADATA_TTL_MS + REFRESH_MIN_MS / 10);
        if (o.keys.length === 0 && this.staticKeys.length === 0) {
          throw new JwtValidationError('TokenSignatureKeyNotFound', `IDX10501: Unable to obtain configuration from '${o.url}': ${(err as Error).message}. Access denied.`);
        }
      } finally {
        o.loading = undefined;
      }
    })();
    return o.loading;
  }

  private checkClaims(payload: Record<string, unknown>, rules: JwtRules, now: number): void {
    const skew = rules.clockSkewSeconds * 1000;
    const exp = payload.exp;
    if (exp === undefined) {
      if (rules.requireExpirationTime) {
        throw new JwtValidationError('TokenExpired', 'IDX10225: Lifetime validation failed. The token is missing an Expiration Time. Access denied.');
      }
    } else if (typeof exp !== 'number') {
      throw new JwtValidationError('JwtInvalid', 'IDX14101: The exp claim is not a number.');
    } else if (exp * 1000 + skew <= now) {
      throw new JwtValidationError(
        'TokenExpired',
        `IDX10223: Lifetime validation failed. The token is expired. ValidTo: '${new Date(exp * 1000).toISOString()}', Current time: '${new Date(now).toISOString()}'. Access denied.`,
      );
    }
    const nbf = payload.nbf;
    if (typeof nbf === 'number' && nbf * 1000 - skew > now) {
      throw new JwtValidationError(
        'TokenExpired',
        `IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: '${new Date(nbf * 1000).toISOString()}', Current time: '${new Date(now).toISOString()}'. Access denied.`,
      );
    }
    if (rules.audiences.length) {
      const aud = claimValues(payload.aud);
      if (!aud.some((a) => rules.audiences.includes(a))) {
        throw new JwtValidationError('TokenAudienceNotAllowed', `IDX10214: Audience validation failed. Audiences: '${aud.join(', ')}'. Access denied.`);
      }
    }
    const allowedIssuers = rules.issuers.length ? rules.issuers : this.openId.map((o) => o.issuer).filter((i): i is string => i !== undefined);
    if (allowedIssuers.length) {
      const iss = typeof payload.iss === 'string' ? payload.iss : '';
      if (!allowedIssuers.includes(iss)) {
        throw new JwtValidationError('TokenIssuerNotAllowed', `IDX10205: Issuer validation failed. Issuer: '${iss}'. Access denied.`);
      }
    }
    const missing = rules.requiredClaims.filter((c) => payload[c.name] === undefined).map((c) => c.name);
    if (missing.length) {
      throw new JwtValidationError('TokenClaimNotFound', `JWT token is missing the following claims: ${missing.join(', ')}. Access denied.`);
    }
    for (const claim of rules.requiredClaims) {
      if (!claim.values.length) continue;
      let have = claimValues(payload[claim.name]);
      if (claim.separator) have = have.flatMap((v) => v.split(claim.separator!).map((s) => s.trim()));
      const ok = claim.match === 'any' ? claim.values.some((v) => have.includes(v)) : claim.values.every((v) => have.includes(v));
      if (!ok) {
        throw new JwtValidationError('TokenClaimValueNotAllowed', `Claim ${claim.name} value of ${have.join(claim.separator ?? ',')} is not allowed. Access denied.`);
      }
    }
  }
}

function resolveSpec(spec: KeySpec): ResolvedKey {
  if (spec.kind === 'symmetric') return { id: spec.id, material: { kind: 'secret', secret: spec.secret }, imported: new Map() };
  if (spec.kind === 'rsa') return { id: spec.id, material: { kind: 'jwk', jwk: { kty: 'RSA', n: spec.n, e: spec.e }, family: 'RSA' }, imported: new Map() };
  const key = publicKeyFromPem(spec.pem);
  const family = key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  return { id: spec.id, material: { kind: 'public', key, family }, imported: new Map() };
}

/** A public key from a PEM certificate, public key, or private key (whose public half is used). */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

function familyOf(m: Material): 'HMAC' | 'RSA' | 'EC' {
  if (m.kind === 'secret') return 'HMAC';
  if (m.kind === 'jwk' && m.family === 'oct') return 'HMAC';
  return m.family === 'EC' ? 'EC' : 'RSA';
}

function familyOfAlg(alg: string): 'HMAC' | 'RSA' | 'EC' | 'unknown' {
  if (HMAC.includes(alg)) return 'HMAC';
  if (RSA.includes(alg)) return 'RSA';
  if (EC.includes(alg)) return 'EC';
  return 'unknown';
}

function importFor(key: ResolvedKey, alg: string): Promise<CryptoKey | Uint8Array> {
  let p = key.imported.get(alg);
  if (!p) {
    const m = key.material;
    if (m.kind === 'secret') p = Promise.resolve(m.secret);
    else if (m.kind === 'jwk') p = importJWK({ ...m.jwk, alg: undefined }, alg) as Promise<CryptoKey | Uint8Array>;
    else p = importSPKI(m.key.export({ type: 'spki', format: 'pem' }).toString(), alg);
    key.imported.set(alg, p);
  }
  return p;
}

function parseClaims(bytes: Uint8Array): Record<string, unknown> {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwtValidationError('JwtInvalid', 'IDX14107: The payload of the token is not a JSON object.');
}

function b64urlDecode(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

function asObject(v: unknown, url: string): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`${url} did not return a JSON object`);
}

/** The default `JsonFetcher`: GET over HTTP(S) with a 10 s timeout. */
export async function fetchJsonOverHttp(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as unknown;
}
