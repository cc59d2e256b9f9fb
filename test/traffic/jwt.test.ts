import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { CompactEncrypt, SignJWT, exportJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtValidator, type JwtRules } from '../../src/gateway/jwt.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const sec = Math.floor(NOW / 1000);
const rules = (over: Partial<JwtRules> = {}): JwtRules => ({
  audiences: ['api://payments'],
  issuers: ['https://issuer.test/t1/v2.0'],
  requiredClaims: [],
  requireExpirationTime: true,
  requireSignedTokens: true,
  clockSkewSeconds: 0,
  ...over,
});

const rsa1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function sign(
  key: Parameters<SignJWT['sign']>[0],
  alg: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ aud: 'api://payments', iss: 'https://issuer.test/t1/v2.0', exp: sec + 600, nbf: sec - 10, sub: 'alice', ...claims })
    .setProtectedHeader({ alg, ...header })
    .sign(key);
}

function unsigned(claims: Record<string, unknown>): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

/** A real OpenID provider on 127.0.0.1 whose key set can rotate. */
let server: Server;
let base = '';
let jwks: JWK[] = [];
let jwksFetches = 0;
beforeAll(async () => {
  jwks = [{ ...(await exportJWK(rsa1.publicKey)), kid: 'k1', use: 'sig' }];
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/t1/v2.0/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: 'https://issuer.test/t1/v2.0', jwks_uri: `${base}/t1/keys` }));
    } else if (req.url === '/t1/keys') {
      jwksFetches++;
      res.end(JSON.stringify({ keys: jwks }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('validate-jwt core (jwt.ts)', () => {
  it('validates an RS256 token against a JWKS discovered over HTTP, and exposes the Jwt', async () => {
    const v = new JwtValidator({ openIdConfigUrls: [`${base}/t1/v2.0/.well-known/openid-configuration`] });
    const token = await sign(rsa1.privateKey, 'RS256', { roles: ['Payments.Read', 'Payments.Write'] }, { kid: 'k1' });
    const { jwt } = await v.validate(token, rules(), NOW);
    expect(jwt.Subject).toBe('alice');
    expect(jwt.Algorithm).toBe('RS256');
    expect(jwt.Audiences).toEqual(['api://payments']);
    expect(jwt.Claims.get('roles')).toEqual(['Payments.Read', 'Payments.Write']);
    expect(jwt.ExpirationTime?.getTime()).toBe((sec + 600) * 1000);
  });

  it('without <issuers>, accepts the issuer of the discovery document only', async () => {
    const v = new JwtValidator({ openIdConfigUrls: [`${base}/t1/v2.0/.well-known/openid-configuration`] });
    await v.validate(await sign(rsa1.privateKey, 'RS256', {}, { kid: 'k1' }), rules({ issuers: [] }), NOW);
    const other = await sign(rsa1.privateKey, 'RS256', { iss: 'https://evil.test/' }, { kid: 'k1' });
    await expect(v.validate(other, rules({ issuers: [] }), NOW)).rejects.toMatchObject({ reason: 'TokenIssuerNotAllowed' });
  });

  it('fetches the JWKS again for an unknown kid (key rotation), but not more than every 5 minutes', async () => {
    const v = new JwtValidator({ openIdConfigUrls: [`${base}/t1/v2.0/.well-known/openid-configuration`] });
    await v.validate(await sign(rsa1.privateKey, 'RS256', {}, { kid: 'k1' }), rules(), NOW);
    const before = jwksFetches;
    jwks = [...jwks, { ...(await exportJWK(rsa2.publicKey)), kid: 'k2', use: 'sig' }];
    const rotated = await sign(rsa2.privateKey, 'RS256', {}, { kid: 'k2' });
    // Too soon after the first fetch: the kid stays unknown.
    await expect(v.validate(rotated, rules(), NOW + 1000)).rejects.toMatchObject({ reason: 'TokenSignatureKeyNotFound' });
    expect(jwksFetches).toBe(before);
    await v.validate(rotated, rules(), NOW + 301_000);
    expect(jwksFetches).toBe(before + 1);
    jwks = jwks.slice(0, 1);
  });

  it('rejects alg none unless require-signed-tokens is false', async () => {
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret: new Uint8Array(32).fill(7) }] });
    const token = unsigned({ aud: 'api://payments', iss: 'https://issuer.test/t1/v2.0', exp: sec + 60 });
    await expect(v.validate(token, rules(), NOW)).rejects.toMatchObject({ reason: 'TokenSignatureInvalid' });
    const { jwt } = await v.validate(token, rules({ requireSignedTokens: false }), NOW);
    expect(jwt.Algorithm).toBe('none');
  });

  it('rejects algorithm confusion: an HS256 token keyed with the RSA public key bytes', async () => {
    const pem = rsa1.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const v = new JwtValidator({ signingKeys: [{ kind: 'pem', pem }] });
    const forged = await sign(new TextEncoder().encode(pem), 'HS256');
    await expect(v.validate(forged, rules(), NOW)).rejects.toMatchObject({ reason: 'TokenSignatureKeyNotFound' });
    // The genuine RS256 token passes with the same key.
    await v.validate(await sign(rsa1.privateKey, 'RS256'), rules(), NOW);
  });

  it('rejects a token signed by another key', async () => {
    const v = new JwtValidator({ signingKeys: [{ kind: 'pem', pem: rsa1.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] });
    await expect(v.validate(await sign(rsa2.privateKey, 'RS256'), rules(), NOW)).rejects.toMatchObject({ reason: 'TokenSignatureInvalid' });
  });

  it('checks exp and nbf with the clock skew', async () => {
    const secret = new Uint8Array(32).fill(1);
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret }] });
    const expired = await sign(secret, 'HS256', { exp: sec - 30 });
    await expect(v.validate(expired, rules(), NOW)).rejects.toMatchObject({ reason: 'TokenExpired' });
    await v.validate(expired, rules({ clockSkewSeconds: 60 }), NOW);
    const early = await sign(secret, 'HS256', { nbf: sec + 30 });
    await expect(v.validate(early, rules(), NOW)).rejects.toMatchObject({ reason: 'TokenExpired', message: expect.stringContaining('not yet valid') });
    await v.validate(early, rules({ clockSkewSeconds: 31 }), NOW);
    const noExp = await sign(secret, 'HS256', { exp: undefined });
    await expect(v.validate(noExp, rules(), NOW)).rejects.toMatchObject({ message: expect.stringContaining('missing an Expiration Time') });
    await v.validate(noExp, rules({ requireExpirationTime: false }), NOW);
  });

  it('re-checks exp on a cached token (the cache skips only the signature)', async () => {
    const secret = new Uint8Array(32).fill(2);
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret }] });
    const token = await sign(secret, 'HS256', { exp: sec + 5 });
    await v.validate(token, rules(), NOW);
    await v.validate(token, rules(), NOW + 4000);
    await expect(v.validate(token, rules(), NOW + 5000)).rejects.toMatchObject({ reason: 'TokenExpired' });
  });

  it('rejects a wrong audience and a wrong issuer', async () => {
    const secret = new Uint8Array(32).fill(3);
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret }] });
    await expect(v.validate(await sign(secret, 'HS256', { aud: 'api://other' }), rules(), NOW)).rejects.toMatchObject({ reason: 'TokenAudienceNotAllowed' });
    await v.validate(await sign(secret, 'HS256', { aud: ['api://other', 'api://payments'] }), rules(), NOW);
    await expect(v.validate(await sign(secret, 'HS256', { iss: 'https://evil.test/' }), rules(), NOW)).rejects.toMatchObject({ reason: 'TokenIssuerNotAllowed' });
  });

  it('required claims: all / any, separators, missing claims', async () => {
    const secret = new Uint8Array(32).fill(4);
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret, id: 'sym' }] });
    const token = await sign(secret, 'HS256', { scp: 'read write', groups: ['a', 'b'] }, { kid: 'sym' });
    const claim = (name: string, values: string[], match: 'all' | 'any' = 'all', separator?: string) => ({ name, values, match, separator });
    await v.validate(token, rules({ requiredClaims: [claim('scp', ['write', 'read'], 'all', ' '), claim('groups', ['z', 'b'], 'any')] }), NOW);
    await expect(v.validate(token, rules({ requiredClaims: [claim('groups', ['a', 'z'])] }), NOW)).rejects.toMatchObject({ reason: 'TokenClaimValueNotAllowed' });
    await expect(v.validate(token, rules({ requiredClaims: [claim('roles', []), claim('tid', [])] }), NOW)).rejects.toMatchObject({
      reason: 'TokenClaimNotFound',
      message: 'JWT token is missing the following claims: roles, tid. Access denied.',
    });
  });

  it('accepts RSA n/e keys and EC certificates (PEM)', async () => {
    const jwk = await exportJWK(rsa1.publicKey);
    const v = new JwtValidator({ signingKeys: [{ kind: 'rsa', n: jwk.n!, e: jwk.e! }, { kind: 'pem', pem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] });
    await v.validate(await sign(rsa1.privateKey, 'PS256'), rules(), NOW);
    await v.validate(await sign(ec.privateKey, 'ES256'), rules(), NOW);
  });

  it('decrypts a JWE with decryption-keys and validates the signed token inside', async () => {
    const encKey = new Uint8Array(32).fill(9);
    const signKey = new Uint8Array(32).fill(5);
    const inner = await sign(signKey, 'HS256');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(inner)).setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256', cty: 'JWT' }).encrypt(encKey);
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret: signKey }], decryptionKeys: [{ kind: 'symmetric', secret: encKey }] });
    expect((await v.validate(jwe, rules(), NOW)).jwt.Subject).toBe('alice');
    const wrong = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret: signKey }], decryptionKeys: [{ kind: 'symmetric', secret: new Uint8Array(32) }] });
    await expect(wrong.validate(jwe, rules(), NOW)).rejects.toMatchObject({ reason: 'JwtInvalid' });
  });

  it('reports missing and malformed tokens', async () => {
    const v = new JwtValidator({ signingKeys: [{ kind: 'symmetric', secret: new Uint8Array(32) }] });
    await expect(v.validate('', rules(), NOW)).rejects.toMatchObject({ reason: 'TokenNotPresent', message: 'JWT not present.' });
    await expect(v.validate('not-a-jwt', rules(), NOW)).rejects.toMatchObject({ reason: 'JwtInvalid' });
  });
});
