import type { DataSource } from 'typeorm';

/**
 * Fills the audit log to `events` events, 100,000 per statement, taking their `seq` from
 * audit_log_head as every writer does (as the schema's owner: the bench database's URL).
 */
export async function fillLog(dataSource: DataSource, events: number): Promise<void> {
  for (;;) {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
    if (n >= events) return;
    const add = Math.min(100_000, events - n);
    await dataSource.transaction((em) =>
      em.query(
        `WITH head AS (UPDATE audit_log_head SET size = size + $1 RETURNING size - $1 AS base)
         INSERT INTO audit_events (seq, at, type, actor, data)
         SELECT head.base + g, now(), 'client.created', 'cli', jsonb_build_object('n', g) FROM head, generate_series(1, $1) AS g`,
        [add],
      ),
    );
  }
}
