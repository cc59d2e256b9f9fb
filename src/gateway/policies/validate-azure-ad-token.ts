import { PolicyError } from '../errors.js';
import { identityFetcher } from '../identity-provider.js';
import { JwtValidationError, JwtValidator, type RequiredClaim } from '../jwt.js';
import type { RequestState } from '../state.js';
import { expressionJwt, keySpecs } from './validate-jwt.js';
import type { PolicyElement, PolicyModule, ValueSource } from './types.js';

/**
 * `<validate-azure-ad-token tenant-id header-name|query-parameter-name|token-value …>` (the corpus's
 * validate-azure-ad-token, POLICY-ENGINE.md §5.7): validate-jwt preset for an Entra ID tenant — keys from
 * the tenant's discovery document (answered by the local identity provider), v1 and v2 issuers of the
 * tenant, and the caller's `appid`/`azp` among `client-application-ids`. `backend-application-ids` and
 * `audiences` restrict `aud`.
 */
export const validateAzureAdToken = {
  name: 'validate-azure-ad-token',
  sections: ['inbound'],
  compile(el, ctx) {
    const tenant = ctx.attr(el, 'tenant-id', { required: true });
    const headerName = ctx.attr(el, 'header-name');
    const queryName = ctx.attr(el, 'query-parameter-name');
    const tokenValue = ctx.attr(el, 'token-value');
    if ([headerName, queryName, tokenValue].filter(Boolean).length > 1) ctx.fail(el, 'use at most one of header-name, query-parameter-name and token-value');
    const httpCode = ctx.attr(el, 'failed-validation-httpcode');
    const errorMessage = ctx.attr(el, 'failed-validation-error-message');
    const outputVariable = ctx.literal(el, 'output-token-variable-name');
    const list = (name: string, child: string): ValueSource[] => {
      const parent = ctx.elements(el, name)[0];
      return parent ? ctx.elements(parent).map((c) => (c.name === child ? (ctx.text(c) ?? ctx.fail(c, `<${child}> is empty`)) : ctx.fail(c, `<${name}> holds <${child}> elements, not <${c.name}>`))) : [];
    };
    const clients = list('client-application-ids', 'application-id');
    if (!clients.length) ctx.fail(el, 'validate-azure-ad-token needs <client-application-ids> with at least one <application-id>');
    const backends = list('backend-application-ids', 'application-id');
    const audiences = list('audiences', 'audience');
    const claimsParent: PolicyElement | undefined = ctx.elements(el, 'required-claims')[0];
    const claims = (claimsParent ? ctx.elements(claimsParent, 'claim') : []).map((c) => ({
      name: ctx.literal(c, 'name', { required: true }),
      match: ((ctx.literal(c, 'match') ?? 'all').toLowerCase() === 'any' ? 'any' : 'all') as 'all' | 'any',
      separator: ctx.literal(c, 'separator'),
      values: ctx.elements(c, 'value').map((v) => ctx.text(v) ?? ctx.fail(v, '<value> is empty')),
    }));
    const decryptionKeys = keySpecs(ctx.elements(el, 'decryption-keys')[0], ctx);
    const validators = new Map<string, JwtValidator>();

    const tokenOf = (state: RequestState): string => {
      if (tokenValue) return tokenValue.string(state).trim();
      if (queryName) return state.request.originalUrl.searchParams.get(queryName.string(state)) ?? '';
      const raw = (state.request.headers.get(headerName ? headerName.string(state) : 'Authorization') ?? '').trim();
      const m = /^Bearer\s+(.+)$/i.exec(raw);
      return m ? m[1]!.trim() : '';
    };
    const fail = (state: RequestState, reason: string, message: string): never => {
      throw new PolicyError({
        source: 'validate-azure-ad-token',
        reason,
        message,
        statusCode: httpCode ? httpCode.number(state) : 401,
        responseMessage: errorMessage ? errorMessage.string(state) : message,
      });
    };
    return {
      name: 'validate-azure-ad-token',
      async run(state) {
        const t = tenant.string(state);
        let validator = validators.get(t);
        if (!validator) {
          validator = new JwtValidator({
            openIdConfigUrls: [`https://login.microsoftonline.com/${t}/v2.0/.well-known/openid-configuration`],
            decryptionKeys,
            fetchJson: identityFetcher(state.services.extensions),
          });
          validators.set(t, validator);
        }
        const allowedAud = [...audiences, ...backends].map((v) => v.string(state)).flatMap((a) => (/^[0-9a-f-]{36}$/i.test(a) ? [a, `api://${a}`] : [a]));
        try {
          const { header, payload } = await validator.validate(
            tokenOf(state),
            {
              audiences: allowedAud,
              issuers: [`https://login.microsoftonline.com/${t}/v2.0`, `https://sts.windows.net/${t}/`],
              requiredClaims: claims.map((c): RequiredClaim => ({ ...c, values: c.values.map((v) => v.string(state)) })),
              requireExpirationTime: true,
              requireSignedTokens: true,
              clockSkewSeconds: 0,
            },
            state.services.clock(),
          );
          const caller = String(payload.azp ?? payload.appid ?? '');
          if (!clients.map((c) => c.string(state)).includes(caller)) fail(state, 'TokenClientApplicationNotAllowed', `Client application '${caller}' is not allowed. Access denied.`);
          if (outputVariable) state.variables.set(outputVariable, expressionJwt(header, payload));
        } catch (err) {
          if (err instanceof JwtValidationError) fail(state, err.reason, err.message);
          throw err;
        }
      },
    };
  },
} satisfies PolicyModule;
