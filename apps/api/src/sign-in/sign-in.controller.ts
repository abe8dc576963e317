import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  AuthErrors,
  Authenticator,
  SignInRefused,
  type SignInRefusal,
  SignInService,
  type SignedOut,
  cookieNames,
  cookieOptions,
  passesCsrfCheck,
  signInQuerySchema,
  signedOutSchema,
} from '@ostracon/auth';
import { CommonErrors, DomainError, ZodPipe } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiRoute } from '../openapi/api-route';
import { PAGE_HEADERS, escapeHtml, page } from './pages';
import { continuePage } from './session-pages';

type CookieRequest = FastifyRequest & { cookies: Record<string, string | undefined> };

/** What a person refused at sign-in is told: no detail that would help someone probing. */
const REFUSALS: Record<SignInRefusal, { title: string; text: string }> = {
  unknown_person: {
    title: 'Vous n’êtes pas membre d’Ostracon',
    text: 'Votre fournisseur d’identité vous a bien identifié, mais personne ne vous a invité. Demandez à l’administrateur Ostracon de votre organisation d’inviter l’adresse électronique que donne votre fournisseur.',
  },
  removed_person: {
    title: 'Votre accès a été retiré',
    text: 'Votre organisation a retiré votre accès à Ostracon. Adressez-vous à son administrateur s’il s’agit d’une erreur.',
  },
  email_not_verified: {
    title: 'Votre adresse électronique n’est pas vérifiée',
    text: 'Votre fournisseur d’identité n’a pas confirmé votre adresse électronique, dont Ostracon a besoin pour reconnaître une invitation. Faites-la vérifier auprès de votre fournisseur, puis reconnectez-vous.',
  },
  attempt_unknown: {
    title: 'Cette connexion a expiré',
    text: 'La connexion a pris trop de temps, a déjà servi, ou a commencé dans un autre navigateur. Recommencez.',
  },
  provider_error: {
    title: 'Votre fournisseur d’identité a refusé la connexion',
    text: 'Recommencez, ou adressez-vous à l’assistance de votre fournisseur.',
  },
  protocol_error: {
    title: 'La connexion n’a pas pu être vérifiée',
    text: 'La réponse du fournisseur d’identité n’a pas passé les contrôles d’Ostracon. Recommencez ; si cela se reproduit, prévenez votre administrateur.',
  },
};

const ROLE_NAMES: Record<string, string> = {
  authority: 'autorité judiciaire',
  auditor: 'contrôle',
  admin: 'administration',
  platform: 'plateforme',
};
const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/**
 * People signing in through the browser (docs/people.md): to the provider and back, then a
 * session cookie; signing out. Outside /v1: these are pages and redirects, not the JSON API.
 */
@Controller('auth')
export class SignInController {
  private readonly cookies: { session: string; attempt: string; signOut: string };
  private readonly origin: string;

  constructor(
    private readonly signIn: SignInService,
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cookies = cookieNames(config);
    this.origin = new URL(config.signIn.publicUrl).origin;
  }

  /**
   * GET /auth/sign-in?returnTo=/path: to the provider, with state, nonce and PKCE. It writes a row
   * before anyone is known, so it costs the source one unit of its failed-authentication allowance.
   */
  @Get('sign-in')
  @ApiRoute({
    operationId: 'signIn',
    summary: 'Sign in with OpenID Connect: a redirect to the provider (authorization code, PKCE, state, nonce)',
    tag: 'sign-in',
    responses: { 302: { description: 'To the provider; sets the short-lived sign-in cookie' } },
    errors: [
      { error: CommonErrors.rateLimited, note: 'each start costs the source one unit of its sign-in allowance (SIGN_IN_BURST)' },
      AuthErrors.signInUnavailable,
      AuthErrors.providerUnavailable,
    ],
  })
  async start(
    @Req() request: CookieRequest,
    @Query(new ZodPipe(signInQuerySchema)) query: { returnTo?: string },
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authenticator.countSignIn(request.ip);
    const { attempt, url } = await this.signIn.begin(query.returnTo);
    void reply
      .setCookie(this.cookies.attempt, attempt, cookieOptions(this.config, 600))
      .header('cache-control', 'no-store')
      .redirect(url.toString(), 302);
  }

  /** GET /auth/callback: back from the provider; a session cookie and on to where the person was going. */
  @Get('callback')
  @ApiRoute({
    operationId: 'signInCallback',
    summary: 'The provider’s redirect back: a session cookie and on to returnTo, or a page saying why the sign-in is refused',
    tag: 'sign-in',
    responses: {
      200: {
        description:
          'Signed in, returnTo under /v1/: sets the session cookie, and an HTML page goes on to returnTo (so that the API sees a same-origin navigation)',
        mediaType: 'text/html',
      },
      303: { description: 'Signed in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over https), on to returnTo' },
      403: {
        description: 'An HTML page: unknown or removed person, unverified e-mail, expired or replayed sign-in, failed checks',
        mediaType: 'text/html',
      },
    },
    errors: [
      {
        error: CommonErrors.rateLimited,
        note: 'a return matching no sign-in of this browser costs the source one unit of its sign-in allowance',
      },
      AuthErrors.signInUnavailable,
      AuthErrors.providerUnavailable,
    ],
  })
  async callback(@Req() request: CookieRequest, @Res() reply: FastifyReply): Promise<void> {
    const callbackUrl = new URL(request.url, this.config.signIn.publicUrl);
    void reply.clearCookie(this.cookies.attempt, cookieOptions(this.config)).header('cache-control', 'no-store');
    try {
      const signedIn = await this.signIn.complete(
        request.cookies[this.cookies.attempt],
        callbackUrl,
        request.cookies[this.cookies.session],
      );
      const maxAge = Math.floor((signedIn.expiresAt.getTime() - Date.now()) / 1000);
      void reply.setCookie(this.cookies.session, signedIn.cookie, cookieOptions(this.config, maxAge));
      if (!signedIn.returnTo.startsWith('/v1/')) {
        void reply.redirect(signedIn.returnTo, 303);
        return;
      }
      // A /v1 path refuses what the browser marks as coming from another site, and a redirect
      // chain that passed through the provider is marked `cross-site` to its end: the browser goes
      // on from a page of this site instead (a navigation of its own, marked `same-origin`).
      void reply.headers(PAGE_HEADERS).send(continuePage(signedIn.returnTo));
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      // A return that matches no attempt costs its source like a bad key (429 past the allowance).
      if (error.reason === 'attempt_unknown') await this.authenticator.countSignIn(request.ip);
      const refusal = REFUSALS[error.reason];
      void reply
        .code(403)
        .headers(PAGE_HEADERS)
        .send(
          page(
            refusal.title,
            `<div class="fr-alert fr-alert--error fr-mb-4w"><p>${refusal.text}</p></div><p><a class="fr-btn" href="/console/">Revenir à la page de connexion</a></p>`,
            error.reason,
          ),
        );
    }
  }

  /**
   * POST /auth/sign-out: ends the session here (a cross-site check first, as for every change made
   * with a cookie), and answers where to end the provider's session too.
   */
  @Post('sign-out')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'signOut',
    session: true,
    summary: 'End the session (X-CSRF-Token and a same-origin request required), and where to end the provider’s',
    tag: 'sign-in',
    responses: { 200: { description: '{ endSessionUrl }: the provider’s end-session URL, or null', schema: signedOutSchema } },
    errors: [AuthErrors.csrf],
  })
  async signOut(@Req() request: CookieRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignedOut> {
    const cookie = request.cookies[this.cookies.session];
    void reply.header('cache-control', 'no-store');
    if (cookie === undefined) return { endSessionUrl: null };
    const session = await this.signIn.sessionOf(cookie);
    if (session && !passesCsrfCheck(request.method, request.headers, this.origin, session.csrfToken))
      throw new DomainError(AuthErrors.csrf);
    void reply.clearCookie(this.cookies.session, cookieOptions(this.config));
    const { state, ...signedOut } = await this.signIn.signOut(cookie);
    // The provider's sign-out carries this state and sends it back: GET /auth/signed-out compares.
    if (state !== undefined) void reply.setCookie(this.cookies.signOut, state, cookieOptions(this.config, 600));
    return signedOut;
  }

  /** GET /auth/signed-in: where a sign-in lands by default: who the browser is signed in as. */
  @Get('signed-in')
  @ApiRoute({
    operationId: 'signedIn',
    summary: 'Where a sign-in lands by default: an HTML page saying for which organisation and role the browser is signed in',
    tag: 'sign-in',
    responses: { 200: { description: 'An HTML page', mediaType: 'text/html' }, 303: { description: 'Not signed in: to /auth/sign-in' } },
  })
  async signedIn(@Req() request: CookieRequest, @Res() reply: FastifyReply): Promise<void> {
    const cookie = request.cookies[this.cookies.session];
    const session = cookie === undefined ? null : await this.signIn.sessionOf(cookie);
    void reply.header('cache-control', 'no-store');
    if (!session) {
      void reply.redirect('/auth/sign-in', 303);
      return;
    }
    const { caller } = session;
    void reply
      .headers(PAGE_HEADERS)
      .send(
        page(
          'Vous êtes connecté',
          `<p>Connecté pour <strong>${escapeHtml(caller.name)}</strong> (${ROLE_NAMES[caller.role]}), jusqu’au <time datetime="${session.expiresAt.toISOString()}">${PARIS_TIME.format(session.expiresAt)}</time>.</p>` +
            '<p>Si vous vous êtes reconnecté depuis un autre onglet de la console, vous pouvez fermer celui-ci et y reprendre votre travail.</p>' +
            '<p><a class="fr-btn" href="/console/">Ouvrir la console</a></p>',
        ),
      );
  }

  /** GET /auth/signed-out: where the provider sends the browser back after its own sign-out. */
  @Get('signed-out')
  @ApiRoute({
    operationId: 'signedOut',
    summary: 'Where the provider sends the browser after its own sign-out (an HTML page)',
    tag: 'sign-in',
    responses: { 200: { description: 'An HTML page', mediaType: 'text/html' } },
  })
  signedOut(@Req() request: CookieRequest, @Res() reply: FastifyReply): void {
    const returned = (request.query as Record<string, unknown> | undefined)?.state;
    void reply.clearCookie(this.cookies.signOut, cookieOptions(this.config)).headers(PAGE_HEADERS);
    const back = '<p><a class="fr-btn" href="/console/">Revenir à la page de connexion</a></p>';
    // Back from the provider's sign-out: it is confirmed only with the state this browser sent it.
    if (signOutStateMatches(request.cookies[this.cookies.signOut], returned)) {
      void reply.send(
        page(
          'Vous êtes déconnecté',
          `<p>Votre session Ostracon a pris fin, et votre session auprès de votre fournisseur d’identité aussi.</p>${back}`,
        ),
      );
      return;
    }
    // No sign-out of this browser to confirm (no state, another one, or none sent): claim nothing.
    void reply.send(page('Ostracon', back));
  }
}

/** The state of the provider's sign-out, compared in constant time with the one this browser keeps. */
export function signOutStateMatches(kept: string | undefined, returned: unknown): boolean {
  if (kept === undefined || typeof returned !== 'string' || kept.length === 0) return false;
  const a = Buffer.from(kept, 'utf8');
  const b = Buffer.from(returned, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
