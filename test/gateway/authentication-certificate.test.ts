/**
 * `authentication-certificate` against a real https server on 127.0.0.1 that requires a client certificate
 * (`requestCert: true`). A throwaway CA, server and client certificates are made with the `openssl` CLI
 * into a temp folder in `beforeAll` (node:crypto cannot issue X.509 certificates); nothing is committed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayLoadError } from '../../src/gateway/index.js';
import { createUndiciClient } from '../../src/gateway/backend-client.js';
import { readClientCertificate } from '../../src/gateway/policies/authentication-certificate.js';
import type { ClientCertificate } from '../../src/gateway/state.js';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { gatewayFor } from './helpers.js';

let dir: string;
let server: Server;
let url: string;
let caPem: string;
let certificates: Map<string, ClientCertificate>;
let clientThumbprint: string;
let pfxBase64: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apimops-certs-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=apimops-test-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  for (const who of ['client', 'other']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=apimops-test-${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2');
  }
  // One PEM file with the certificate and its key (what --certificate takes), and a PFX with a password.
  writeFileSync(join(dir, 'client-bundle.pem'), readFileSync(join(dir, 'client.pem'), 'utf8') + readFileSync(join(dir, 'client.key'), 'utf8'));
  openssl('pkcs12', '-export', '-in', 'other.pem', '-inkey', 'other.key', '-out', 'other.pfx', '-passout', 'pass:s3cret');
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  clientThumbprint = new X509Certificate(readFileSync(join(dir, 'client.pem'))).fingerprint;
  pfxBase64 = readFileSync(join(dir, 'other.pfx')).toString('base64');
  certificates = new Map([
    ['client', readClientCertificate('client', readFileSync(join(dir, 'client-bundle.pem')))],
    ['other', readClientCertificate('other', readFileSync(join(dir, 'other.pfx')), 's3cret')],
  ]);
  server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')), ca: caPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${req.method} ${req.url} as ${peer.subject?.CN ?? 'nobody'}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

const GLOBAL = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error><set-header name="X-Error" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></on-error></policies>';

async function withInbound(inbound: string, namedValues: Record<string, string> = {}) {
  return gatewayFor(
    {
      global: GLOBAL,
      namedValues,
      apis: [{ name: 't', path: 't', serviceUrl: `${url}/svc`, policy: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`, operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
    },
    // The test CA is trusted for the backend's server certificate (the gateway's https client option).
    { certificates, backendClient: createUndiciClient({ ca: [caPem] }) },
  );
}

const get = async (gw: Awaited<ReturnType<typeof withInbound>>) => gw.dispatch(new Request('http://gw.local/t/x'));

describe('authentication-certificate', () => {
  it('forward-request presents the certificate named by certificate-id (PEM certificate + key)', async () => {
    const gw = await withInbound('<authentication-certificate certificate-id="client" />');
    const res = await get(gw);
    expect(await res.text()).toBe('GET /svc/x as apimops-test-client');
    await gw.close();
  });

  it('by thumbprint (any spelling), from a PFX with a password, and from an expression', async () => {
    const gw = await withInbound(`<authentication-certificate thumbprint="${clientThumbprint.toLowerCase()}" />`);
    expect(await (await get(gw)).text()).toBe('GET /svc/x as apimops-test-client');
    await gw.close();
    const gw2 = await withInbound('<authentication-certificate certificate-id="@(&quot;oth&quot; + &quot;er&quot;)" />');
    expect(await (await get(gw2)).text()).toBe('GET /svc/x as apimops-test-other');
    await gw2.close();
  });

  it('without a certificate the backend refuses the TLS connection: 500 BackendConnectionFailure', async () => {
    const gw = await withInbound('');
    const res = await get(gw);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-error')).toBe('forward-request/BackendConnectionFailure');
    await gw.close();
  });

  it('a backend entity presents its own certificate (credentials.certificateIds, or thumbprints in credentials.certificate)', async () => {
    const viaBackend = async (credentials: Record<string, unknown>) =>
      gatewayFor(
        {
          global: GLOBAL,
          backends: { secure: { url: `${url}/svc`, protocol: 'http', credentials } },
          apis: [{ name: 't', path: 't', serviceUrl: 'http://127.0.0.1:9', policy: '<policies><inbound><base /><set-backend-service backend-id="secure" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>', operations: [{ name: 'get', method: 'GET', urlTemplate: '/{*rest}' }] }],
        },
        { certificates, backendClient: createUndiciClient({ ca: [caPem] }) },
      );
    const byId = await viaBackend({ certificateIds: ['/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/a/certificates/other'] });
    expect(await (await get(byId)).text()).toBe('GET /svc/x as apimops-test-other');
    await byId.close();
    const byThumbprint = await viaBackend({ certificate: [clientThumbprint] });
    expect(await (await get(byThumbprint)).text()).toBe('GET /svc/x as apimops-test-client');
    await byThumbprint.close();
    // Named by the backend but not configured for serve: a load warning, and the call goes without it.
    const missing = await viaBackend({ certificateIds: ['/certificates/not-here'] });
    expect(missing.currentConfig.warnings.map((w) => w.message).join('\n')).toContain('backend "secure" presents the client certificate "not-here" in APIM, which is not configured for serve');
    expect((await get(missing)).headers.get('x-error')).toBe('forward-request/BackendConnectionFailure');
    await missing.close();
  });

  it('inside send-request it applies to that call only', async () => {
    const gw = await withInbound(
      `<send-request mode="new" response-variable-name="r" timeout="10"><set-url>${url}/side</set-url><authentication-certificate certificate-id="other" /></send-request>` +
        '<return-response><set-body>@(((IResponse)context.Variables["r"]).Body.As&lt;string&gt;())</set-body></return-response>',
    );
    expect(await (await get(gw)).text()).toBe('GET /side as apimops-test-other');
    await gw.close();
  });

  it('body: a PFX from an expression (with its password); bytes that are no certificate go to on-error', async () => {
    const gw = await withInbound('<authentication-certificate body="@(Convert.FromBase64String(&quot;{{pfx}}&quot;))" password="{{pfx-password}}" />', { pfx: pfxBase64, 'pfx-password': 's3cret' });
    expect(await (await get(gw)).text()).toBe('GET /svc/x as apimops-test-other');
    expect(await (await get(gw)).text()).toBe('GET /svc/x as apimops-test-other');
    await gw.close();
    const bad = await withInbound('<authentication-certificate body="@(Encoding.UTF8.GetBytes(&quot;not a certificate&quot;))" />');
    const res = await get(bad);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-error')).toBe('authentication-certificate/CertificateNotFound');
    await bad.close();
  });

  it('an unknown certificate-id or thumbprint, or not exactly one source, fails the load at the element', async () => {
    const errors = async (el: string) => {
      try {
        const gw = await gatewayFor({ apis: [{ name: 'a', path: 'a', serviceUrl: 'http://127.0.0.1:9', policy: `<policies>\n<inbound>\n  ${el}\n</inbound>\n</policies>`, operations: [{ name: 'op', method: 'GET', urlTemplate: '/x' }] }] }, { certificates });
        await gw.close();
        return [];
      } catch (e) {
        if (!(e instanceof GatewayLoadError)) throw e;
        return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
      }
    };
    expect(await errors('<authentication-certificate certificate-id="ghost" />')).toEqual(['apis/a/policy.xml:3:3: certificate "ghost" is not configured for serve (configured: client, other)']);
    expect(await errors('<authentication-certificate thumbprint="0000" />')).toEqual(['apis/a/policy.xml:3:3: no configured certificate has the thumbprint 0000 (configured: client, other)']);
    expect(await errors('<authentication-certificate />')).toEqual(['apis/a/policy.xml:3:3: <authentication-certificate> needs exactly one of thumbprint, certificate-id or body']);
    expect(await errors('<authentication-certificate certificate-id="client" thumbprint="AB" />')).toEqual(['apis/a/policy.xml:3:3: <authentication-certificate> needs exactly one of thumbprint, certificate-id or body']);
  });

  it('readClientCertificate says what is wrong with a file', () => {
    expect(() => readClientCertificate('x', readFileSync(join(dir, 'client.pem')))).toThrow(/no PRIVATE KEY/);
    expect(() => readClientCertificate('x', readFileSync(join(dir, 'other.pfx')), 'wrong')).toThrow();
    expect(readClientCertificate('x', readFileSync(join(dir, 'other.pfx')), 's3cret').thumbprint).toBe(new X509Certificate(readFileSync(join(dir, 'other.pem'))).fingerprint.replace(/:/g, ''));
  });
});

describe('apimops serve --certificate', () => {
  function io(cwd: string, env: Record<string, string> = {}): CliIO & { out: string; err: string } {
    const o = { out: '', err: '' } as CliIO & { out: string; err: string };
    return Object.assign(o, { stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t), env, cwd, interactive: false, color: false });
  }
  /** An artifact folder with one API (a global policy is compiled into each API's pipeline). */
  function folder(policy: string): string {
    const f = mkdtempSync(join(dir, 'artifacts-'));
    writeFileSync(join(f, 'policy.xml'), policy);
    mkdirSync(join(f, 'apis', 'a', 'operations', 'get'), { recursive: true });
    writeFileSync(join(f, 'apis', 'a', 'api.yaml'), 'displayName: A\npath: a\nprotocols:\n  - http\nserviceUrl: http://127.0.0.1:9\nsubscriptionRequired: false\n');
    writeFileSync(join(f, 'apis', 'a', 'operations', 'get', 'operation.yaml'), 'displayName: Get\nmethod: GET\nurlTemplate: /x\n');
    return f;
  }

  it('an unknown certificate-id exits 2 naming the option to use', async () => {
    const f = folder('<policies>\n  <inbound>\n    <authentication-certificate certificate-id="client" />\n  </inbound>\n  <backend><forward-request /></backend>\n</policies>\n');
    const cap = io(f);
    expect(await runCli(['node', 'apimops', 'serve', f, '--port', '0'], cap)).toBe(2);
    expect(cap.err).toContain('policy.xml:3:5: certificate "client" is not configured for serve (no certificates are configured for serve (serve.certificates in apimops.yaml, or --certificate name=path))');
  });

  it('a certificate file that cannot be read exits 2 with the name and the reason', async () => {
    const f = folder('<policies><inbound /><backend><forward-request /></backend></policies>');
    const cap = io(f);
    expect(await runCli(['node', 'apimops', 'serve', f, '--port', '0', '--certificate', `client=${join(dir, 'client.pem')}`], cap)).toBe(2);
    expect(cap.err).toContain('--certificate client: ');
    expect(cap.err).toContain('no PRIVATE KEY');
    const cap2 = io(f, { APIMOPS_CERTIFICATE_PASSWORD_OTHER: 'wrong' });
    expect(await runCli(['node', 'apimops', 'serve', f, '--port', '0', '--certificate', `other=${join(dir, 'other.pfx')}`], cap2)).toBe(2);
    expect(cap2.err).toContain('--certificate other: ');
    expect(await runCli(['node', 'apimops', 'serve', f, '--certificate', 'nopath'], io(f))).toBe(2);
  });

  it('--ca of a file without a PEM certificate exits 2 naming the file', async () => {
    const f = folder('<policies><inbound /><backend><forward-request /></backend></policies>');
    const cap = io(f);
    expect(await runCli(['node', 'apimops', 'serve', f, '--port', '0', '--ca', join(dir, 'client.key')], cap)).toBe(2);
    expect(cap.err).toContain(`--ca: ${join(dir, 'client.key')}: no PEM certificate in the file`);
  });

  /** A project with apimops.yaml beside an artifact folder: one API whose requests go to the backend entity `tls-backend`. */
  function project(name: string, policy: string, backendYaml: string): string {
    const repo = join(import.meta.dirname, '..', '..');
    const root = mkdtempSync(join(dir, `${name}-`));
    const f = join(root, 'artifacts');
    mkdirSync(join(f, 'apis', 'a', 'operations', 'get'), { recursive: true });
    mkdirSync(join(f, 'backends', 'tls-backend'), { recursive: true });
    writeFileSync(join(f, 'policy.xml'), policy);
    writeFileSync(join(f, 'apis', 'a', 'api.yaml'), 'displayName: A\npath: a\nprotocols:\n  - http\nserviceUrl: http://127.0.0.1:9\nsubscriptionRequired: false\n');
    writeFileSync(join(f, 'apis', 'a', 'operations', 'get', 'operation.yaml'), 'displayName: Get\nmethod: GET\nurlTemplate: /x\n');
    writeFileSync(join(f, 'backends', 'tls-backend', 'backend.yaml'), backendYaml);
    writeFileSync(join(root, 'launch.mjs'), `const m = await import(${JSON.stringify(pathToFileURL(join(repo, 'src', 'cli', 'main.ts')).href)});\nawait m.run(process.argv);\n`);
    return root;
  }

  /** Runs a real `apimops serve` process in `root` (through tsx), calls `use` with its URL, then stops it with SIGTERM. */
  async function withServe<T>(root: string, args: string[], env: Record<string, string>, use: (base: string) => Promise<T>): Promise<T> {
    const tsx = pathToFileURL(join(import.meta.dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', tsx, join(root, 'launch.mjs'), 'serve', '--port', '0', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stderr = '';
    try {
      const base = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
      });
      return await use(base);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }

  it('trusts a private CA from serve.ca of apimops.yaml or --ca, with chain validation on (a real serve process)', async () => {
    // No tls switches: the backend's certificate must chain to a trusted CA, as in APIM.
    const root = project(
      'project-ca',
      '<policies>\n  <inbound>\n    <set-backend-service backend-id="tls-backend" />\n    <authentication-certificate certificate-id="client" />\n  </inbound>\n  <backend><forward-request /></backend>\n</policies>\n',
      `url: ${url}/svc\nprotocol: http\n`,
    );
    const answer = (config: string, extra: string[]): Promise<{ status: number; text: string }> => {
      writeFileSync(join(root, 'apimops.yaml'), `artifacts: artifacts\n${config}`);
      return withServe(root, ['--certificate', `client=${join(dir, 'client-bundle.pem')}`, ...extra], {}, async (base) => {
        const res = await fetch(`${base}/a/x`);
        return { status: res.status, text: await res.text() };
      });
    };
    expect((await answer('', [])).status).toBe(500); // the test CA is not trusted: BackendConnectionFailure
    expect((await answer(`serve:\n  ca:\n    - ${join(dir, 'ca.pem')}\n`, [])).text).toBe('GET /svc/x as apimops-test-client');
    expect((await answer('', ['--ca', join(dir, 'ca.pem')])).text).toBe('GET /svc/x as apimops-test-client');
  }, 60_000);

  it('serves with certificates from --certificate and from serve.certificates of apimops.yaml (a real serve process)', async () => {
    // The test CA is not trusted by serve: the backend entity turns chain validation off, as one would locally.
    const root = project(
      'project',
      '<policies>\n  <inbound>\n    <set-backend-service backend-id="tls-backend" />\n    <authentication-certificate certificate-id="@(context.Request.Headers.GetValueOrDefault(&quot;X-Cert&quot;, &quot;client&quot;))" />\n  </inbound>\n  <backend><forward-request /></backend>\n</policies>\n',
      `url: ${url}/svc\nprotocol: http\ntls:\n  validateCertificateChain: false\n  validateCertificateName: false\n`,
    );
    writeFileSync(join(root, 'apimops.yaml'), `artifacts: artifacts\nserve:\n  certificates:\n    other: ${join(dir, 'other.pfx')}\n`);
    await withServe(root, ['--certificate', `client=${join(dir, 'client-bundle.pem')}`], { APIMOPS_CERTIFICATE_PASSWORD_OTHER: 's3cret' }, async (base) => {
      expect(await (await fetch(`${base}/a/x`)).text()).toBe('GET /svc/x as apimops-test-client');
      expect(await (await fetch(`${base}/a/x`, { headers: { 'X-Cert': 'other' } })).text()).toBe('GET /svc/x as apimops-test-other');
    });
  }, 30_000);
});
