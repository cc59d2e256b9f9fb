import { PolicyError } from '../errors.js';
import { IDENTITY_PROVIDER_EXTENSION, LocalIdentityProvider } from '../identity-provider.js';
import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/**
 * `<authentication-managed-identity resource="…" client-id="…" output-token-variable-name="…" ignore-error="false"/>`
 * (§5.3). Locally there is no managed identity: the token is minted by the project's local identity
 * provider (the one `apimops token` and `validate-jwt` use) with `aud` = resource, so a backend served by
 * another local gateway accepts it. Sets `Authorization: Bearer …` and, when named, the variable.
 */
export const authenticationManagedIdentity = {
  name: 'authentication-managed-identity',
  sections: ['inbound'],
  compile(el, ctx) {
    const resource = ctx.attr(el, 'resource', { required: true });
    const clientId = ctx.literal(el, 'client-id');
    const varName = ctx.literal(el, 'output-token-variable-name');
    const ignore = (ctx.literal(el, 'ignore-error') ?? 'false').toLowerCase() === 'true';
    return {
      name: 'authentication-managed-identity',
      async run(state) {
        const idp = state.services.extensions.get(IDENTITY_PROVIDER_EXTENSION);
        if (!(idp instanceof LocalIdentityProvider)) {
          if (ignore) return;
          throw new PolicyError({ source: 'authentication-managed-identity', reason: 'TokenNotAvailable', message: 'No local identity provider is installed to issue a managed identity token', statusCode: 500 });
        }
        const token = await idp.mint({ aud: resource.string(state), sub: clientId ?? 'apimops-managed-identity', expiresIn: 3600, now: state.services.clock() });
        if (varName) state.variables.set(varName, token);
        const t = targetOf(state);
        (t.kind === 'request' ? t.message.headers : state.request.headers).set('Authorization', `Bearer ${token}`);
      },
    };
  },
} satisfies PolicyModule;
