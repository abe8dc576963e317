import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import * as oidc from 'openid-client';
import { AuthErrors } from './auth.errors';

/**
 * The provider as readiness reports it (`checks.signIn`): `ok` its metadata was discovered (or it
 * is the development provider, mounted in this process), `checking` the first discovery is under
 * way, `unavailable` it failed (wrong issuer, unreachable, not a provider) and is retried,
 * `off` no provider is configured.
 */
export type ProviderStatus = 'ok' | 'checking' | 'unavailable' | 'off';

/** Retries of the discovery at start: 1 s, doubling, at most a minute apart. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;

/**
 * The OpenID provider (ProConnect in production) as the sign-in sees it: its metadata, discovered
 * at start (a clear log line, retried in the background with backoff, never holding the start) and
 * again on demand after a failure; the authorization request and the end-session URL built with
 * only the parameters ProConnect accepts (docs/people.md § ProConnect).
 */
@Injectable()
export class OidcProvider implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SignIn');
  private discovered: Promise<oidc.Configuration> | null = null;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: ProviderStatus;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const settings = config.signIn.oidc;
    this.current = settings === null ? 'off' : config.signIn.localProvider ? 'ok' : 'checking';
  }

  get status(): ProviderStatus {
    return this.current;
  }

  /**
   * Checks the provider as the process starts, in the background: a wrong or unreachable
   * OIDC_ISSUER shows in the log and in readiness at once, not at the first person's sign-in. The
   * development provider is mounted in this very process, which is not listening yet: not checked.
   */
  onApplicationBootstrap(): void {
    if (this.config.signIn.oidc === null || this.config.signIn.localProvider) return;
    this.check(RETRY_FIRST_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private check(nextDelayMs: number): void {
    this.configuration().then(
      () => undefined,
      () => {
        if (this.stopped) return;
        this.logger.warn(`sign-in: retrying the discovery of the OpenID provider in ${Math.round(nextDelayMs / 1000)} s`);
        this.retry = setTimeout(() => this.check(Math.min(nextDelayMs * 2, RETRY_MAX_MS)), nextDelayMs);
        this.retry.unref();
      },
    );
  }

  /** The provider's metadata, discovered once (again after a failure); 503 SIGN_IN.PROVIDER_UNAVAILABLE when it fails. */
  configuration(): Promise<oidc.Configuration> {
    const settings = this.config.signIn.oidc;
    if (!settings) throw new DomainError(AuthErrors.signInUnavailable, 'Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
    this.discovered ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        { id_token_signed_response_alg: settings.idTokenSigningAlg },
        oidc.ClientSecretPost(settings.clientSecret),
        // http only outside production (config refuses it there): the local provider.
        settings.issuer.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .then((configuration) => {
        // openid-client trusts TLS for an ID token from the token endpoint (OIDC Core 3.1.3.7); the
        // signature is checked against the provider's keys as well, so a token altered anywhere
        // on its way is refused.
        oidc.enableNonRepudiationChecks(configuration);
        if (this.current !== 'ok') {
          this.logger.log(`sign-in: OpenID provider ${settings.issuer} discovered; people can sign in (PKCE: ${pkceOf(configuration)})`);
        }
        this.current = 'ok';
        return configuration;
      })
      .catch((error: unknown) => {
        this.discovered = null;
        if (!this.config.signIn.localProvider) this.current = 'unavailable';
        // The library's message says which (unreachable, not JSON, another issuer); never a secret.
        this.logger.error(
          `sign-in: OpenID provider ${settings.issuer} unavailable: ${(error as Error).message}; people cannot sign in until it answers (check OIDC_ISSUER)`,
        );
        throw new DomainError(AuthErrors.providerUnavailable, undefined, undefined, { 'retry-after': '5' });
      });
    return this.discovered;
  }

  /**
   * The authorization request, with only the parameters ProConnect accepts (any other is refused
   * with Y000400): response_type and client_id (added by the library), redirect_uri, scope, state,
   * nonce, `claims` when an acr is required, and PKCE only when the provider advertises S256 in
   * `code_challenge_methods_supported`.
   */
  async authorizationUrl(
    configuration: oidc.Configuration,
    request: { redirectUri: string; state: string; nonce: string; codeVerifier: string | null },
  ): Promise<URL> {
    const settings = this.config.signIn.oidc!;
    const parameters: Record<string, string> = {
      redirect_uri: request.redirectUri,
      scope: settings.scopes,
      state: request.state,
      nonce: request.nonce,
    };
    if (request.codeVerifier !== null) {
      parameters.code_challenge = await oidc.calculatePKCECodeChallenge(request.codeVerifier);
      parameters.code_challenge_method = 'S256';
    }
    const acr = settings.acrValues;
    if (acr.length > 0) {
      // OIDC Core 5.5.1, as ProConnect documents it (certification-dirigeant.md): an essential acr.
      parameters.claims = JSON.stringify({
        id_token: { acr: acr.length === 1 ? { essential: true, value: acr[0] } : { essential: true, values: acr } },
      });
    }
    return oidc.buildAuthorizationUrl(configuration, parameters);
  }

  /** Whether this provider takes PKCE (S256 advertised): then the sign-in uses it, else it sends none. */
  usesPkce(configuration: oidc.Configuration): boolean {
    return pkceOf(configuration) === 'S256';
  }

  /**
   * Whether the ID token's `acr` is one the service requires (OIDC_ACR_VALUES; anything when
   * none is required). ProConnect's identity providers send `eidas1`.
   */
  acrAccepted(acr: unknown): boolean {
    const required = this.config.signIn.oidc!.acrValues;
    return required.length === 0 || (typeof acr === 'string' && required.includes(acr));
  }

  /**
   * The provider's end-session URL (RP-initiated logout) with what ProConnect requires:
   * id_token_hint, state and post_logout_redirect_uri; null when it has no end-session endpoint.
   */
  endSessionUrl(configuration: oidc.Configuration, request: { idToken: string | null; state: string; postLogoutRedirectUri: string }) {
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(configuration, {
      ...(request.idToken ? { id_token_hint: request.idToken } : {}),
      state: request.state,
      post_logout_redirect_uri: request.postLogoutRedirectUri,
    });
  }
}

function pkceOf(configuration: oidc.Configuration): 'S256' | 'none' {
  return configuration.serverMetadata().code_challenge_methods_supported?.includes('S256') ? 'S256' : 'none';
}
