import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';

import { CLOCK, type Clock, DomainError, KeyRingCipher, parisDate, type AuthenticatedClient, actorOf } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type SignupMatchesRow, queryRows } from '@ostracon/database';
import type { SignalInput } from '@ostracon/identity';
import { type OrderChange, OrderMatches, orderRelations } from '@ostracon/orders';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { type CheckResult, type Decision, Screener } from './screener';
import { ScreeningErrors } from './screening.errors';
import { ScreeningIndexService } from './screening-index.service';
import { AttemptReads } from './attempt-reads.store';
import type { MatchReviewInput, MatchReviewResult, SignupMatchView } from './signup-checks.schemas';

export interface SignupOutcome {
  ref?: string;
  decision: Decision;
  matchId?: string;
  banEndsAt?: string;
  ignored?: CheckResult['ignored'];
}

type MatchRow = Pick<
  SignupMatchesRow,
  | 'id'
  | 'order_id'
  | 'platform_id'
  | 'decision'
  | 'signal_types'
  | 'matched_at'
  | 'outcome'
  | 'reviewed_at'
  | 'account_key_id'
  | 'account_enc'
>;

/** The additional data that binds a sealed account id to its match: it cannot be moved to another row. */
const accountAad = (matchId: string) => `match:${matchId}`;
const FINAL_OUTCOMES: readonly string[] = ['confirmed', 'not_same_person'];

/**
 * Sign-up checks for one platform: the in-memory index decides; each match is recorded with
 * an opaque id and audited (`signup.matched`, ids and types only) before the answer leaves.
 */
@Injectable()
export class SignupChecksService {
  private readonly screener: Screener;
  private readonly accountCipher: KeyRingCipher;
  private todayCache = { minute: -1, date: '' };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly index: ScreeningIndexService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reads: AttemptReads,
  ) {
    this.screener = new Screener(config.signals.peppers);
    this.accountCipher = new KeyRingCipher(config.accounts.encryptionKeys);
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

  /**
   * A match, for the authority of its order or an auditor; 404 for anyone else. Opened by the
   * order's authority, the attempt is marked read for its organisation in the same transaction as
   * the audited read.
   */
  async findMatch(client: AuthenticatedClient, matchId: string): Promise<SignupMatchView> {
    const rows = z.uuid().safeParse(matchId).success
      ? await queryRows<MatchRow>(
          this.dataSource,
          `SELECT m.id, m.order_id, m.platform_id, m.decision, m.signal_types, m.matched_at,
                  m.outcome, m.reviewed_at, m.account_key_id, m.account_enc
           FROM signup_matches m JOIN ${orderRelations.issuers} o ON o.id = m.order_id
           WHERE m.id = $1 AND ($2::uuid IS NULL OR o.organisation_id = $2)`,
          [matchId, client.role === 'auditor' ? null : client.organisationId],
        )
      : [];
    const row = rows[0];
    if (!row) throw new DomainError(ScreeningErrors.matchNotFound);
    await this.dataSource.transaction(async (em) => {
      await this.audit.record(em, {
        type: 'signup_match.read',
        actor: actorOf(client),
        orderId: row.order_id,
        platformId: row.platform_id,
        data: { matchId: row.id },
      });
      if (client.role === 'authority') await this.reads.markRead(em, client.organisationId, [row.id], actorOf(client), this.clock.now());
    });
    return this.view(row);
  }

  /** A match as its order's authority reads it: the account id only on a confirmed outcome. */
  view(row: MatchRow): SignupMatchView {
    const account =
      row.outcome === 'confirmed' && row.account_enc && row.account_key_id
        ? this.accountCipher.open({ keyId: row.account_key_id, data: row.account_enc }, accountAad(row.id)).toString('utf8')
        : undefined;
    return {
      matchId: row.id,
      orderId: row.order_id,
      platform: row.platform_id,
      decision: row.decision,
      signalTypes: row.signal_types,
      matchedAt: row.matched_at.toISOString(),
      outcome: row.outcome,
      reviewedAt: row.reviewed_at ? row.reviewed_at.toISOString() : null,
      ...(account === undefined ? {} : { accountId: account }),
    };
  }

  /**
   * The platform's answer on one of its matches (docs/attempts.md): 404 for another platform's
   * match, as for an unknown one. `unknown` may be followed by a final answer; a final answer
   * (`confirmed`, `not_same_person`) stays: the same one again is answered as recorded, another is
   * a 409. Each change is audited `signup_match.reviewed`; the account id is sealed, never logged.
   */
  async review(client: AuthenticatedClient, matchId: string, input: MatchReviewInput): Promise<MatchReviewResult> {
    if (!z.uuid().safeParse(matchId).success) throw new DomainError(ScreeningErrors.matchNotFound);
    const platform = client.platformId!;
    return this.dataSource.transaction(async (em) => {
      const rows = await queryRows<MatchRow & { order_purged: boolean }>(
        em,
        `SELECT id, order_id, platform_id, decision, signal_types, matched_at, outcome, reviewed_at, account_key_id, account_enc,
                order_id IN ${orderRelations.purged} AS order_purged
         FROM signup_matches WHERE id = $1 AND platform_id = $2 FOR UPDATE`,
        [matchId, platform],
      );
      const row = rows[0];
      if (!row) throw new DomainError(ScreeningErrors.matchNotFound);
      const result = (r: MatchRow): MatchReviewResult => ({
        matchId: r.id,
        decision: r.decision,
        outcome: r.outcome!,
        reviewedAt: r.reviewed_at!.toISOString(),
      });
      if (row.outcome !== null && FINAL_OUTCOMES.includes(row.outcome)) {
        const sameAccount = (this.view(row).accountId ?? null) === (input.accountId ?? null);
        if (row.outcome === input.outcome && sameAccount) return result(row);
        throw new DomainError(ScreeningErrors.alreadyReviewed, `This match was answered '${row.outcome}'`);
      }
      if (row.outcome === 'unknown' && input.outcome === 'unknown') return result(row);
      // After the order's purge the account id is not taken: the purge forgot the others already.
      const sealed =
        input.accountId === undefined || row.order_purged
          ? null
          : this.accountCipher.seal(Buffer.from(input.accountId, 'utf8'), accountAad(row.id));
      const updated = await queryRows<MatchRow>(
        em,
        `UPDATE signup_matches SET outcome = $2, account_key_id = $3, account_enc = $4, reviewed_at = $5, reviewed_by = $6
         WHERE id = $1
         RETURNING id, order_id, platform_id, decision, signal_types, matched_at, outcome, reviewed_at, account_key_id, account_enc`,
        [row.id, input.outcome, sealed?.keyId ?? null, sealed?.data ?? null, this.clock.now(), client.id],
      );
      // The exact shape libs/audit's evidence files read: ids, decision, outcome and types only.
      await this.audit.record(em, {
        type: 'signup_match.reviewed',
        actor: actorOf(client),
        orderId: row.order_id,
        platformId: row.platform_id,
        data: { matchId: row.id, decision: row.decision, outcome: input.outcome, signalTypes: row.signal_types },
      });
      return result(updated[0]!);
    });
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

/**
 * The sign-up matches' stage of order changes (libs/orders' OrderChanges): when an order's
 * retention is over, the account ids platforms confirmed on its attempts are forgotten with the
 * order's own accounts (docs/attempts.md § Retention). The attempts stay, as counts and events.
 * In this file because it writes `signup_matches`, whose one writer this file is.
 */
@Injectable()
export class SignupMatchesOfOrders extends OrderMatches {
  async onOrderChange(em: EntityManager, change: OrderChange): Promise<void> {
    if (change.type !== 'purged') return;
    await em.query(
      `UPDATE signup_matches SET account_enc = NULL, account_key_id = NULL WHERE order_id = ANY($1::uuid[]) AND account_enc IS NOT NULL`,
      [change.orderIds],
    );
  }
}
