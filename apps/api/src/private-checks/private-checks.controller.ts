import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient, RateLimiter, Roles } from '@ostracon/auth';
import { CommonErrors, DomainError, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type EvaluationRequest,
  type EvaluationView,
  type KeysView,
  type MatchReport,
  type MatchView,
  PrivateChecksService,
  type SetPageView,
  type SetQuery,
  evaluationRequestSchema,
  matchReportSchema,
  setQuerySchema,
} from '@ostracon/private-checks';
import { Metrics } from '../metrics/metrics';

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
  @Roles('platform')
  keys(): KeysView {
    return this.checks.keysView();
  }

  @Post('evaluations')
  @Roles('platform')
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
  @Roles('platform')
  async set(@CurrentClient() client: AuthenticatedClient, @Query(new ZodPipe(setQuerySchema)) query: SetQuery): Promise<SetPageView> {
    // A page costs a check: downloading the set again and again is not free either.
    await this.charge(client, 1);
    return this.checks.setPage(client, query);
  }

  @Post('matches')
  @Roles('platform')
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
