import { Injectable } from '@nestjs/common';
import type { Actor } from '@ostracon/common';
import type { EntityManager } from 'typeorm';

/**
 * The one writer of `attempt_reads`: which attempts (matches on its orders) an organisation has
 * opened. A mark is per organisation, not per person: a clerk who opens an attempt has read it for
 * the court (docs/attempts.md). The first opening is kept; later ones change nothing.
 */
@Injectable()
export class AttemptReads {
  async markRead(em: EntityManager, organisationId: string, matchIds: readonly string[], actor: Actor, at: Date): Promise<void> {
    if (matchIds.length === 0) return;
    await em.query(
      `INSERT INTO attempt_reads (organisation_id, match_id, read_at, read_by)
       SELECT $1, id, $3, $4 FROM unnest($2::uuid[]) AS id
       ON CONFLICT (organisation_id, match_id) DO NOTHING`,
      [organisationId, matchIds, at, actor],
    );
  }
}
