import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A person moved to another organisation (and so to its role) keeps their id; their sessions end at
 * once, with their own reason, `moved` (docs/people.md § Organisations, keys and people).
 */
export class SessionsEndWhenAPersonMoves1764512900000 implements MigrationInterface {
  name = 'SessionsEndWhenAPersonMoves1764512900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT ck_sessions_end_reason`);
    await q.query(
      `ALTER TABLE sessions ADD CONSTRAINT ck_sessions_end_reason CHECK (end_reason IN ('signed_out', 'removed', 'expired', 'moved'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE sessions SET end_reason = 'removed' WHERE end_reason = 'moved'`);
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT ck_sessions_end_reason`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT ck_sessions_end_reason CHECK (end_reason IN ('signed_out', 'removed', 'expired'))`);
  }
}
