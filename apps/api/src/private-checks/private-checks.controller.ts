import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient, RateLimiter } from '@ostracon/auth';
import { CommonErrors, DomainError, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type EvaluationRequest,
  type EvaluationView,
  type KeysView,
  type MatchReport,
  type MatchView,
  PRIVATE_LIMITS,
  PrivateCheckErrors,
  PrivateChecksService,
  type SetPageView,
  type SetQuery,
  evaluationRequestSchema,
  evaluationViewSchema,
  keysViewSchema,
  matchReportSchema,
  matchViewSchema,
  setPageViewSchema,
  setQuerySchema,
} from '@ostracon/private-checks';
import { Metrics } from '../metrics/metrics';
import { ApiRoute } from '../openapi/api-route';

/** An element that does not decode, or decodes to the identity. */
const elementInvalid = { error: PrivateCheckErrors.elementInvalid, note: 'not canonical, or the identity' };

/**
 * Private sign-up checks (docs/private-checks.md § HTTP contract): platform keys only, each
 * scoped to its own platform, from the same rate bucket as the plain checks: an evaluated element
 * costs one token (each is a guess the platform could test, and about 0.25 ms of this process's
 * CPU), a set page or a match report one.
 */
@Controller('v1/private')
@UseGuards(AccessGuard)
export class PrivateChecksController {
  constructor(
    private readonly checks: PrivateChecksService,
    private readonly limiter: RateLimiter,
    private readonly metrics: Metrics,
  ) {}

  @Get('keys')
  @ApiRoute({
    operationId: 'getPrivateCheckKeys',
    summary: 'Private checks: the OPRF public keys (RFC 9497 VOPRF, ristretto255-SHA512); the first is the one to use',
    tag: 'private checks',
    roles: ['platform'],
    responses: { 200: { description: 'The keys', schema: keysViewSchema } },
  })
  keys(): KeysView {
    return this.checks.keysView();
  }

  @Post('evaluations')
  @ApiRoute({
    operationId: 'evaluatePrivateElements',
    summary: `Private checks: evaluate 1–${PRIVATE_LIMITS.elementsPerRequest} blinded elements under a key, with one batched DLEQ proof`,
    tag: 'private checks',
    roles: ['platform'],
    responses: { 200: { description: 'k·Bᵢ for each blinded element, and the proof (c ‖ s)', schema: evaluationViewSchema } },
    errors: [
      PrivateCheckErrors.keyUnknown,
      elementInvalid,
      {
        error: CommonErrors.rateLimited,
        note: 'an element costs one token of the sign-up check rate, or too many failed authentications from this address; with Retry-After',
      },
    ],
  })
  @HttpCode(200)
  async evaluate(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(evaluationRequestSchema)) body: EvaluationRequest,
  ): Promise<EvaluationView> {
    await this.charge(client, body.blindedElements.length);
    const view = await this.checks.evaluate(client, body);
    this.metrics.countPrivateEvaluation(client.platformId!, body.blindedElements.length);
    return view;
  }

  @Get('set')
  @ApiRoute({
    operationId: 'getPrivateSet',
    summary: 'Private checks: this platform’s set of tags, whole (no cursor) or its changes since a cursor; `wait` long-polls',
    tag: 'private checks',
    roles: ['platform'],
    responses: { 200: { description: 'One page, in change order', schema: setPageViewSchema } },
    errors: [
      PrivateCheckErrors.cursorInvalid,
      {
        error: PrivateCheckErrors.cursorStale,
        note: 'the key rotated, or removals since the cursor were forgotten; download the set again',
      },
      {
        error: CommonErrors.rateLimited,
        note: 'a page costs one token, at most 4 long polls at once per key, or too many failed authentications from this address; with Retry-After',
      },
    ],
  })
  async set(@CurrentClient() client: AuthenticatedClient, @Query(new ZodPipe(setQuerySchema)) query: SetQuery): Promise<SetPageView> {
    // A page costs a check: downloading the set again and again is not free either.
    await this.charge(client, 1);
    return this.checks.setPage(client, query);
  }

  @Post('matches')
  @ApiRoute({
    operationId: 'reportPrivateMatch',
    summary: 'Private checks: report unblinded elements found in the set; recorded and answered as a sign-up check match',
    tag: 'private checks',
    roles: ['platform'],
    responses: { 200: { description: 'block, review or allow (no live order holds them)', schema: matchViewSchema } },
    errors: [
      PrivateCheckErrors.keyUnknown,
      elementInvalid,
      {
        error: CommonErrors.rateLimited,
        note: 'a report costs one token, or too many failed authentications from this address; with Retry-After',
      },
    ],
  })
  @HttpCode(200)
  async match(@CurrentClient() client: AuthenticatedClient, @Body(new ZodPipe(matchReportSchema)) body: MatchReport): Promise<MatchView> {
    await this.charge(client, 1);
    const view = await this.checks.match(client, body);
    this.metrics.countPrivateMatchReport(client.platformId!, view.decision);
    return view;
  }

  private async charge(client: AuthenticatedClient, cost: number): Promise<void> {
    const rate = await this.limiter.take(client, cost);
    if (!rate.allowed) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      throw new DomainError(CommonErrors.rateLimited, `Over this key's sign-up check rate; retry in ${seconds} s`, undefined, {
        'retry-after': String(seconds),
      });
    }
  }
}
