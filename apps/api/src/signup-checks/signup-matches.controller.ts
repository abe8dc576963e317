import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { type AuthenticatedClient, ZodPipe } from '@ostracon/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import {
  type MatchReviewInput,
  type MatchReviewResult,
  ScreeningErrors,
  SignupChecksService,
  type SignupMatchView,
  matchReviewResultSchema,
  matchReviewSchema,
  signupMatchViewSchema,
} from '@ostracon/screening';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/signup-matches')
@UseGuards(AccessGuard)
export class SignupMatchesController {
  constructor(private readonly checks: SignupChecksService) {}

  /** What a `matchId` a platform quoted refers to: for the order's authority and auditors. */
  @Get(':matchId')
  @ApiRoute({
    operationId: 'getSignupMatch',
    summary:
      'Resolve a matchId a platform quoted: the order it matched, the platform’s answer (its authority, auditors); opened by the authority, the attempt is marked read',
    tag: 'sign-up checks',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The match', schema: signupMatchViewSchema } },
    errors: [ScreeningErrors.matchNotFound],
  })
  find(@CurrentClient() client: AuthenticatedClient, @Param('matchId') matchId: string): Promise<SignupMatchView> {
    return this.checks.findMatch(client, matchId);
  }

  /** The platform's answer after its own review of the account (docs/attempts.md). */
  @Post(':matchId/review')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'reviewSignupMatch',
    summary:
      'The platform’s answer on one of its matches after its own review: confirmed (optionally with the account id, sealed), not_same_person, or unknown (a final answer may follow). A final answer stays: the same again is a 200, another a 409',
    tag: 'sign-up checks',
    roles: ['platform'],
    responses: { 200: { description: 'The answer as recorded', schema: matchReviewResultSchema } },
    errors: [ScreeningErrors.matchNotFound, ScreeningErrors.alreadyReviewed],
  })
  review(
    @CurrentClient() client: AuthenticatedClient,
    @Param('matchId') matchId: string,
    @Body(new ZodPipe(matchReviewSchema)) body: MatchReviewInput,
  ): Promise<MatchReviewResult> {
    return this.checks.review(client, matchId, body);
  }
}
