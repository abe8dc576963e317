import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@ostracon/config';
import type { Logger } from 'pino';

/** Where the local provider is mounted; its issuer is PUBLIC_URL + this. */
export const LOCAL_PROVIDER_PATH = '/oidc';

/**
 * A standard OpenID provider (oidc-provider, the certified reference implementation) mounted by
 * the API at /oidc, so that `npm start` and the tests sign people in with nothing external
 * (docs/people.md). Development only: the config refuses LOCAL_OIDC_PROVIDER in production, this
 * refuses again, and the package is a development dependency.
 *
 * Its login page takes any password; the login typed is the account: the subject and the e-mail
 * it returns, verified unless the login starts with `unverified.`. Ostracon then admits only the people invited with that e-mail — the demo
 * people `npm run cli -- demo:seed` invites, or whoever a test invites. ID tokens are ES256, the
 * client authenticates with client_secret_post and must use PKCE: ProConnect's settings.
 */
export async function mountLocalProvider(app: NestFastifyApplication, config: AppConfig, logger: Logger): Promise<void> {
  const oidc = config.signIn.oidc;
  if (config.env === 'production' || !config.signIn.localProvider || !oidc) {
    throw new Error('the local OpenID provider is for development and tests only');
  }
  // An ES module (Node loads it with require from 20.19); lazily, so production never loads it.
  const { default: Provider } = await import('oidc-provider');
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(oidc.issuer, {
    clients: [
      {
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
        redirect_uris: [`${config.signIn.publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${config.signIn.publicUrl}/auth/signed-out`],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...signing, alg: 'ES256', use: 'sig', kid: 'local-es256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount: (_ctx, id) => ({
      accountId: id,
      // A login starting "unverified." shows the refusal of an e-mail the provider does not vouch for.
      claims: () => ({
        sub: id,
        ...(id.includes('@') ? { email: id, email_verified: !id.startsWith('unverified.') } : {}),
        name: `Demo ${id.split('@')[0]}`,
      }),
    }),
    // No consent screen: the local provider's one client is ours.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  // Its own log lines are development noise: the warnings of a provider meant for development.
  provider.on('server_error', (_ctx: unknown, error: Error) => logger.error({ err: error }, 'local OpenID provider error'));
  app.use(LOCAL_PROVIDER_PATH, provider.callback());
  logger.warn(`local OpenID provider at ${oidc.issuer}: development only, any password signs in`);
}
