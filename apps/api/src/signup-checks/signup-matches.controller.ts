import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import type { AuthenticatedClient } from '@ostracon/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { ScreeningErrors, SignupChecksService, type SignupMatchView, signupMatchViewSchema } from '@ostracon/screening';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/signup-matches')
@UseGuards(AccessGuard)
export class SignupMatchesController {
  constructor(private readonly checks: SignupChecksService) {}

  /** What a `matchId` a platform quoted refers to: for the order's authority and auditors. */
  @Get(':matchId')
  @ApiRoute({
    operationId: 'getSignupMatch',
    summary: 'Resolve a matchId a platform quoted: the order it matched (its authority, auditors)',
    tag: 'sign-up checks',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The match', schema: signupMatchViewSchema } },
    errors: [ScreeningErrors.matchNotFound],
  })
  find(@CurrentClient() client: AuthenticatedClient, @Param('matchId') matchId: string): Promise<SignupMatchView> {
    return this.checks.findMatch(client, matchId);
  }
}
