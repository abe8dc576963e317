import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';

/** The authorization parameters ProConnect accepts (doc_fs/implementation_technique.md § 2.2); any other: Y000400. */
export const PROCONNECT_AUTHORIZE_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'claims',
  'state',
  'nonce',
  'prompt',
  'idp_hint',
  'login_hint',
  'acr_values',
];

export interface ProConnectProvider {
  issuer: string;
  client: { id: string; secret: string };
  /** Every authorization request received, as sent (before any check). */
  authorizeRequests: URLSearchParams[];
  /** Every end-session request received. */
  endSessionRequests: URLSearchParams[];
  /** The next sign-in at the provider: its account (the e-mail) and the acr its identity provider reports. */
  nextLogin: { email: string; acr: string };
  /** Whether `claims` is passed on to the provider library (false: a provider that ignores it). */
  honourClaims: boolean;
  close(): Promise<void>;
}

/**
 * A standalone OpenID provider with ProConnect's rules, started by a test: oidc-provider (the
 * certified implementation the development provider uses too), at an issuer of the form
 * `…/api/v2`, with ES256 ID tokens, `client_secret_post`, userinfo as a signed JWT (ES256), its
 * scopes (given_name, usual_name, email, uid, siret, idp_id), `acr` eidas1, and in front of it
 * ProConnect's refusals: an authorization request with a parameter it does not accept gets 400
 * Y000400, an end-session request without `state`, `id_token_hint` or `post_logout_redirect_uri`
 * gets 400. `pkce`: whether the discovery advertises `code_challenge_methods_supported` (and so
 * accepts code_challenge); ProConnect's documentation lists no PKCE parameter.
 *
 * There is no login form: each interaction signs in `nextLogin` at once, as an identity provider would.
 */
export async function startProConnectProvider(options: {
  port: number;
  redirectUri: string;
  postLogoutRedirectUri: string;
  pkce: boolean;
}): Promise<ProConnectProvider> {
  const { default: Provider } = await import('oidc-provider');
  const issuer = `http://127.0.0.1:${options.port}/api/v2`;
  const client = { id: `pc-${randomBytes(4).toString('hex')}`, secret: randomBytes(32).toString('hex') };
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const state: ProConnectProvider = {
    issuer,
    client,
    authorizeRequests: [],
    endSessionRequests: [],
    nextLogin: { email: 'nobody@example.fr', acr: 'eidas1' },
    honourClaims: true,
    close: async () => undefined,
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
        userinfo_signed_response_alg: 'ES256',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...signing, alg: 'ES256', use: 'sig', kid: 'pc-es256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => options.pkce },
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    scopes: ['openid', 'given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id'],
    claims: {
      openid: ['sub'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      email: ['email'],
      uid: ['uid'],
      siret: ['siret'],
      idp_id: ['idp_id'],
      acr: null,
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      jwks: '/jwks',
      end_session: '/session/end',
    },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/api/v2/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => ({
      accountId: id,
      // ProConnect's claims: no email_verified (its e-mails are verified), given_name + usual_name.
      claims: () => ({
        sub: id,
        email: id,
        given_name: 'Camille',
        usual_name: 'Martin',
        uid: id,
        siret: '13002526500013',
        idp_id: 'fia1v2',
      }),
    }),
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid given_name usual_name email uid siret idp_id');
      grant.addOIDCClaims(['acr']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const refuse = (code: string) => {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: code }));
      };
      if (url.pathname === '/api/v2/.well-known/openid-configuration' && !options.pkce && !req.headers['x-inner']) {
        // A provider that does not advertise PKCE: the metadata without code_challenge_methods_supported.
        const answer = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { 'x-inner': '1' } });
        const metadata = (await answer.json()) as Record<string, unknown>;
        delete metadata.code_challenge_methods_supported;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
        return;
      }
      if (url.pathname === '/api/v2/authorize') {
        state.authorizeRequests.push(new URLSearchParams(url.searchParams));
        const accepted = options.pkce
          ? [...PROCONNECT_AUTHORIZE_PARAMETERS, 'code_challenge', 'code_challenge_method']
          : PROCONNECT_AUTHORIZE_PARAMETERS;
        if ([...url.searchParams.keys()].some((name) => !accepted.includes(name))) return refuse('Y000400');
        if (!state.honourClaims && url.searchParams.has('claims')) {
          url.searchParams.delete('claims');
          req.url = `${url.pathname}?${url.searchParams.toString()}`;
        }
      }
      if (url.pathname === '/api/v2/session/end' && req.method === 'GET') {
        state.endSessionRequests.push(new URLSearchParams(url.searchParams));
        for (const required of ['id_token_hint', 'state', 'post_logout_redirect_uri']) {
          if (!url.searchParams.get(required)) return refuse('Y000400');
        }
      }
      const interaction = /^\/api\/v2\/interaction\/([^/]+)$/.exec(url.pathname);
      if (interaction) {
        const { email, acr } = state.nextLogin;
        await provider.interactionFinished(req, res, { login: { accountId: email, acr } }, { mergeWithLastSubmission: false });
        return;
      }
      // Mounted at /api/v2, as Express would: the library reads the mount path from originalUrl.
      const original = req.url ?? '/';
      (req as { originalUrl?: string }).originalUrl = original;
      req.url = original.slice('/api/v2'.length) || '/';
      void callback(req, res);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
