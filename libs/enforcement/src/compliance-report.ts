import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock, type Actor } from '@ostracon/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';

const month = z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');

/** GET /v1/reports/compliance: months of delivery, Paris time, `from` and `to` included (default: the last 12). */
export const complianceQuerySchema = z
  .strictObject({ from: month.optional(), to: month.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from is after to', path: ['from'] });
export type ComplianceQuery = z.output<typeof complianceQuerySchema>;

/** One platform, one month of suspend directives delivered (docs/enforcement.md § compliance). */
export const complianceRowSchema = z.object({
  platform: z.string(),
  platformName: z.string().meta({ description: 'the platform’s name, as registered (added in issue 28; `platform` stays its id)' }),
  month: z.string(),
  delivered: z.number().int(),
  enforcedInTime: z.number().int().meta({ description: 'confirmed `enforced` by the SLA deadline' }),
  enforcedLate: z.number().int().meta({ description: 'confirmed `enforced` after it' }),
  unansweredLate: z.number().int().meta({ description: 'no answer, and the deadline has passed' }),
  rejected: z.number().int().meta({ description: 'answered `rejected` or `account_not_found`' }),
  pending: z.number().int().meta({ description: 'still within the deadline, no answer yet' }),
  medianSecondsToEnforce: z.number().nullable().meta({ description: 'delivery to `enforced` confirmation, in seconds (null without any)' }),
  p90SecondsToEnforce: z.number().nullable(),
});
export type ComplianceRow = z.infer<typeof complianceRowSchema>;

/**
 * One platform, one set of signal types, one decision: how the platform answered the matches of
 * those months (docs/attempts.md § Review figures). `confirmed + notSamePerson + unknown +
 * unanswered = matches`.
 */
export const reviewFiguresRowSchema = z.object({
  platform: z.string(),
  platformName: z.string(),
  signalTypes: z.string().meta({ description: 'the match’s signal types, sorted and joined by `+` (e.g. `email+phone`)' }),
  decision: z.enum(['block', 'review']),
  matches: z.number().int(),
  confirmed: z.number().int().meta({ description: 'answered: the same person' }),
  notSamePerson: z.number().int().meta({ description: 'answered: not the same person' }),
  unknown: z.number().int().meta({ description: 'answered: could not tell (and no final answer since)' }),
  unanswered: z.number().int().meta({ description: 'no answer from the platform' }),
});
export type ReviewFiguresRow = z.infer<typeof reviewFiguresRowSchema>;

/** GET /v1/reports/compliance's answer: the months covered, `from` and `to` included, and a row per platform and month. */
export const complianceReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(complianceRowSchema),
  reviews: z.array(reviewFiguresRowSchema).meta({
    description: 'the platforms’ answers on the matches of those months, per platform, signal types and decision (added in issue 30)',
  }),
});
export type ComplianceReportView = z.infer<typeof complianceReportSchema>;

const addMonth = (m: string, n: number) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, mo - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

/**
 * Whether platforms keep their enforcement deadline, per platform and month, computed in SQL over
 * the suspend directives (lifts have no SLA); and how the platforms answered the matches, per
 * signal types: how often a weak signal (a name and birth date) matched someone else is a figure
 * the CNIL asks for. A read of aggregates, audited like any read.
 */
@Injectable()
export class ComplianceReport {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async compute(query: ComplianceQuery, actor: Actor): Promise<ComplianceReportView> {
    const now = this.clock.now();
    const current = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(now);
    const to = query.to ?? current;
    const from = query.from ?? addMonth(to, -11);
    const rows: (Omit<ComplianceRow, 'medianSecondsToEnforce' | 'p90SecondsToEnforce'> & { median: number | null; p90: number | null })[] =
      await this.dataSource.query(
        `SELECT d.platform_id AS platform,
                p.name AS "platformName",
                to_char(delivered_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month,
                count(*)::int AS delivered,
                count(*) FILTER (WHERE outcome = 'enforced' AND acknowledged_at <= sla_deadline)::int AS "enforcedInTime",
                count(*) FILTER (WHERE outcome = 'enforced' AND acknowledged_at > sla_deadline)::int AS "enforcedLate",
                count(*) FILTER (WHERE acknowledged_at IS NULL AND sla_deadline < $3)::int AS "unansweredLate",
                count(*) FILTER (WHERE outcome IN ('rejected', 'account_not_found'))::int AS rejected,
                count(*) FILTER (WHERE acknowledged_at IS NULL AND sla_deadline >= $3)::int AS pending,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - delivered_at))
                  FILTER (WHERE outcome = 'enforced') AS median,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - delivered_at))
                  FILTER (WHERE outcome = 'enforced') AS p90
         FROM directives d
         JOIN platforms p ON p.id = d.platform_id
         WHERE type = 'suspend'
           AND delivered_at >= (($1 || '-01')::date)::timestamp AT TIME ZONE 'Europe/Paris'
           AND delivered_at < (($2 || '-01')::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Paris'
         GROUP BY 1, 2, 3
         ORDER BY 2, 1`,
        [from, to, now],
      );
    // Reads signup_matches (libs/screening writes it): the months are the matches' own, Paris time.
    const reviews: ReviewFiguresRow[] = await this.dataSource.query(
      `SELECT m.platform_id AS platform,
              p.name AS "platformName",
              array_to_string(ARRAY(SELECT t FROM unnest(m.signal_types) AS t ORDER BY t), '+') AS "signalTypes",
              m.decision,
              count(*)::int AS matches,
              count(*) FILTER (WHERE m.outcome = 'confirmed')::int AS confirmed,
              count(*) FILTER (WHERE m.outcome = 'not_same_person')::int AS "notSamePerson",
              count(*) FILTER (WHERE m.outcome = 'unknown')::int AS unknown,
              count(*) FILTER (WHERE m.outcome IS NULL)::int AS unanswered
       FROM signup_matches m
       JOIN platforms p ON p.id = m.platform_id
       WHERE m.matched_at >= (($1 || '-01')::date)::timestamp AT TIME ZONE 'Europe/Paris'
         AND m.matched_at < (($2 || '-01')::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Paris'
       GROUP BY 1, 2, 3, 4
       ORDER BY 2, 1, 4 DESC, 3`,
      [from, to],
    );
    await this.dataSource.transaction((em) =>
      this.audit.record(em, { type: 'report.read', actor, data: { report: 'compliance', from, to } }),
    );
    return {
      from,
      to,
      reviews,
      items: rows.map(({ median, p90, ...row }) => ({
        ...row,
        medianSecondsToEnforce: median === null ? null : Math.round(Number(median)),
        p90SecondsToEnforce: p90 === null ? null : Math.round(Number(p90)),
      })),
    };
  }
}
