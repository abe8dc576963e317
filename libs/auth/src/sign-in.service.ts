import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock, DomainError, text, actorOf } from '@ostracon/common';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import * as oidc from 'openid-client';
import { type SignInAttemptsRow, queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import { AuthErrors } from './auth.errors';
import type { SignedOut } from './auth.schemas';
import { OidcProvider } from './oidc-provider';
import { PeopleService, type SignInIdentity } from './people.service';
import { SessionStore, type StartedSession } from './session.store';

/** How long a browser has to come back from the provider. */
const ATTEMPT_MS = 10 * 60_000;
/** Where a signed-in person lands when the sign-in did not say (who they are, as JSON). */
export const DEFAULT_RETURN_TO = '/auth/signed-in';

/** GET /auth/sign-in's query: where to land afterwards (a path of this site; anything else lands on DEFAULT_RETURN_TO). */
export const signInQuerySchema = z.strictObject({
  returnTo: text()
    .max(512)
    .optional()
    .meta({ description: `A path of this site to land on (default ${DEFAULT_RETURN_TO})` }),
});

/** Why a sign-in was refused: stable codes, in the audit log and on the refusal page. */
export type SignInRefusal =
  'attempt_unknown' | 'provider_error' | 'protocol_error' | 'unknown_person' | 'removed_person' | 'email_not_verified';

export class SignInRefused extends Error {
  constructor(
    readonly reason: SignInRefusal,
    readonly detail?: string,
  ) {
    super(`sign-in refused: ${reason}`);
    this.name = 'SignInRefused';
  }
}

export interface SignedIn extends StartedSession {
  returnTo: string;
}

/**
 * A path of this site to come back to after signing in: absolute path, no scheme or host, no
 * `//` or backslash that a browser would read as another host (an open redirect otherwise).
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return DEFAULT_RETURN_TO;
  if (!/^\/(?![/\\])[\x21-\x7E]*$/.test(value) || value.includes('\\')) return DEFAULT_RETURN_TO;
  return value;
}

const hashOf = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * People sign in with OpenID Connect, authorization code with PKCE, through openid-client (a
 * certified relying party; docs/decisions/0006): discovery, `state`, `nonce` and the ID token are
 * checked by the library, the user's e-mail and name come from the userinfo endpoint (ProConnect
 * puts only `sub` in the ID token). A sign-in in progress is a row of `sign_in_attempts` (the only
 * owner) bound to the browser by a short-lived cookie, and read once: a replayed callback finds
 * nothing. Every sign-in, refusal and sign-out is audited.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger('SignIn');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly people: PeopleService,
    private readonly sessions: SessionStore,
    private readonly provider: OidcProvider,
  ) {}

  get configured(): boolean {
    return this.config.signIn.oidc !== null;
  }

  get redirectUri(): string {
    return `${this.config.signIn.publicUrl}/auth/callback`;
  }

  /** Starts a sign-in: the provider's URL to send the browser to, and the attempt's cookie. */
  async begin(returnTo: unknown): Promise<{ attempt: string; url: URL }> {
    this.settings();
    const configuration = await this.provider.configuration();
    // PKCE when the provider advertises S256 (code_challenge_methods_supported), else none: an
    // unknown parameter is refused by ProConnect (Y000400). '' in the row stands for none.
    const verifier = this.provider.usesPkce(configuration) ? oidc.randomPKCECodeVerifier() : null;
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await this.provider.authorizationUrl(configuration, {
      redirectUri: this.redirectUri,
      state,
      nonce,
      codeVerifier: verifier,
    });
    const attempt = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.dataSource.query(`DELETE FROM sign_in_attempts WHERE expires_at < $1`, [now]);
    await this.dataSource.query(
      `INSERT INTO sign_in_attempts (id_hash, state, nonce, code_verifier, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [hashOf(attempt), state, nonce, verifier ?? '', safeReturnTo(returnTo), new Date(now.getTime() + ATTEMPT_MS)],
    );
    return { attempt, url };
  }

  /**
   * Completes a sign-in from the provider's redirect: the attempt (read once), the code exchanged
   * with every check, the person matched, a session started. Throws SignInRefused, audited.
   * `previousSession`, the session cookie the browser still carried: that session ends with the
   * new one's start (audited as a sign-out), so a browser holds one live session, not two.
   */
  async complete(attempt: string | undefined, callbackUrl: URL, previousSession?: string): Promise<SignedIn> {
    const settings = this.settings();
    try {
      const rows =
        attempt === undefined
          ? []
          : await queryRows<SignInAttemptsRow>(this.dataSource, `DELETE FROM sign_in_attempts WHERE id_hash = $1 RETURNING *`, [
              hashOf(attempt),
            ]);
      const pending = rows[0];
      if (!pending || pending.expires_at.getTime() <= this.clock.now().getTime()) throw new SignInRefused('attempt_unknown');
      if (callbackUrl.searchParams.has('error')) {
        // An OAuth error code is [a-z_]; anything else is not the provider's to write in the log.
        const code = callbackUrl.searchParams.get('error') ?? '';
        throw new SignInRefused('provider_error', /^[a-z_]{1,64}$/.test(code) ? code : 'unrecognised');
      }
      const configuration = await this.provider.configuration();
      let identity: SignInIdentity;
      let idToken: string | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
          pkceCodeVerifier: pending.code_verifier === '' ? undefined : pending.code_verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims()!;
        // The level of assurance the service requires (OIDC_ACR_VALUES; eidas1 with ProConnect).
        if (!this.provider.acrAccepted(claims.acr)) throw Object.assign(new Error('acr'), { code: 'acr_not_accepted' });
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        idToken = tokens.id_token;
        identity = {
          issuer: claims.iss,
          subject: claims.sub,
          email: typeof info.email === 'string' ? info.email : undefined,
          // OIDC_EMAILS_VERIFIED stands for a claim the provider does not send, never against one it does.
          emailVerified: info.email_verified === true || (settings.emailsVerified && info.email_verified === undefined),
          displayName: displayNameOf(info),
        };
      } catch (error) {
        // The library's code (e.g. OAUTH_INVALID_RESPONSE, invalid_grant), never the token.
        const code = (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
        throw new SignInRefused('protocol_error', typeof code === 'string' ? code.slice(0, 64) : 'unexpected');
      }
      return await this.dataSource.transaction(async (em) => {
        const match = await this.people.matchSignIn(em, identity);
        if (!match.ok) throw new SignInRefused(match.reason, match.personId);
        const replaced = previousSession === undefined ? null : await this.sessions.endReplaced(em, previousSession);
        if (replaced) {
          await this.audit.record(em, {
            type: 'person.signed_out',
            actor: `person:${replaced.personId}@${replaced.organisationId}`,
            data: { personId: replaced.personId, organisationId: replaced.organisationId, reason: 'signed_in_again' },
          });
        }
        const session = await this.sessions.start(em, match.person.id, idToken ?? null);
        const caller = {
          kind: 'person' as const,
          id: match.person.id,
          name: match.person.organisationName,
          role: match.person.role,
          organisationId: match.person.organisationId,
          platformId: null,
        };
        await this.audit.record(em, {
          type: 'person.signed_in',
          actor: actorOf(caller),
          data: { personId: caller.id, organisationId: caller.organisationId, role: caller.role },
        });
        return { ...session, returnTo: pending.return_to };
      });
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      // A return without any attempt of this browser is nobody's sign-in: refused, not logged
      // (anyone can request the URL; the caller counts it against the source).
      if (attempt !== undefined) await this.refused(error);
      throw error;
    }
  }

  /** The live session of a cookie (for sign-out's cross-site check). */
  sessionOf(cookie: string) {
    return this.sessions.find(cookie);
  }

  /**
   * Ends the session of this cookie (audited) and says where to send the browser to end the
   * provider's session too (RP-initiated logout), when the provider has an end-session endpoint.
   */
  async signOut(cookie: string): Promise<SignedOut & { state?: string }> {
    const session = await this.sessions.find(cookie);
    if (!session) return { endSessionUrl: null };
    await this.dataSource.transaction(async (em) => {
      await this.sessions.end(cookie, 'signed_out', em);
      await this.audit.record(em, {
        type: 'person.signed_out',
        actor: actorOf(session.caller),
        data: { personId: session.caller.id, organisationId: session.caller.organisationId },
      });
    });
    let endSessionUrl: string | null = null;
    // ProConnect requires a state on the end-session request and sends it back: the caller keeps it
    // in a cookie of this browser, and the return (GET /auth/signed-out) compares them.
    const state = oidc.randomState();
    try {
      const configuration = await this.provider.configuration();
      endSessionUrl =
        this.provider
          .endSessionUrl(configuration, {
            idToken: session.idToken,
            state,
            postLogoutRedirectUri: `${this.config.signIn.publicUrl}/auth/signed-out`,
          })
          ?.toString() ?? null;
    } catch (error) {
      this.logger.warn(`signed out here; the provider could not be reached for its own sign-out: ${(error as Error).message}`);
    }
    if (endSessionUrl !== null) return { endSessionUrl, state };
    return { endSessionUrl };
  }

  private async refused(refusal: SignInRefused): Promise<void> {
    await this.dataSource
      .transaction((em) =>
        this.audit.record(em, {
          type: 'person.sign_in_refused',
          actor: 'system:sign-in',
          data: {
            reason: refusal.reason,
            ...(refusal.reason === 'provider_error' || refusal.reason === 'protocol_error' ? { error: refusal.detail } : {}),
            ...(refusal.detail && refusal.reason !== 'provider_error' && refusal.reason !== 'protocol_error'
              ? { personId: refusal.detail }
              : {}),
          },
        }),
      )
      .catch((error: unknown) => this.logger.error(`could not audit a refused sign-in: ${(error as Error).message}`));
  }

  private settings(): NonNullable<AppConfig['signIn']['oidc']> {
    const settings = this.config.signIn.oidc;
    if (!settings) throw new DomainError(AuthErrors.signInUnavailable, 'Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
    return settings;
  }
}

/** A display name from standard claims, or ProConnect's given_name + usual_name. */
function displayNameOf(info: Record<string, unknown>): string | undefined {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const name =
    str(info.name) ?? ([str(info.given_name), str(info.usual_name) ?? str(info.family_name)].filter(Boolean).join(' ') || undefined);
  return name?.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 200);
}
