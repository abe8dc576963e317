import { Body, Controller, Get, Header, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { CLOCK, type Clock, DomainError, ZodPipe, type AuthenticatedClient, actorOf } from '@ostracon/common';
import {
  AccessGuard,
  type AttemptMailsInput,
  attemptMailsSchema,
  CurrentClient,
  CurrentSession,
  PeopleService,
  type ResolvedPerson,
  type ResolvedPeople,
  type ResolvePeopleQuery,
  type Session,
  type SessionView,
  AuthErrors,
  resolvedPersonSchema,
  resolvedPeopleSchema,
  resolvePeopleQuerySchema,
  sessionViewSchema,
  touchEveryMs,
} from '@ostracon/auth';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1')
@UseGuards(AccessGuard)
export class SessionController {
  constructor(
    private readonly people: PeopleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** PUT /v1/session/attempt-mails: the person signed in asks (or stops asking) to be told by e-mail of new attempts. */
  @Put('session/attempt-mails')
  @ApiRoute({
    operationId: 'setAttemptMails',
    summary:
      'The person signed in asks, or stops asking, for an e-mail at each new attempt on their organisation’s orders (the mail says only that there is something to read); audited person.attempt_mails_set',
    tag: 'sign-in',
    roles: ['authority'],
    responses: { 200: { description: 'The setting as recorded', schema: attemptMailsSchema } },
    errors: [AuthErrors.personOnly],
  })
  setAttemptMails(
    @CurrentClient() caller: AuthenticatedClient,
    @Body(new ZodPipe(attemptMailsSchema)) body: AttemptMailsInput,
  ): Promise<{ enabled: boolean }> {
    if (caller.kind !== 'person') throw new DomainError(AuthErrors.personOnly);
    return this.people.setAttemptMails(caller.id, body.enabled, actorOf(caller), this.clock.now());
  }

  /** GET /v1/session: who the caller is (a key or a person signed in), and a session's CSRF token. */
  @Get('session')
  @ApiRoute({
    operationId: 'getSession',
    summary:
      'Who is calling (a key or a person signed in); for a session, its CSRF token and idle timeout. A call with a session cookie counts as its use (the console calls it to stay signed in)',
    tag: 'sign-in',
    roles: ['authority', 'auditor', 'admin', 'platform'],
    responses: { 200: { description: 'The caller', schema: sessionViewSchema } },
  })
  @Header('cache-control', 'no-store')
  async whoAmI(@CurrentClient() caller: AuthenticatedClient, @CurrentSession() session: Session | null): Promise<SessionView> {
    return {
      kind: caller.kind,
      id: caller.id,
      role: caller.role,
      organisation: { id: caller.organisationId, name: caller.name },
      person: caller.kind === 'person' ? await this.people.self(caller.id) : null,
      csrfToken: session?.csrfToken ?? null,
      expiresAt: session ? session.expiresAt.toISOString() : null,
      idleTimeoutSeconds: session ? Math.floor(this.config.signIn.session.idleMs / 1000) : null,
      touchSeconds: session ? Math.ceil(touchEveryMs(this.config.signIn.session.idleMs) / 1000) : null,
    };
  }

  /** GET /v1/people?ids=…: who the person ids of a page of the log are; one audited read (`person.resolved`) for them all. */
  @Get('people')
  @ApiRoute({
    operationId: 'resolvePeople',
    summary:
      'Who the person ids of a page of the audit log are (name, e-mail, organisation), at most 100 at once: one audited read (person.resolved, with the ids resolved). An authority resolves its own members only; other ids are left out',
    tag: 'audit',
    roles: ['auditor', 'admin', 'authority'],
    responses: { 200: { description: 'Those of the ids the caller may resolve', schema: resolvedPeopleSchema } },
  })
  @Header('cache-control', 'no-store')
  resolveMany(
    @CurrentClient() caller: AuthenticatedClient,
    @Query(new ZodPipe(resolvePeopleQuerySchema)) query: ResolvePeopleQuery,
  ): Promise<ResolvedPeople> {
    const organisationId = caller.role === 'authority' ? caller.organisationId : null;
    return this.people.resolveMany(query.ids, { actor: actorOf(caller), organisationId });
  }

  /** GET /v1/people/{id}: who a person id of the log is; an audited read (`person.resolved`). */
  @Get('people/:id')
  @ApiRoute({
    operationId: 'getPerson',
    summary: 'Who a person id of the audit log is: an audited read (person.resolved)',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    responses: { 200: { description: 'The person and their organisation', schema: resolvedPersonSchema } },
    errors: [AuthErrors.personNotFound],
  })
  @Header('cache-control', 'no-store')
  resolve(@CurrentClient() caller: AuthenticatedClient, @Param('id') id: string): Promise<ResolvedPerson> {
    return this.people.resolve(id, actorOf(caller));
  }
}
