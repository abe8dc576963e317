import { type LibContext, libContext } from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import type { AuditEventInput } from './audit-event';
import { AuditService } from './audit.service';

/**
 * Appends against the real PostgreSQL: the events a transaction appends get their seq when it
 * commits (the commit trigger of audit_pending), each once, in the order appended, with no gap.
 */
describe('AuditService: the events of a transaction, sequenced at its commit', () => {
  let lib: LibContext;
  let audit: AuditService;
  let dataSource: DataSource;

  beforeAll(async () => {
    lib = await libContext('audit-append', { imports: [] });
    audit = lib.context.get(AuditService);
    dataSource = lib.dataSource;
  });
  afterAll(() => lib?.close());

  const events = (tag: string, n: number): AuditEventInput[] =>
    Array.from({ length: n }, (_, i) => ({ type: 'client.created', actor: 'cli', data: { tag, i } }));
  const sequenced = async (tag: string) =>
    (await dataSource.query(`SELECT seq, (data->>'i')::int AS i FROM audit_events WHERE data->>'tag' = $1 ORDER BY seq`, [tag])).map(
      (r: { seq: string; i: number }) => ({ seq: Number(r.seq), i: r.i }),
    );
  const expectInOrderWithoutGap = (rows: { seq: number; i: number }[], n: number) => {
    expect(rows.map((r) => r.i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(rows.map((r) => r.seq - rows[0]!.seq)).toEqual(Array.from({ length: n }, (_, i) => i));
  };

  it('sequences a batch of events once each, in the order appended, without a gap', async () => {
    await dataSource.transaction(async (em) => {
      await audit.recordMany(em, events('batch', 400));
    });
    expectInOrderWithoutGap(await sequenced('batch'), 400);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM audit_pending`)).toEqual([{ n: 0 }]);
  });

  it('sequences events appended after the trigger fired within the transaction (SET CONSTRAINTS … IMMEDIATE)', async () => {
    await dataSource.transaction(async (em) => {
      const all = events('immediate', 5);
      await audit.recordMany(em, all.slice(0, 3));
      await em.query(`SET CONSTRAINTS audit_pending_commit IMMEDIATE`);
      await em.query(`SET CONSTRAINTS audit_pending_commit DEFERRED`);
      await audit.recordMany(em, all.slice(3));
    });
    expectInOrderWithoutGap(await sequenced('immediate'), 5);
  });

  it('sequences nothing of a transaction rolled back', async () => {
    await dataSource
      .transaction(async (em) => {
        await audit.recordMany(em, events('rolled-back', 3));
        throw new Error('the change fails');
      })
      .catch(() => undefined);
    expect(await sequenced('rolled-back')).toEqual([]);
    const [head] = await dataSource.query(`SELECT (SELECT size FROM audit_log_head) = (SELECT max(seq) FROM audit_events) AS gapless`);
    expect(head).toEqual({ gapless: true });
  });
});
