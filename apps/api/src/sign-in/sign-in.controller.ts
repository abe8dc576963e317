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

type CookieRequest = FastifyRequest & { cookies: Record<string, string | undefined> };

/** What a person refused at sign-in is told: no detail that would help someone probing. */
const REFUSALS: Record<SignInRefusal, { title: string; text: string }> = {
  unknown_person: {
    title: 'You are not a member of Ostracon',
    text: 'Your identity provider signed you in, but nobody invited you. Ask your organisation’s Ostracon administrator to invite the e-mail address your provider gives.',
  },
  removed_person: {
    title: 'Your access has been removed',
    text: 'Your organisation removed your access to Ostracon. Ask its administrator if this is a mistake.',
  },
  email_not_verified: {
    title: 'Your e-mail address is not verified',
    text: 'Your identity provider did not confirm your e-mail address, which Ostracon needs to recognise an invitation. Verify it with your provider, then sign in again.',
  },
  attempt_unknown: {
    title: 'This sign-in has expired',
    text: 'The sign-in took too long, was already used, or was started in another browser. Start again.',
  },
  provider_error: { title: 'Your identity provider refused the sign-in', text: 'Start again, or ask your provider’s support.' },
  protocol_error: {
    title: 'The sign-in could not be verified',
    text: 'The answer from the identity provider did not pass Ostracon’s checks. Start again; if it happens again, tell your administrator.',
  },
};

/**
 * People signing in through the browser (docs/people.md): to the provider and back, then a
 * session cookie; signing out. Outside /v1: these are pages and redirects, not the JSON API.
 */
@Controller('auth')
export class SignInController {
  private readonly cookies: { session: string; attempt: string };
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
      303: { description: 'Signed in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over https)' },
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
      const signedIn = await this.signIn.complete(request.cookies[this.cookies.attempt], callbackUrl);
      const maxAge = Math.floor((signedIn.expiresAt.getTime() - Date.now()) / 1000);
      void reply.setCookie(this.cookies.session, signedIn.cookie, cookieOptions(this.config, maxAge)).redirect(signedIn.returnTo, 303);
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      // A return that matches no attempt costs its source like a bad key (429 past the allowance).
      if (error.reason === 'attempt_unknown') await this.authenticator.countSignIn(request.ip);
      const refusal = REFUSALS[error.reason];
      void reply
        .code(403)
        .headers(PAGE_HEADERS)
        .send(page(refusal.title, `<p>${refusal.text}</p><p><a href="/auth/sign-in">Sign in again</a></p>`, error.reason));
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
    return this.signIn.signOut(cookie);
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
          'You are signed in',
          `<p>Signed in for <strong>${escapeHtml(caller.name)}</strong>, as ${escapeHtml(caller.role)}, until ${session.expiresAt.toISOString()}.</p>` +
            '<p>The same browser now reaches the API: <a href="/v1/session">/v1/session</a>, <a href="/v1/orders">/v1/orders</a>.</p>',
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
  signedOut(@Res() reply: FastifyReply): void {
    void reply
      .headers(PAGE_HEADERS)
      .send(page('You are signed out', '<p>Your Ostracon session has ended.</p><p><a href="/auth/sign-in">Sign in</a></p>'));
  }
}
