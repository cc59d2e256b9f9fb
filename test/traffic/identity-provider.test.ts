import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { JwtValidator } from '../../src/gateway/jwt.js';
import { identityKeyPath, LocalIdentityProvider } from '../../src/gateway/identity-provider.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'apimops-idp-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io(cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {}, cwd, interactive: false, color: false };
}

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const openIdUrl = `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`;

describe('local identity provider', () => {
  it('creates one git-ignored key per project, even when processes race, and keeps it', async () => {
    const root = tmp();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => LocalIdentityProvider.load(root)));
    expect(new Set([a!.keyId, b!.keyId, c!.keyId]).size).toBe(1);
    expect(readFileSync(join(root, '.apimops', '.gitignore'), 'utf8')).toBe('*\n');
    const again = await LocalIdentityProvider.load(root);
    expect(again.keyId).toBe(a!.keyId);
    expect(JSON.parse(readFileSync(identityKeyPath(root), 'utf8'))).toHaveProperty('d');
  });

  it('answers Entra ID discovery and JWKS URLs, so validate-jwt accepts its tokens offline', async () => {
    const idp = await LocalIdentityProvider.load(tmp());
    const doc = (await idp.fetchJson(openIdUrl)) as { issuer: string; jwks_uri: string };
    expect(doc.issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(((await idp.fetchJson(doc.jwks_uri)) as { keys: unknown[] }).keys).toHaveLength(1);
    const v1 = (await idp.fetchJson(`https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`)) as { issuer: string };
    expect(v1.issuer).toBe(`https://sts.windows.net/${TENANT}/`);
    const token = await idp.mint({ iss: doc.issuer, aud: 'api://payments', roles: ['Payments.Write'], claims: [['scp', 'a'], ['scp', 'b']] });
    const v = new JwtValidator({ openIdConfigUrls: [openIdUrl], fetchJson: idp.fetchJson });
    const { jwt, payload } = await v.validate(
      token,
      { audiences: ['api://payments'], issuers: [doc.issuer], requiredClaims: [], requireExpirationTime: true, requireSignedTokens: true, clockSkewSeconds: 0 },
      Date.now(),
    );
    expect(jwt.Claims.get('roles')).toEqual(['Payments.Write']);
    expect(payload.scp).toEqual(['a', 'b']);
    expect(payload.tid).toBe(TENANT);
  });

  it('answers extra identityHosts and leaves other hosts to HTTP', async () => {
    const asked: string[] = [];
    const idp = await LocalIdentityProvider.load(tmp(), { identityHosts: ['idp.contoso.test'], fallbackFetch: async (u) => (asked.push(u), { from: 'http' }) });
    expect(((await idp.fetchJson('https://idp.contoso.test/realm/.well-known/openid-configuration')) as { issuer: string }).issuer).toBe('https://idp.contoso.test/realm');
    expect(await idp.fetchJson('http://127.0.0.1:1/x')).toEqual({ from: 'http' });
    expect(asked).toEqual(['http://127.0.0.1:1/x']);
  });
});

describe('apimops token', () => {
  it('mints a token with the folder\'s issuer and the given claims', async () => {
    const root = tmp();
    writeFileSync(join(root, 'apimops.yaml'), 'artifacts: artifacts\n');
    mkdirSync(join(root, 'artifacts', 'policyFragments', 'edge'), { recursive: true });
    mkdirSync(join(root, 'artifacts', 'namedValues', 'tenant-id'), { recursive: true });
    writeFileSync(join(root, 'artifacts', 'namedValues', 'tenant-id', 'namedValue.yaml'), `displayName: TenantId\nvalue: ${TENANT}\n`);
    writeFileSync(
      join(root, 'artifacts', 'policyFragments', 'edge', 'policy.xml'),
      `<fragment><validate-jwt header-name="Authorization"><openid-config url="${openIdUrl}" /><audiences><audience>api://payments</audience></audiences><issuers><issuer>https://login.microsoftonline.com/{{TenantId}}/v2.0</issuer></issuers></validate-jwt></fragment>`,
    );
    const cli = io(join(root, 'artifacts'));
    const code = await runCli(['node', 'apimops', 'token', '--role', 'Payments.Write', '--claim', 'tier=gold', '--sub', 'bob', '--expires-in', '120'], cli);
    expect(cli.err.join('')).toBe('');
    expect(code).toBe(0);
    const token = cli.out.join('').trim();
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: 'bob', aud: 'api://payments', iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, roles: ['Payments.Write'], tier: 'gold' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
    expect(existsSync(identityKeyPath(root))).toBe(true);
  });

  it('rejects bad flags with a clear message and exit 2', async () => {
    const cli = io(tmp());
    expect(await runCli(['node', 'apimops', 'token', '--expires-in', 'soon'], cli)).toBe(2);
    expect(cli.err.join('')).toContain('--expires-in: "soon" is not a positive whole number');
    const cli2 = io(tmp());
    expect(await runCli(['node', 'apimops', 'token', '--claim', 'novalue'], cli2)).toBe(2);
    expect(cli2.err.join('')).toContain('--claim: "novalue" is not <name>=<value>');
  });
});
