import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { type AuthenticatedClient, ZodPipe } from '@ostracon/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import {
  type AttemptPage,
  type AttemptsQuery,
  AttemptsService,
  type UnreadAttempts,
  attemptPageSchema,
  attemptsQuerySchema,
  unreadAttemptsSchema,
} from '@ostracon/screening';
import { ApiRoute } from '../openapi/api-route';

/** The authority's inbox of attempts: sign-ups matched on its orders (docs/attempts.md). */
@Controller('v1/attempts')
@UseGuards(AccessGuard)
export class AttemptsController {
  constructor(private readonly attempts: AttemptsService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiRoute({
    operationId: 'listAttempts',
    summary:
      'Attempts: sign-ups matched on the caller’s organisation’s orders (auditors: all), newest first, with the platform’s answer and whether the organisation opened them; an audited read (attempt.listed). Opening one (GET /v1/signup-matches/{matchId}) marks it read',
    tag: 'sign-up checks',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'A page of attempts', schema: attemptPageSchema } },
  })
  list(@CurrentClient() client: AuthenticatedClient, @Query(new ZodPipe(attemptsQuerySchema)) query: AttemptsQuery): Promise<AttemptPage> {
    return this.attempts.list(client, query);
  }

  @Get('unread')
  @Header('cache-control', 'no-store')
  @ApiRoute({
    operationId: 'countUnreadAttempts',
    summary: 'How many attempts on the caller’s organisation’s orders it has not opened, in all and per order (counts only)',
    tag: 'sign-up checks',
    roles: ['authority'],
    responses: { 200: { description: 'The counts', schema: unreadAttemptsSchema } },
  })
  unread(@CurrentClient() client: AuthenticatedClient): Promise<UnreadAttempts> {
    return this.attempts.unread(client);
  }
}
