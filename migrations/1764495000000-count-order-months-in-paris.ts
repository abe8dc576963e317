import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Code pénal 131-35-1's months are counted on the French calendar: libs/orders
 * (order-terms.ts) adds them to the Paris wall clock, keeping its time across a daylight-saving
 * change. The database's outer bound (12 months at the very most) counts them the same way;
 * counted on the session's calendar (UTC), an order starting in summer time and ending in winter
 * time would end an hour after it, and the rules' own maximum would fail the check.
 */
export class CountOrderMonthsInParis1764495000000 implements MigrationInterface {
  name = 'CountOrderMonthsInParis1764495000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ban_orders
        DROP CONSTRAINT ck_ban_orders_max_duration,
        ADD CONSTRAINT ck_ban_orders_max_duration
          CHECK (ends_at <= ((starts_at AT TIME ZONE 'Europe/Paris') + interval '12 months') AT TIME ZONE 'Europe/Paris')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ban_orders
        DROP CONSTRAINT ck_ban_orders_max_duration,
        ADD CONSTRAINT ck_ban_orders_max_duration CHECK (ends_at <= starts_at + interval '12 months')`);
  }
}
