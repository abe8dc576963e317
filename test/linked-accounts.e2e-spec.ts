import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { CreatedClient } from '@ostracon/auth';
import { SlaBreaches } from '@ostracon/enforcement';
import { OrderLifecycle } from '@ostracon/orders';
import { IndexLoader, ScreeningIndexService } from '@ostracon/screening';
import { RAW, orderBody } from './support/builders';
import { OffsetClock, waitFor } from './support/isolated';
import type { SimulatedPlatform } from './support/simulated-platform';
import type { TestApp } from './support/test-app';
import { type World, startWorld } from './support/world';

/** docs/signals.md's prehash, computed here independently of libs/identity. */
const prehash = (type: string, normalized: string) =>
  createHash('sha256').update(`ostracon:v1:${type}:${normalized}`, 'utf8').digest('hex');

describe('linked accounts: a platform reports the person’s other account, the authority decides (issue 30 §2)', () => {
  const clock = new OffsetClock();
  let world: World;
  let api: TestApp;
  let worker: INestApplicationContext;
  let authority: CreatedClient;
  let a: { id: string; sim: SimulatedPlatform; key: string };
  let b: { id: string; sim: SimulatedPlatform; key: string };

  beforeAll(async () => {
    world = await startWorld('linked', { clock, worker: {} });
    ({ api, authority } = world);
    worker = world.worker!;
    const pa = await world.pushPlatform();
    const pb = await world.pushPlatform();
    a = { ...pa, key: (await api.client('platform', pa.id)).apiKey };
    b = { ...pb, key: (await api.client('platform', pb.id)).apiKey };
  });
  afterAll(() => world?.close());
  afterEach(() => {
    clock.offsetMs = 0;
  });

  /** An order naming platforms a and b, one account each. */
  async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const body: any = orderBody(a.id, clock.now(), overrides);
    body.platforms = [a.id, b.id].map((platform) => ({ platform, accounts: [{ accountId: `${RAW.accountId}-${platform}` }] }));
    const res = await world.submit(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const report = (orderId: string, key: string, body: unknown) =>
    api.request({ method: 'POST', url: `/v1/orders/${orderId}/linked-accounts`, key, body });
  const list = (orderId: string, key: string) => api.request({ method: 'GET', url: `/v1/orders/${orderId}/linked-accounts`, key });
  const decide = (orderId: string, reportId: string, decision: string, key = authority.apiKey) =>
    api.request({ method: 'POST', url: `/v1/orders/${orderId}/linked-accounts/${reportId}/decision`, key, body: { decision } });
  const events = async (orderId: string, type: string): Promise<{ type: string; actor: string; platform?: string; data: any }[]> =>
    (await api.request({ method: 'GET', url: `/v1/audit/events?orderId=${orderId}&limit=500&type=${type}`, key: authority.apiKey })).body
      .items;
  const tick = async () => {
    await worker.get(OrderLifecycle).tick();
    await worker.get(SlaBreaches).raise();
  };
  const ack = (id: string, key: string) =>
    api.request({ method: 'POST', url: `/v1/directives/${id}/ack`, key, body: { outcome: 'enforced' } });

  it('an accepted account is suspended on that platform only, and lifted when the order expires', async () => {
    const orderId = await submit({ durationDays: 3 });
    await waitFor(() => a.sim.received.find((r) => r.body.orderId === orderId && r.body.type === 'suspend'), 'the order’s suspend on a');
    const reported = await report(orderId, a.key, { accountId: 'second-account-42', signals: [] });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({ orderId, platform: a.id, accountId: 'second-account-42', status: 'reported', directives: [] });
    // Reported is not enough: nothing reaches the platform before the authority accepts.
    await new Promise((r) => setTimeout(r, 500));
    expect(a.sim.received.filter((r) => r.body.orderId === orderId)).toHaveLength(1);

    const accepted = await decide(orderId, reported.body.id, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', decidedAt: expect.any(String) });
    expect(accepted.body.directives).toEqual([{ id: expect.any(String), type: 'suspend', status: 'pending', outcome: null }]);

    const suspend = await waitFor(
      () => a.sim.received.find((r) => r.body.orderId === orderId && r.body.accounts[0]?.accountId === 'second-account-42'),
      'the linked account’s suspend on a',
    );
    expect(suspend.body).toMatchObject({ type: 'suspend', accounts: [{ accountId: 'second-account-42' }] });
    expect(
      a.sim.verify(suspend.rawBody, {
        'webhook-id': suspend.webhookId,
        'webhook-timestamp': suspend.timestamp,
        'webhook-signature': suspend.signature,
      }),
    ).toBeTruthy();
    expect(b.sim.received.some((r) => JSON.stringify(r.body).includes('second-account-42'))).toBe(false);
    expect((await ack(suspend.body.id, a.key)).status).toBe(200);
    const acknowledged = await list(orderId, authority.apiKey);
    expect(acknowledged.body.items[0].directives).toEqual([
      { id: suspend.body.id, type: 'suspend', status: 'acknowledged', outcome: 'enforced' },
    ]);
    // The order's own platform row is the order's: the linked directive did not move it.
    const view = (await api.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: authority.apiKey })).body;
    expect(view.platforms.find((p: { platform: string }) => p.platform === a.id)).toMatchObject({ status: 'delivered' });

    clock.offsetMs = 3 * 86_400_000 + 1000;
    await waitFor(async () => {
      await tick();
      return a.sim.received.filter((r) => r.body.orderId === orderId && r.body.type === 'lift').length === 2;
    }, 'both lifts on a');
    const lift = a.sim.received.find((r) => r.body.type === 'lift' && r.body.accounts[0]?.accountId === 'second-account-42')!;
    expect(lift.body).toMatchObject({ orderId, accounts: [{ accountId: 'second-account-42' }] });
    expect(lift.at).toBeGreaterThanOrEqual(suspend.at);
    await waitFor(() => b.sim.received.find((r) => r.body.orderId === orderId && r.body.type === 'lift'), 'the order’s lift on b');
    expect(b.sim.received.filter((r) => r.body.orderId === orderId).map((r) => r.body.type)).toEqual(['suspend', 'lift']);
    const after = await list(orderId, authority.apiKey);
    expect(after.body.items[0].directives.map((d: { type: string }) => d.type)).toEqual(['suspend', 'lift']);

    const [reportedEvent] = await events(orderId, 'linked_account.reported');
    expect(reportedEvent).toMatchObject({ platform: a.id, data: { reportId: reported.body.id, signalCount: 0, signalTypes: [] } });
    expect(await events(orderId, 'linked_account.accepted')).toHaveLength(1);
    expect(JSON.stringify(await events(orderId, 'linked_account.reported'))).not.toContain('second-account-42');
  });

  it('accepted signals block sign-ups on the reporting platform only, and join its private set only', async () => {
    const orderId = await submit();
    const index = () => api.app.get(ScreeningIndexService).current;
    await waitFor(() => index()?.has(orderId), 'the order in the index');
    const email = `linked.${randomBytes(4).toString('hex')}@example.org`;
    const hash = prehash('email', email);
    const checkOn = async (key: string) =>
      (await api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals: [{ type: 'email', hash }] } })).body.decision;
    const setTags = async (key: string): Promise<Set<string>> => {
      const tags = new Set<string>();
      let cursor: string | undefined;
      for (;;) {
        const res = await api.request({ method: 'GET', url: `/v1/private/set${cursor ? `?cursor=${cursor}` : ''}`, key });
        expect(res.status).toBe(200);
        for (const e of res.body.entries)
          if (e.op === 'add') tags.add(e.tag);
          else tags.delete(e.tag);
        if (!res.body.more) return tags;
        cursor = res.body.cursor;
      }
    };
    const setA = await setTags(a.key);
    const setB = await setTags(b.key);
    const r = await report(orderId, a.key, { accountId: 'with-signals', signals: [{ type: 'email', hash }] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ signalTypes: ['email'], signalCount: 1 });
    expect(await checkOn(a.key)).toBe('allow');

    expect((await decide(orderId, r.body.id, 'accept')).status).toBe(200);
    await waitFor(async () => (await checkOn(a.key)) === 'block', 'the accepted signal to block on a');
    expect(await checkOn(b.key)).toBe('allow');
    const afterA = await setTags(a.key);
    const afterB = await setTags(b.key);
    expect([...afterA].filter((t) => !setA.has(t))).toHaveLength(1);
    expect([...afterB].filter((t) => !setB.has(t))).toHaveLength(0);
    // An index built whole (at start, or by reconciliation) keeps the scope too.
    const whole = await new IndexLoader(api.dataSource).loadAll(clock.now());
    const digest = createHmac('sha256', world.config.signals.peppers[0]!.key).update(Buffer.from(hash, 'hex')).digest();
    const lookup = (platform: string) => {
      const into: { orderId: string }[] = [];
      whole.lookup(world.config.signals.peppers[0]!.keyId, digest, platform, clock.now().getTime(), into as never[]);
      return into.map((m) => m.orderId);
    };
    expect(lookup(a.id)).toEqual([orderId]);
    expect(lookup(b.id)).toEqual([]);
  });

  it('a platform sees its own reports only; the authority sees them all, audited; rejection keeps no account id', async () => {
    const orderId = await submit();
    const ra = await report(orderId, a.key, { accountId: 'on-a' });
    const rb = await report(orderId, b.key, { accountId: 'on-b' });
    expect([ra.status, rb.status]).toEqual([201, 201]);
    const ofA = await list(orderId, a.key);
    expect(ofA.body.items.map((i: { accountId: string }) => i.accountId)).toEqual(['on-a']);
    const all = await list(orderId, authority.apiKey);
    expect(all.body.items.map((i: { accountId: string; platform: string }) => [i.platform, i.accountId])).toEqual([
      [a.id, 'on-a'],
      [b.id, 'on-b'],
    ]);
    expect((await events(orderId, 'linked_account.listed')).map((e) => e.actor)).toHaveLength(2);

    const rejected = await decide(orderId, rb.body.id, 'reject');
    expect(rejected.body).toMatchObject({ status: 'rejected', accountId: null, directives: [] });
    const [row] = await api.dataSource.query(`SELECT account_enc, account_digest, signals_enc FROM linked_account_reports WHERE id = $1`, [
      rb.body.id,
    ]);
    expect(row).toEqual({ account_enc: null, account_digest: null, signals_enc: null });
    expect(await events(orderId, 'linked_account.rejected')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.sim.received.some((r) => JSON.stringify(r.body).includes('on-b'))).toBe(false);
  });

  it('refuses bad inputs with stable codes', async () => {
    const orderId = await submit();
    const other = await api.platform('other');
    const otherKey = (await api.client('platform', other)).apiKey;
    const codes = async (res: Promise<{ status: number; body: any }>) => {
      const r = await res;
      return [r.status, r.body.code];
    };
    expect(await codes(report(orderId, authority.apiKey, { accountId: 'x' }))).toEqual([403, expect.any(String)]);
    expect(await codes(report(orderId, otherKey, { accountId: 'x' }))).toEqual([404, 'LINKED_ACCOUNT.ORDER_NOT_FOUND']);
    expect(await codes(report('not-a-uuid', a.key, { accountId: 'x' }))).toEqual([404, expect.any(String)]);
    expect(await codes(report('0190a000-0000-7000-8000-000000000000', a.key, { accountId: 'x' }))).toEqual([
      404,
      'LINKED_ACCOUNT.ORDER_NOT_FOUND',
    ]);
    // A raw value is never taken: the shape refuses it.
    expect((await report(orderId, a.key, { accountId: 'x', signals: [{ type: 'email', value: RAW.email }] })).status).toBe(400);
    expect((await report(orderId, a.key, { signals: [] })).status).toBe(400);
    expect(await codes(report(orderId, a.key, { accountId: 'x', signals: [{ type: 'email', hash: 'zz' }] }))).toEqual([
      422,
      'LINKED_ACCOUNT.SIGNAL_INVALID',
    ]);
    const first = await report(orderId, a.key, { accountId: 'twice' });
    expect(first.status).toBe(201);
    expect(await codes(report(orderId, a.key, { accountId: 'twice' }))).toEqual([409, 'LINKED_ACCOUNT.DUPLICATE']);
    // The same account id on another platform is another account.
    expect((await report(orderId, b.key, { accountId: 'twice' })).status).toBe(201);

    expect(await codes(decide(orderId, first.body.id, 'maybe'))).toEqual([400, expect.any(String)]);
    expect(await codes(decide(orderId, first.body.id, 'accept', a.key))).toEqual([403, expect.any(String)]);
    expect(await codes(decide(orderId, '0190a000-0000-7000-8000-000000000000', 'accept'))).toEqual([404, 'LINKED_ACCOUNT.NOT_FOUND']);
    const otherAuthority = await api.client('authority');
    expect(await codes(decide(orderId, first.body.id, 'accept', otherAuthority.apiKey))).toEqual([404, 'LINKED_ACCOUNT.ORDER_NOT_FOUND']);
    expect(await codes(list(orderId, otherAuthority.apiKey))).toEqual([404, 'LINKED_ACCOUNT.ORDER_NOT_FOUND']);
    expect((await decide(orderId, first.body.id, 'reject')).status).toBe(200);
    expect(await codes(decide(orderId, first.body.id, 'accept'))).toEqual([409, 'LINKED_ACCOUNT.ALREADY_DECIDED']);

    const pending = await report(orderId, a.key, { accountId: 'before-revocation' });
    const revoked = await api.request({
      method: 'POST',
      url: `/v1/orders/${orderId}/revoke`,
      key: authority.apiKey,
      body: { reason: 'appeal', decisionReference: 'CA-1' },
    });
    expect(revoked.status).toBe(200);
    expect(await codes(report(orderId, a.key, { accountId: 'after' }))).toEqual([409, 'LINKED_ACCOUNT.ORDER_NOT_IN_FORCE']);
    expect(await codes(decide(orderId, pending.body.id, 'accept'))).toEqual([409, 'LINKED_ACCOUNT.ORDER_NOT_IN_FORCE']);
  });

  it('revocation lifts an accepted account too', async () => {
    const orderId = await submit();
    const r = await report(orderId, a.key, { accountId: 'lift-on-revoke' });
    await decide(orderId, r.body.id, 'accept');
    await waitFor(
      () => a.sim.received.find((x) => x.body.type === 'suspend' && x.body.accounts[0]?.accountId === 'lift-on-revoke'),
      'its suspend',
    );
    await api.request({
      method: 'POST',
      url: `/v1/orders/${orderId}/revoke`,
      key: authority.apiKey,
      body: { reason: 'appeal', decisionReference: 'CA-2' },
    });
    await waitFor(
      () => a.sim.received.find((x) => x.body.type === 'lift' && x.body.accounts[0]?.accountId === 'lift-on-revoke'),
      'its lift',
    );
  });

  it('retention: the order’s purge deletes rejected and undecided reports and forgets accepted accounts', async () => {
    const orderId = await submit({ durationDays: 1 });
    const accepted = await report(orderId, a.key, {
      accountId: 'kept-until-purge',
      signals: [{ type: 'email', hash: prehash('email', 'p@example.org') }],
    });
    await decide(orderId, accepted.body.id, 'accept');
    const rejected = await report(orderId, b.key, { accountId: 'rejected-one' });
    await decide(orderId, rejected.body.id, 'reject');
    await report(orderId, b.key, { accountId: 'never-decided' });
    const rows = async () =>
      (await api.dataSource.query(
        `SELECT status, account_enc IS NOT NULL AS sealed FROM linked_account_reports WHERE order_id = $1 ORDER BY id`,
        [orderId],
      )) as { status: string; sealed: boolean }[];
    expect(await rows()).toEqual([
      { status: 'accepted', sealed: true },
      { status: 'rejected', sealed: false },
      { status: 'reported', sealed: true },
    ]);
    clock.offsetMs = (1 + world.config.retention.days) * 86_400_000 + 1000;
    await waitFor(async () => {
      await tick();
      return (await events(orderId, 'order.purged')).length > 0;
    }, 'the purge');
    expect(await rows()).toEqual([{ status: 'accepted', sealed: false }]);
    const [signals] = await api.dataSource.query(`SELECT count(*)::int AS n FROM order_signals WHERE order_id = $1`, [orderId]);
    expect(signals.n).toBe(0);
  });
});
