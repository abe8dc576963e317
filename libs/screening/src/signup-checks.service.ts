import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';

import { CLOCK, type Clock, DomainError, parisDate, type AuthenticatedClient, actorOf } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type SignupMatchesRow, queryRows } from '@ostracon/database';
import type { SignalInput } from '@ostracon/identity';
import { orderRelations } from '@ostracon/orders';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { type CheckResult, type Decision, Screener } from './screener';
import { ScreeningErrors } from './screening.errors';
import { ScreeningIndexService } from './screening-index.service';
import type { SignupMatchView } from './signup-checks.schemas';

export interface SignupOutcome {
  ref?: string;
  decision: Decision;
  matchId?: string;
  banEndsAt?: string;
  ignored?: CheckResult['ignored'];
}

type MatchRow = Pick<SignupMatchesRow, 'id' | 'order_id' | 'platform_id' | 'decision' | 'signal_types' | 'matched_at'>;

/**
 * Sign-up checks for one platform: the in-memory index decides; each match is recorded with
 * an opaque id and audited (`signup.matched`, ids and types only) before the answer leaves.
 */
@Injectable()
export class SignupChecksService {
  private readonly screener: Screener;
  private todayCache = { minute: -1, date: '' };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly index: ScreeningIndexService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.screener = new Screener(config.signals.peppers);
  }

  /**
   * The plain check of one sign-up or a batch (`POST /v1/signup-checks`, `…/batch`): one outcome
   * a check, in order; the matches are recorded and audited before it resolves.
   */
  async checkSignups(
    client: AuthenticatedClient,
    checks: readonly { ref?: string; signals: readonly SignalInput[] }[],
  ): Promise<SignupOutcome[]> {
    const index = this.index.current;
    if (!index) throw new DomainError(ScreeningErrors.indexLoading, 'Retry shortly', undefined, { 'retry-after': '2' });
    const platform = client.platformId!;
    const now = this.clock.now();
    const context = { defaultCountry: this.config.signals.defaultPhoneCountry, today: this.today(now), platform };
    const at = now.getTime();
    const outcomes: SignupOutcome[] = [];
    const matched: { outcome: SignupOutcome; result: CheckResult }[] = [];
    for (const check of checks) {
      const result = this.screener.matchSignals(index, platform, at, check.signals, context);
      const outcome: SignupOutcome =
        check.ref === undefined ? { decision: result.decision } : { ref: check.ref, decision: result.decision };
      if (result.match) {
        outcome.matchId = uuidv7();
        outcome.banEndsAt = new Date(result.match.endsAt).toISOString();
        matched.push({ outcome, result });
      }
      if (result.ignored.length > 0) outcome.ignored = result.ignored;
      outcomes.push(outcome);
    }
    if (matched.length > 0) await this.record(client, now, matched, 'plain');
    return outcomes;
  }

  /** A match, for the authority of its order or an auditor; 404 for anyone else. */
  async findMatch(client: AuthenticatedClient, matchId: string): Promise<SignupMatchView> {
    const rows = z.uuid().safeParse(matchId).success
      ? await queryRows<MatchRow>(
          this.dataSource,
          `SELECT m.id, m.order_id, m.platform_id, m.decision, m.signal_types, m.matched_at
           FROM signup_matches m JOIN ${orderRelations.issuers} o ON o.id = m.order_id
           WHERE m.id = $1 AND ($2::uuid IS NULL OR o.organisation_id = $2)`,
          [matchId, client.role === 'auditor' ? null : client.organisationId],
        )
      : [];
    const row = rows[0];
    if (!row) throw new DomainError(ScreeningErrors.matchNotFound);
    await this.dataSource.transaction((em) =>
      this.audit.record(em, {
        type: 'signup_match.read',
        actor: actorOf(client),
        orderId: row.order_id,
        platformId: row.platform_id,
        data: { matchId: row.id },
      }),
    );
    return {
      matchId: row.id,
      orderId: row.order_id,
      platform: row.platform_id,
      decision: row.decision,
      signalTypes: row.signal_types,
      matchedAt: row.matched_at.toISOString(),
    };
  }

  /**
   * Records matches and their `signup.matched` events before the answer leaves: the plain check's,
   * and the private mode's reports (libs/private-checks), which name their `mode`.
   */
  async record(
    client: AuthenticatedClient,
    now: Date,
    matched: { outcome: SignupOutcome; result: Pick<CheckResult, 'match'> }[],
    mode: 'plain' | 'private',
  ): Promise<void> {
    const platform = client.platformId!;
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `INSERT INTO signup_matches (id, order_id, platform_id, client_id, decision, signal_types, matched_at)
         SELECT m.id, m.order_id, $1, $2, m.decision, m.signal_types, $3
         FROM jsonb_to_recordset($4::jsonb) AS m(id uuid, order_id uuid, decision text, signal_types text[])`,
        [
          platform,
          client.id,
          now,
          JSON.stringify(
            matched.map(({ outcome, result }) => ({
              id: outcome.matchId,
              order_id: result.match!.orderId,
              decision: outcome.decision,
              signal_types: result.match!.signalTypes,
            })),
          ),
        ],
      );
      await this.audit.recordMany(
        em,
        matched.map(({ outcome, result }) => ({
          type: 'signup.matched' as const,
          actor: actorOf(client),
          orderId: result.match!.orderId,
          platformId: platform,
          data: { matchId: outcome.matchId, decision: outcome.decision, signalTypes: result.match!.signalTypes, mode },
        })),
      );
    });
  }

  /** The courts' calendar date, for birth-date checks; recomputed once a minute. */
  private today(now: Date): string {
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute !== this.todayCache.minute) this.todayCache = { minute, date: parisDate(now) };
    return this.todayCache.date;
  }
}
