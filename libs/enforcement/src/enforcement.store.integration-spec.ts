import { type INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type LibContext, libContext, authorityRow, plannedOrder, platformRow } from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import { DirectivePlanner } from './directive-planner';
import { EnforcementModule } from './enforcement.module';
import { EnforcementMetricsQueries } from './enforcement-metrics.queries';
import { EnforcementReads } from './enforcement.reads';
import { EnforcementStore } from './enforcement.store';

const FIRST = '00000000-0000-0000-0000-000000000000';

/**
 * The store's transitions against the real PostgreSQL, the lib alone (no API, no worker): each
 * moves a directive and its platform as docs/enforcement.md says, once. Seen through the lib's reads.
 */
describe('EnforcementStore: the transitions of directives, outbox and order platforms', () => {
  let lib: LibContext;
  let context: INestApplicationContext;
  let store: EnforcementStore;
  let reads: EnforcementReads;
  let planner: DirectivePlanner;
  let dataSource: DataSource;
  let push: string;
  let pull: string;
  let authority: string;

  beforeAll(async () => {
    lib = await libContext('store', { imports: [EnforcementModule] });
    context = lib.context;
    store = context.get(EnforcementStore);
    reads = context.get(EnforcementReads);
    planner = context.get(DirectivePlanner);
    dataSource = context.get<DataSource>(getDataSourceToken());
    // What other libs own (platforms, clients, orders), set up in their own tables.
    push = await platformRow(dataSource, 'push', 48);
    pull = await platformRow(dataSource, 'pull', 24);
    authority = await authorityRow(dataSource);
  });
  afterAll(() => lib?.close());

  const order = (platforms: string[], startsAt = new Date(Date.now() - 1000)) =>
    plannedOrder(dataSource, planner, { authority, platforms, startsAt });
  const platformOf = async (orderId: string, platformId: string) =>
    (await reads.platformsOf(dataSource, [orderId])).find((p) => p.platformId === platformId)!;
  const directiveOf = async (
    orderId: string,
    platformId: string,
    statuses = ['pending', 'queued', 'delivered', 'acknowledged', 'failed', 'cancelled'],
  ) => (await reads.forPlatform(platformId, statuses as never, FIRST, 10_000)).filter((d) => d.orderId === orderId);
  const relayAll = async (now = new Date()) => dataSource.transaction((em) => store.queueDue(em, now, 10_000));

  it('plans an order: its platforms pending, one suspend each, relayed once it is due, each once', async () => {
    const id = await order([push, pull]);
    expect((await reads.platformsOf(dataSource, [id])).map((p) => [p.platformId, p.status]).sort()).toEqual(
      [
        [pull, 'pending'],
        [push, 'pending'],
      ].sort(),
    );
    const first = await relayAll();
    const mine = first.queued.filter((q) => q.orderId === id);
    expect(mine.map((q) => [q.platformId, q.type, q.push]).sort()).toEqual(
      [
        [pull, 'suspend', false],
        [push, 'suspend', true],
      ].sort(),
    );
    expect((await relayAll()).queued.filter((q) => q.orderId === id)).toEqual([]);
  });

  it('does not relay a suspend before its order starts', async () => {
    const id = await order([push], new Date(Date.now() + 3_600_000));
    expect((await relayAll()).queued.filter((q) => q.orderId === id)).toEqual([]);
    expect((await relayAll(new Date(Date.now() + 3_700_000))).queued.filter((q) => q.orderId === id)).toHaveLength(1);
  });

  it('marks a delivery once, with its SLA deadline from the platform, and the platform delivered', async () => {
    const id = await order([push]);
    await relayAll();
    const [d] = await directiveOf(id, push);
    const at = new Date();
    const once = await dataSource.transaction((em) => store.markDelivered(em, [{ id: d!.id, at }]));
    expect(once.map((r) => [r.id, r.slaDeadline!.getTime() - at.getTime()])).toEqual([[d!.id, 48 * 3600_000]]);
    expect(await dataSource.transaction((em) => store.markDelivered(em, [{ id: d!.id, at }]))).toEqual([]);
    expect(await platformOf(id, push)).toMatchObject({ status: 'delivered', slaDeadline: new Date(at.getTime() + 48 * 3600_000) });
  });

  it('starts no SLA clock for a suspend delivered after an appeal suspended its order (queued before it)', async () => {
    const id = await order([push]);
    await relayAll();
    const [d] = await directiveOf(id, push);
    // The appeal arrives while the suspend is in the queue (what OrderStore.suspendForAppeal writes).
    await dataSource.query(
      `UPDATE ban_orders SET suspended_at = now(), appealed_at = now(), appeal_lodged_on = CURRENT_DATE, appeal_reference = 'CA-TEST' WHERE id = $1`,
      [id],
    );
    const at = new Date();
    const [delivered] = await dataSource.transaction((em) => store.markDelivered(em, [{ id: d!.id, at }]));
    expect(delivered).toMatchObject({ id: d!.id, slaDeadline: null });
    const [row] = await dataSource.query(`SELECT sla_deadline, sla_stopped_at FROM directives WHERE id = $1`, [d!.id]);
    expect(row).toEqual({ sla_deadline: null, sla_stopped_at: at });
    expect(await platformOf(id, push)).toMatchObject({ status: 'delivered', slaDeadline: null });
    // Its answer does not start the clock again.
    await dataSource.transaction(async (em) => {
      const locked = await store.lockForAck(em, d!.id, push);
      await store.acknowledge(em, locked!, {
        outcome: 'enforced',
        note: null,
        at: new Date(),
        slaDeadline: new Date(Date.now() + 3600_000),
      });
    });
    const [answered] = await dataSource.query(`SELECT status, sla_deadline FROM directives WHERE id = $1`, [d!.id]);
    expect(answered).toEqual({ status: 'acknowledged', sla_deadline: null });
    expect(await platformOf(id, push)).toMatchObject({ status: 'enforced', slaDeadline: null });
  });

  it('marks a batch once: only directives still queued, each with its own clock, stopped only for the appealed order', async () => {
    const [running, appealed, replayed] = [await order([push]), await order([push]), await order([push])];
    await relayAll();
    const [r, a, p] = [
      (await directiveOf(running, push))[0]!,
      (await directiveOf(appealed, push))[0]!,
      (await directiveOf(replayed, push))[0]!,
    ];
    await dataSource.transaction((em) => store.markDelivered(em, [{ id: p.id, at: new Date() }]));
    await dataSource.query(
      `UPDATE ban_orders SET suspended_at = now(), appealed_at = now(), appeal_lodged_on = CURRENT_DATE, appeal_reference = 'CA-TEST' WHERE id = $1`,
      [appealed],
    );
    const [at1, at2] = [new Date(Date.now() - 60_000), new Date()];
    const delivered = await dataSource.transaction((em) =>
      store.markDelivered(em, [
        { id: r.id, at: at1 },
        { id: a.id, at: at2 },
        { id: p.id, at: at2 },
      ]),
    );
    expect(delivered.map((d) => [d.id, d.deliveredAt, d.slaDeadline]).sort()).toEqual(
      [
        [r.id, at1, new Date(at1.getTime() + 48 * 3600_000)],
        [a.id, at2, null],
      ].sort(),
    );
    const rows = await dataSource.query(`SELECT id, sla_stopped_at FROM directives WHERE id = ANY($1::uuid[])`, [[r.id, a.id]]);
    expect(new Map(rows.map((x: { id: string; sla_stopped_at: Date | null }) => [x.id, x.sla_stopped_at]))).toEqual(
      new Map([
        [r.id, null],
        [a.id, at2],
      ]),
    );
  });

  it('acknowledges: enforced for a suspend, lifted for a lift, which waits until its suspend settled', async () => {
    const id = await order([pull]);
    await relayAll();
    const [suspend] = await directiveOf(id, pull);
    // The order ends while the suspend is still out: a lift is planned, held back by the relay.
    await dataSource.transaction((em) => planner.planLifts(em, id, new Date(), 'system:test'));
    expect(await platformOf(id, pull)).toMatchObject({ status: 'lifting' });
    expect((await relayAll()).queued.filter((q) => q.orderId === id)).toEqual([]);
    const at = new Date();
    await dataSource.transaction(async (em) => {
      const locked = await store.lockForAck(em, suspend!.id, pull);
      await store.acknowledge(em, locked!, { outcome: 'enforced', note: null, at, slaDeadline: new Date(at.getTime() + 1000) });
    });
    const lift = (await relayAll()).queued.filter((q) => q.orderId === id);
    expect(lift.map((q) => q.type)).toEqual(['lift']);
    await dataSource.transaction(async (em) => {
      const locked = await store.lockForAck(em, lift[0]!.directiveId, pull);
      await store.acknowledge(em, locked!, { outcome: 'enforced', note: null, at, slaDeadline: at });
    });
    expect(await platformOf(id, pull)).toMatchObject({ status: 'lifted' });
    expect(await dataSource.transaction((em) => store.lockForAck(em, suspend!.id, push))).toBeUndefined();
  });

  it('cancels a suspend nobody saw when the order ends before it went out', async () => {
    const id = await order([push], new Date(Date.now() + 3_600_000));
    const result = await dataSource.transaction((em) => planner.planLifts(em, id, new Date(), 'system:test'));
    expect(result).toEqual({ cancelled: [push], lifting: [] });
    expect(await platformOf(id, push)).toMatchObject({ status: 'lifted', outcome: 'cancelled_before_delivery' });
    expect((await directiveOf(id, push)).map((d) => d.status)).toEqual(['cancelled']);
    expect((await relayAll(new Date(Date.now() + 3_700_000))).queued.filter((q) => q.orderId === id)).toEqual([]);
  });

  it('counts failed attempts, then fails for good, and the platform with it', async () => {
    const id = await order([push]);
    await relayAll();
    const [d] = await directiveOf(id, push);
    const attempt = (number: number, final: boolean) =>
      dataSource.transaction((em) =>
        store.recordFailedAttempt(em, d!, { number, reason: 'http_5xx', nextAttemptAt: final ? null : new Date(), final, at: new Date() }),
      );
    expect(await attempt(1, false)).toBe(true);
    expect(await platformOf(id, push)).toMatchObject({ status: 'pending' });
    expect(await attempt(2, true)).toBe(true);
    expect(await platformOf(id, push)).toMatchObject({ status: 'failed', outcome: 'delivery_failed' });
    expect(await attempt(3, true)).toBe(false);
    expect((await directiveOf(id, push)).map((x) => [x.status, x.attempts])).toEqual([['failed', 2]]);
  });

  it('raises an SLA breach once, for a delivered directive past its deadline', async () => {
    const id = await order([push]);
    await relayAll();
    const [d] = await directiveOf(id, push);
    await dataSource.transaction((em) => store.markDelivered(em, [{ id: d!.id, at: new Date(Date.now() - 49 * 3600_000) }]));
    const breached = await dataSource.transaction((em) => store.markSlaBreaches(em, new Date(), 10_000));
    expect(breached.filter((b) => b.id === d!.id)).toHaveLength(1);
    const again = await dataSource.transaction((em) => store.markSlaBreaches(em, new Date(), 10_000));
    expect(again.filter((b) => b.id === d!.id)).toHaveLength(0);
    expect(
      (await context.get(EnforcementMetricsQueries).slaBreachesByPlatform()).find((b) => b.platformId === push)?.count,
    ).toBeGreaterThanOrEqual(1);
  });

  it('forgets the sealed accounts of purged orders', async () => {
    const id = await order([push]);
    expect((await reads.toSend((await directiveOf(id, push)).map((d) => d.id)))[0]!.accountsEnc).not.toBeNull();
    await dataSource.transaction((em) => store.forgetAccounts(em, [id]));
    expect((await reads.toSend((await directiveOf(id, push)).map((d) => d.id)))[0]!.accountsEnc).toBeNull();
  });
});
