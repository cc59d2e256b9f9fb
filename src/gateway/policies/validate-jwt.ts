import { PolicyError } from '../errors.js';
import { identityFetcher } from '../identity-provider.js';
import { Jwt } from '../../expressions/auth.js';
import { CsDictionary } from '../../expressions/values.js';
import { claimValues, JwtValidationError, JwtValidator, type KeySpec, type RequiredClaim, type ValidatedToken } from '../jwt.js';
import type { RequestState } from '../state.js';
import type { CompileContext, PolicyElement, PolicyModule, ValueSource } from './types.js';

/** Reads `<key>` children of `<issuer-signing-keys>` / `<decryption-keys>` into key specs, at load. */
export function keySpecs(parent: PolicyElement | undefined, ctx: CompileContext): KeySpec[] {
  if (!parent) return [];
  const out: KeySpec[] = [];
  for (const key of ctx.elements(parent)) {
    if (key.name !== 'key') ctx.fail(key, `<${parent.name}> holds <key> elements, not <${key.name}>`);
    const id = ctx.literal(key, 'id');
    const n = ctx.literal(key, 'n');
    const e = ctx.literal(key, 'e');
    if (ctx.literal(key, 'certificate-id') !== undefined) {
      ctx.warn(key, 'certificate-id keys need the certificate resource, which a local gateway does not have: paste the certificate (PEM) as the key text instead; this key is skipped');
      continue;
    }
    if (n !== undefined || e !== undefined) {
      if (!n || !e) ctx.fail(key, 'an RSA <key> needs both n and e (Base64url)');
      out.push({ kind: 'rsa', id, n, e });
      continue;
    }
    const text = ctx.text(key);
    if (!text) ctx.fail(key, '<key> needs a Base64 symmetric key, a PEM certificate or public key, or n and e');
    if (text.isExpression) ctx.fail(key, 'a <key> must be literal text (or a named value), not an expression');
    const raw = text.literal!.trim();
    if (raw.includes('-----BEGIN')) {
      out.push({ kind: 'pem', id, pem: raw });
      continue;
    }
    if (!/^[A-Za-z0-9+/=_-]+$/.test(raw)) ctx.fail(key, '<key> text is not Base64');
    out.push({ kind: 'symmetric', id, secret: new Uint8Array(Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64')) });
  }
  return out;
}

function texts(parent: PolicyElement | undefined, child: string, ctx: CompileContext): ValueSource[] {
  if (!parent) return [];
  return ctx.elements(parent).map((c) => {
    if (c.name !== child) ctx.fail(c, `<${parent.name}> holds <${child}> elements, not <${c.name}>`);
    return ctx.text(c) ?? ctx.fail(c, `<${child}> is empty`);
  });
}

/**
 * `<validate-jwt header-name|query-parameter-name|token-value …>` (POLICY-ENGINE.md §5.4) on `jwt.ts`.
 * A failure is an error (on-error runs) with APIM's Reason and the `failed-validation-httpcode` (401).
 * `openid-config` URLs on Entra ID hosts (and `serve.identityHosts`) are answered by the local identity
 * provider, so tokens from `apimops token` validate with the policy unchanged.
 */
export const validateJwt = {
  name: 'validate-jwt',
  sections: ['inbound'],
  compile(el, ctx) {
    const headerName = ctx.attr(el, 'header-name');
    const queryName = ctx.attr(el, 'query-parameter-name');
    const tokenValue = ctx.attr(el, 'token-value');
    const sources = [headerName, queryName, tokenValue].filter(Boolean).length;
    if (sources !== 1) ctx.fail(el, 'validate-jwt needs exactly one of header-name, query-parameter-name and token-value');
    const httpCode = ctx.attr(el, 'failed-validation-httpcode');
    const errorMessage = ctx.attr(el, 'failed-validation-error-message');
    const requireExp = ctx.attr(el, 'require-expiration-time');
    const requireScheme = ctx.attr(el, 'require-scheme');
    const requireSigned = ctx.attr(el, 'require-signed-tokens');
    const clockSkew = ctx.attr(el, 'clock-skew');
    const outputVariable = ctx.literal(el, 'output-token-variable-name');
    const known = new Set(['openid-config', 'issuer-signing-keys', 'decryption-keys', 'audiences', 'issuers', 'required-claims']);
    for (const c of ctx.elements(el)) if (!known.has(c.name)) ctx.fail(c, `<validate-jwt> does not take <${c.name}>`);
    const one = (name: string): PolicyElement | undefined => ctx.elements(el, name)[0];
    const openIdUrls = ctx.elements(el, 'openid-config').map((c) => ctx.literal(c, 'url', { required: true }));
    const signingKeys = keySpecs(one('issuer-signing-keys'), ctx);
    const decryptionKeys = keySpecs(one('decryption-keys'), ctx);
    const audiences = texts(one('audiences'), 'audience', ctx);
    const issuers = texts(one('issuers'), 'issuer', ctx);
    const claims = (one('required-claims') ? ctx.elements(one('required-claims')!) : []).map((c) => {
      if (c.name !== 'claim') ctx.fail(c, `<required-claims> holds <claim> elements, not <${c.name}>`);
      const match = (ctx.literal(c, 'match') ?? 'all').toLowerCase();
      if (match !== 'all' && match !== 'any') ctx.fail(c, `claim@match must be all or any, not "${match}"`);
      return { name: ctx.literal(c, 'name', { required: true }), match: match as 'all' | 'any', separator: ctx.literal(c, 'separator'), values: texts(c, 'value', ctx) };
    });
    let validator: JwtValidator | undefined;

    const tokenOf = (state: RequestState): string => {
      if (tokenValue) return tokenValue.string(state).trim();
      if (queryName) return state.request.originalUrl.searchParams.get(queryName.string(state)) ?? '';
      const name = headerName!.string(state);
      const raw = (state.request.headers.get(name) ?? '').trim();
      if (name.toLowerCase() !== 'authorization') return raw;
      const scheme = requireScheme?.string(state);
      const space = raw.indexOf(' ');
      const given = space > 0 ? raw.slice(0, space) : '';
      if (scheme !== undefined && given.toLowerCase() !== scheme.toLowerCase()) return '';
      // Without require-scheme APIM still takes the token after a scheme (`Bearer …`) from Authorization.
      return space > 0 ? raw.slice(space + 1).trim() : raw;
    };

    const rulesOf = (state: RequestState) => ({
      audiences: audiences.map((a) => a.string(state)),
      issuers: issuers.map((i) => i.string(state)),
      requiredClaims: claims.map((c): RequiredClaim => ({ name: c.name, match: c.match, separator: c.separator, values: c.values.map((v) => v.string(state)) })),
      requireExpirationTime: requireExp ? requireExp.bool(state) : true,
      requireSignedTokens: requireSigned ? requireSigned.bool(state) : true,
      clockSkewSeconds: clockSkew ? clockSkew.number(state) : 0,
    });
    // Rules without expressions are read once, here, instead of on every request.
    const dynamic = [...audiences, ...issuers, ...claims.flatMap((c) => c.values), requireExp, requireSigned, clockSkew].some((v) => v?.isExpression);
    let fixedRules: ReturnType<typeof rulesOf> | undefined;
    if (!dynamic) {
      try {
        fixedRules = rulesOf(undefined as unknown as RequestState);
      } catch (e) {
        ctx.fail(el, `validate-jwt: ${(e as Error).message}`);
      }
    }

    return {
      name: 'validate-jwt',
      run(state) {
        validator ??= new JwtValidator({ signingKeys, decryptionKeys, openIdConfigUrls: openIdUrls, fetchJson: identityFetcher(state.services.extensions) });
        const v = validator;
        const rules = fixedRules ?? rulesOf(state);
        const token = tokenOf(state);
        const now = state.services.clock();
        const accept = (t: ValidatedToken): void => {
          if (outputVariable) state.variables.set(outputVariable, expressionJwt(t.header, t.payload));
        };
        const reject = (err: unknown): never => {
          if (!(err instanceof JwtValidationError)) throw err;
          throw new PolicyError({
            source: 'validate-jwt',
            reason: err.reason,
            message: err.message,
            statusCode: httpCode ? httpCode.number(state) : 401,
            responseMessage: errorMessage ? errorMessage.string(state) : err.message,
          });
        };
        // A token verified before is answered synchronously (no promise on the hot path).
        let cached: ValidatedToken | undefined;
        try {
          cached = v.validateCached(token, rules, now);
        } catch (err) {
          reject(err);
        }
        if (cached) return accept(cached);
        return v.validate(token, rules, now).then(accept, reject);
      },
    };
  },
} satisfies PolicyModule;

/** The `Jwt` object expressions know (`(Jwt)context.Variables["jwt"]`, `.Claims.GetValueOrDefault(…)`). */
export function expressionJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Jwt {
  const claims = new CsDictionary<string[]>('ordinal', true);
  claims.multiValue = true; // Claims.GetValueOrDefault joins a multi-valued claim with "," (as AsJwt() does).
  for (const [k, v] of Object.entries(payload)) claims.set(k, claimValues(v));
  return new Jwt(header, payload, claims);
}
