import { createHash, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { PolicyError } from '../errors.js';
import type { ClientCertificate } from '../state.js';
import type { CompileContext, PolicyElement, PolicyModule, RequestState } from './types.js';

export type { ClientCertificate } from '../state.js';

/**
 * `<authentication-certificate thumbprint="…" | certificate-id="…" | body="@(byte[])" password="…"/>`
 * (§5.3): the backend call (forward-request, or the send-request it sits in) presents this client TLS
 * certificate. APIM takes certificates from the service's certificate store; a local gateway has no store,
 * so `serve` loads them from files named in `apimops.yaml` (`serve.certificates: { name: path }`) or
 * `--certificate name=path` (PEM with the certificate and its key, or PFX/PKCS#12; the password from
 * `APIMOPS_CERTIFICATE_PASSWORD_<NAME>`). `certificate-id` is that name; `thumbprint` is matched against
 * the SHA-1 thumbprints of the loaded certificates. An unknown literal id/thumbprint fails the load at the
 * element; an expression that names no certificate, or a `body` that is not a certificate, fails the
 * request (on-error, `LastError.Source` = `authentication-certificate`).
 */
export const authenticationCertificate = {
  name: 'authentication-certificate',
  sections: ['inbound'],
  compile(el, ctx) {
    const choose = compileCertificateChoice(el, ctx);
    return {
      name: 'authentication-certificate',
      run(state) {
        state.clientCertificate = choose(state);
      },
    };
  },
} satisfies PolicyModule;

/**
 * Compiles the attributes of an `authentication-certificate` element into a function that picks the
 * certificate for one request (also used by send-request / send-one-way-request for their own message).
 */
export function compileCertificateChoice(el: PolicyElement, ctx: CompileContext): (state: RequestState) => ClientCertificate {
  const thumbprint = ctx.attr(el, 'thumbprint');
  const id = ctx.attr(el, 'certificate-id');
  const body = ctx.attr(el, 'body');
  const password = ctx.attr(el, 'password');
  const given = [thumbprint, id, body].filter((x) => x !== undefined).length;
  if (given !== 1) ctx.fail(el, '<authentication-certificate> needs exactly one of thumbprint, certificate-id or body');
  const certs = ctx.config.certificates ?? new Map<string, ClientCertificate>();
  const hint = certs.size === 0
    ? 'no certificates are configured for serve (serve.certificates in apimops.yaml, or --certificate name=path)'
    : `configured: ${[...certs.keys()].join(', ')}`;
  if (id) {
    if (!id.isExpression) {
      const name = id.literal!.trim();
      const cert = certs.get(name) ?? ctx.fail(el, `certificate "${name}" is not configured for serve (${hint})`);
      return () => cert;
    }
    return (state) => {
      const name = id.string(state).trim();
      const cert = certs.get(name);
      if (!cert) throw certificateError(`Certificate "${name}" was not found`);
      return cert;
    };
  }
  if (thumbprint) {
    const find = (t: string) => byThumbprint(certs, t);
    if (!thumbprint.isExpression) {
      const t = thumbprint.literal!.trim();
      const cert = find(t) ?? ctx.fail(el, `no configured certificate has the thumbprint ${t} (${hint})`);
      return () => cert;
    }
    return (state) => {
      const t = thumbprint.string(state).trim();
      const cert = find(t);
      if (!cert) throw certificateError(`Certificate with thumbprint ${t} was not found`);
      return cert;
    };
  }
  return (state) => {
    const v = body!.value(state);
    if (!(v instanceof Uint8Array) || v.length === 0) throw certificateError('authentication-certificate@body must be a non-empty byte[]');
    return certificateFromBody(state, v, password?.string(state));
  };
}

/**
 * The client certificate a backend entity presents (`credentials.certificateIds`: certificate resource ids,
 * whose last segment is the certificate's name; or the older `credentials.certificate`: thumbprints), from
 * the certificates configured for serve. `missing` lists what the backend names but serve does not have.
 */
export function backendCertificate(
  credentials: Readonly<Record<string, unknown>> | undefined,
  certs: ReadonlyMap<string, ClientCertificate> | undefined,
): { certificate?: ClientCertificate; missing: string[] } {
  const ids = Array.isArray(credentials?.certificateIds) ? credentials.certificateIds.map(String) : [];
  const thumbprints = Array.isArray(credentials?.certificate) ? credentials.certificate.map(String) : [];
  const missing: string[] = [];
  let certificate: ClientCertificate | undefined;
  for (const id of ids) {
    const name = id.split('/').filter((s) => s.length > 0).pop() ?? id;
    const c = certs?.get(name);
    if (c) certificate ??= c;
    else missing.push(name);
  }
  for (const t of thumbprints) {
    const c = certs ? byThumbprint(certs, t) : undefined;
    if (c) certificate ??= c;
    else missing.push(`thumbprint ${normalizeThumbprint(t)}`);
  }
  return { certificate, missing };
}

function byThumbprint(certs: ReadonlyMap<string, ClientCertificate>, t: string): ClientCertificate | undefined {
  const want = normalizeThumbprint(t);
  for (const c of certs.values()) if (c.thumbprint === want) return c;
  return undefined;
}

/** `AB:CD…`, `ab cd…` → `ABCD…` (how the portal and `X509Certificate2.Thumbprint` spell it). */
export function normalizeThumbprint(t: string): string {
  return t.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

function certificateError(message: string, cause?: unknown): PolicyError {
  return new PolicyError({ source: 'authentication-certificate', reason: 'CertificateNotFound', message, statusCode: 500, cause });
}

/** Per gateway: certificates from `body`, by content, so a body seen again does not parse again. */
const BODY_CACHE_EXTENSION = 'apimops.authenticationCertificate.bodies';
const BODY_CACHE_MAX = 64;

function certificateFromBody(state: RequestState, bytes: Uint8Array, password: string | undefined): ClientCertificate {
  let cache = state.services.extensions.get(BODY_CACHE_EXTENSION) as Map<string, ClientCertificate> | undefined;
  if (!cache) state.services.extensions.set(BODY_CACHE_EXTENSION, (cache = new Map()));
  const key = createHash('sha256').update(bytes).update('\0').update(password ?? '').digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  let cert: ClientCertificate;
  try {
    cert = readClientCertificate('body', Buffer.from(bytes), password);
  } catch (e) {
    throw certificateError(`The certificate in authentication-certificate@body could not be read: ${(e as Error).message}`, e);
  }
  if (cache.size >= BODY_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, cert);
  return cert;
}

/**
 * Reads a client certificate: PEM text holding the certificate and its private key (an encrypted key takes
 * `password`), or PFX/PKCS#12 bytes (with `password`). Throws an Error saying what is wrong.
 */
export function readClientCertificate(name: string, data: Buffer, password?: string): ClientCertificate {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const key = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(text)?.[0];
    if (certs.length === 0) throw new Error('the PEM data holds no CERTIFICATE');
    if (!key) throw new Error('the PEM data holds no PRIVATE KEY (a client certificate needs its key)');
    const cert = certs.join('\n');
    // Fails here (at load) rather than on the first request when the key does not match or cannot be decrypted.
    createSecureContext({ cert, key, passphrase: password });
    return { name, thumbprint: thumbprintOf(Buffer.from(certs[0]!)), tls: { cert, key, ...(password !== undefined ? { passphrase: password } : {}) } };
  }
  const context = createSecureContext({ pfx: data, passphrase: password });
  // The certificate inside a PFX: node's SecureContext exposes it (DER) as `context.getCertificate()`.
  const der = (context as unknown as { context?: { getCertificate?(): Buffer | null } }).context?.getCertificate?.();
  return { name, thumbprint: der ? thumbprintOf(der) : undefined, tls: { pfx: data, ...(password !== undefined ? { passphrase: password } : {}) } };
}

function thumbprintOf(certificate: Buffer): string {
  return normalizeThumbprint(new X509Certificate(certificate).fingerprint);
}
