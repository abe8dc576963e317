import { Controller, Get, Header, Param, UseGuards } from '@nestjs/common';
import {
  AccessGuard,
  type AuthenticatedClient,
  CurrentClient,
  CurrentSession,
  PeopleService,
  type ResolvedPerson,
  Roles,
  type Session,
  type SessionView,
  actorOf,
} from '@ostracon/auth';

@Controller('v1')
@UseGuards(AccessGuard)
export class SessionController {
  constructor(private readonly people: PeopleService) {}

  /** GET /v1/session: who the caller is (a key or a person signed in), and a session's CSRF token. */
  @Get('session')
  @Roles('authority', 'auditor', 'admin', 'platform')
  @Header('cache-control', 'no-store')
  whoAmI(@CurrentClient() caller: AuthenticatedClient, @CurrentSession() session: Session | null): SessionView {
    return {
      kind: caller.kind,
      id: caller.id,
      role: caller.role,
      organisation: { id: caller.organisationId, name: caller.name },
      csrfToken: session?.csrfToken ?? null,
      expiresAt: session ? session.expiresAt.toISOString() : null,
    };
  }

  /** GET /v1/people/{id}: who a person id of the log is; an audited read (`person.resolved`). */
  @Get('people/:id')
  @Roles('auditor', 'admin')
  @Header('cache-control', 'no-store')
  resolve(@CurrentClient() caller: AuthenticatedClient, @Param('id') id: string): Promise<ResolvedPerson> {
    return this.people.resolve(id, actorOf(caller));
  }
}
