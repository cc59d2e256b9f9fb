/**
 * APIM helper types (POLICY-ENGINE.md §6.4): `Jwt` from `AsJwt()`/`TryParseJwt` (decode only — no signature
 * or lifetime validation, exactly like APIM), and `BasicAuthCredentials` from `AsBasic()`/`TryParseBasic`.
 */
import { CsDateTime, CsDictionary } from './values.js';

/** A decoded JWT. */
export class Jwt {
  constructor(
    readonly header: Record<string, unknown>,
    readonly payload: Record<string, unknown>,
    /** name → values; JSON-array claims become several values, non-strings their JSON text. */
    readonly Claims: CsDictionary<string[]>,
  ) {}
  get Algorithm(): string | null { return strOrNull(this.header['alg']); }
  get Type(): string | null { return strOrNull(this.header['typ']); }
  get Subject(): string | null { return strOrNull(this.payload['sub']); }
  get Issuer(): string | null { return strOrNull(this.payload['iss']); }
  get Id(): string | null { return strOrNull(this.payload['jti']); }
  get Audiences(): string[] {
    const a = this.payload['aud'];
    return a === undefined || a === null ? [] : Array.isArray(a) ? a.map(String) : [String(a)];
  }
  get ExpirationTime(): CsDateTime | null { return epoch(this.payload['exp']); }
  get NotBefore(): CsDateTime | null { return epoch(this.payload['nbf']); }
  get IssuedAt(): CsDateTime | null { return epoch(this.payload['iat']); }
}

function strOrNull(v: unknown): string | null {
  return v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
}
function epoch(v: unknown): CsDateTime | null {
  return typeof v === 'number' && Number.isFinite(v) ? CsDateTime.fromEpochMs(v * 1000, 'Utc') : null;
}

function b64urlJson(part: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(part)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `AsJwt()`: a `Jwt`, or null when the text is not a JWT (an optional `Bearer ` prefix is not accepted, as in APIM). */
export function parseJwt(input: string | null | undefined): Jwt | null {
  if (!input) return null;
  const parts = input.trim().split('.');
  if (parts.length !== 3 && parts.length !== 5) return null;
  const header = b64urlJson(parts[0]!);
  const payload = b64urlJson(parts[1]!);
  if (!header || !payload) return null;
  const claims = new CsDictionary<string[]>('ordinal', true);
  claims.multiValue = true;
  for (const [k, v] of Object.entries(payload)) {
    const vals = Array.isArray(v) ? v : [v];
    claims.set(k, vals.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))));
  }
  return new Jwt(header, payload, claims);
}

/** Credentials of an HTTP Basic `Authorization` header. The docs call the user `UserId`, the toolkit `Username`. */
export class BasicAuthCredentials {
  constructor(
    readonly UserId: string,
    readonly Password: string,
  ) {}
  get Username(): string {
    return this.UserId;
  }
}

/** `AsBasic()`: accepts `Basic <base64(user:password)>`; null when malformed. */
export function parseBasic(input: string | null | undefined): BasicAuthCredentials | null {
  if (!input) return null;
  const m = /^\s*Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(input);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return new BasicAuthCredentials(text.slice(0, colon), text.slice(colon + 1));
}
