import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { type PrivateEvaluationCountsRow, queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';

/**
 * The one owner of private_evaluation_counts: how many evaluations each platform asked for, by
 * hour. API processes add their counts every few seconds; the worker writes one
 * `private_evaluations.counted` event per platform and past hour. No event per evaluation: its
 * time would tell when someone signed up (docs/private-checks.md § What the service learns).
 */
@Injectable()
export class EvaluationCounts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async add(hour: Date, counts: ReadonlyMap<string, { requests: number; elements: number }>): Promise<void> {
    const platforms = [...counts.keys()];
    if (platforms.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO private_evaluation_counts (platform_id, hour, requests, elements)
       SELECT p, $1, r, e FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(p, r, e)
       ON CONFLICT (platform_id, hour) DO UPDATE
         SET requests = private_evaluation_counts.requests + EXCLUDED.requests,
             elements = private_evaluation_counts.elements + EXCLUDED.elements`,
      [hour, platforms, platforms.map((p) => counts.get(p)!.requests), platforms.map((p) => counts.get(p)!.elements)],
    );
  }

  /** Hours that ended before `now` (plus a minute for the API's last flush), audited once each. */
  async auditCompleted(now: Date): Promise<number> {
    const before = new Date(Math.floor((now.getTime() - 60_000) / 3_600_000) * 3_600_000);
    return this.dataSource.transaction(async (em) => {
      const rows = await queryRows<Pick<PrivateEvaluationCountsRow, 'platform_id' | 'hour' | 'requests' | 'elements'>>(
        em,
        `UPDATE private_evaluation_counts SET audited_at = $1
         WHERE (platform_id, hour) IN (SELECT platform_id, hour FROM private_evaluation_counts
                                       WHERE audited_at IS NULL AND hour < $2 LIMIT 500 FOR UPDATE SKIP LOCKED)
         RETURNING platform_id, hour, requests::text, elements::text`,
        [now, before],
      );
      await this.audit.recordMany(
        em,
        rows.map((r) => ({
          type: 'private_evaluations.counted' as const,
          actor: 'system:lifecycle' as const,
          platformId: r.platform_id,
          data: { hour: r.hour.toISOString(), requests: Number(r.requests), elements: Number(r.elements) },
        })),
      );
      return rows.length;
    });
  }
}
