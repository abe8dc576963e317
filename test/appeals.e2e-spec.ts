import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { CreatedClient } from '@ostracon/auth';
import { EnforcementReads, SlaBreaches } from '@ostracon/enforcement';
import { OrderLifecycle } from '@ostracon/orders';
import { PrivateScreener } from '@ostracon/platform-sdk';
import { daysFrom, isoDate, orderBody } from './support/builders';
import { OffsetClock, freePort, waitFor } from './support/isolated';
import type { SimulatedPlatform } from './support/simulated-platform';
import type { TestApp } from './support/test-app';
import { type World, startWorld } from './support/world';

// Each case waits for real deliveries, index reloads and the SDK's long polls.
jest.setTimeout(120_000);

const DAY = 86_400_000;
const unique = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

/**
 * Appeals and relèvement (issue 30 §4, docs/legal.md § Appeals and relèvement, decision 0027),
 * against the running service: the API, the worker, a simulated platform that verifies every
 * signature, the sign-up index and the platform SDK's private checks.
 */
describe('appeals: an appeal suspends a sentence, its outcome resumes or ends it; a relèvement ends it early', () => {
  const clock = new OffsetClock();
  let world: World;
  let api: TestApp;
  let worker: INestApplicationContext;
  let authority: CreatedClient;
  let base: string;
  const screeners: PrivateScreener[] = [];

  beforeAll(async () => {
    world = await startWorld('appeals', { clock, worker: {} });
    ({ api, authority } = world);
    worker = world.worker!;
    const port = await freePort();
    await api.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const s of screeners) await s.stop();
    await world?.close();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  const post = (url: string, body: unknown, key = authority.apiKey) => api.request({ method: 'POST', url, key, body });
  const order = async (id: string) => (await api.request({ method: 'GET', url: `/v1/orders/${id}`, key: authority.apiKey })).body;
  const directives = (orderId: string) => worker.get(EnforcementReads).directivesOf(api.dataSource, [orderId]);
  const events = async (orderId: string, type?: string): Promise<{ type: string; data: any; actor: string }[]> =>
    (
      await api.request({
        method: 'GET',
        url: `/v1/audit/events?orderId=${orderId}&limit=500${type ? `&type=${type}` : ''}`,
        key: authority.apiKey,
      })
    ).body.items;
  const tick = async () => {
    await worker.get(OrderLifecycle).tick();
    await worker.get(SlaBreaches).raise();
  };
  const today = () => isoDate(clock.now());

  /** A push platform, its API key, and an order naming it with a fresh e-mail. */
  async function bannedOn(overrides: Record<string, unknown> = {}) {
    const { id: platform, sim } = await world.pushPlatform();
    const key = (await api.client('platform', platform)).apiKey;
    const email = `${unique('appel')}@example.fr`;
    const res = await world.submit({
      ...orderBody(platform, clock.now(), overrides),
      subject: { signals: [{ type: 'email', value: email }] },
      platforms: [{ platform, accounts: [{ accountId: unique('acct') }] }],
    });
    expect([res.status, res.body.errors ?? res.body.detail]).toEqual([201, undefined]);
    return { id: res.body.id as string, platform, sim, key, email, view: res.body };
  }

  const plainDecision = async (key: string, email: string) => {
    const res = await post('/v1/signup-checks', { signals: [{ type: 'email', value: email }] }, key);
    expect(res.status).toBe(200);
    return res.body.decision as string;
  };
  const received = (sim: SimulatedPlatform, orderId: string, type: 'suspend' | 'lift') =>
    sim.received.filter((r) => r.body.orderId === orderId && r.body.type === type);
  const ack = (key: string, directiveId: string) => post(`/v1/directives/${directiveId}/ack`, { outcome: 'enforced' }, key);

  it('appeal → suspended (lift delivered, plain and private checks no longer match, SLA stopped, no expiry) → confirmed with new dates → resumed → ends at the new end', async () => {
    const o = await bannedOn();
    const screener = await PrivateScreener.start({
      baseUrl: base,
      apiKey: o.key,
      platform: o.platform,
      pinnedKeys: await pinnedKeys(),
      pollWaitSeconds: 2,
    });
    screeners.push(screener);
    const signup = [{ type: 'email' as const, value: o.email }];
    await waitFor(() => received(o.sim, o.id, 'suspend')[0], 'the suspend');
    await waitFor(async () => (await plainDecision(o.key, o.email)) === 'block', 'a plain block');
    await waitFor(async () => (await screener.checkSignup(signup)).decision === 'block', 'a private block');
    // Delivered, not answered: its SLA clock runs.
    await waitFor(async () => (await order(o.id)).platforms[0].status === 'delivered', 'the delivery recorded');

    const appeal = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA Paris 26/01234' });
    expect(appeal.status).toBe(200);
    expect(appeal.body).toMatchObject({
      status: 'suspended',
      appeal: { lodgedOn: today(), reference: 'CA Paris 26/01234', outcome: null },
      platforms: [{ status: 'lifting', slaDeadline: null }],
    });
    const [appealed] = await events(o.id, 'order.appealed');
    expect(appealed).toMatchObject({ data: { lodgedOn: today(), reference: 'CA Paris 26/01234', previousStatus: 'active' } });
    expect(await events(o.id, 'directive.sla_stopped')).toHaveLength(1);

    // The platform is told to lift; checks, plain and private, stop matching.
    const lift = await waitFor(() => received(o.sim, o.id, 'lift')[0], 'the lift');
    expect((await ack(o.key, lift.body.id)).status).toBe(200);
    await waitFor(async () => (await plainDecision(o.key, o.email)) === 'allow', 'the plain check to allow', 10_000);
    await waitFor(async () => (await screener.checkSignup(signup)).decision === 'allow', 'the private check to allow', 10_000);

    // Past the suspend's SLA deadline and past the order's end: no breach, not late, not expired.
    clock.offsetMs = 200 * DAY;
    await tick();
    await tick();
    expect(await events(o.id, 'directive.sla_breached')).toHaveLength(0);
    expect(await events(o.id, 'order.expired')).toHaveLength(0);
    const late = await api.request({ method: 'GET', url: '/v1/orders?late=true&limit=500', key: authority.apiKey });
    expect(late.body.items.map((i: { id: string }) => i.id)).not.toContain(o.id);
    const suspended = await order(o.id);
    expect(suspended).toMatchObject({ status: 'suspended', platforms: [{ status: 'lifted', overdue: false }] });
    expect(await plainDecision(o.key, o.email)).toBe('allow');
    const listed = await api.request({ method: 'GET', url: '/v1/orders?status=suspended&limit=500', key: authority.apiKey });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(o.id);

    // The court of appeal confirms with new dates: beyond art. 131-35-1's cap, refused.
    const startsAt = clock.now().toISOString();
    const outcome = (body: Record<string, unknown>) =>
      post(`/v1/orders/${o.id}/appeal/outcome`, {
        outcome: 'confirmed',
        decidedOn: today(),
        decisionReference: 'CA Paris arrêt 2027/77',
        ...body,
      });
    const tooLong = await outcome({ startsAt, endsAt: new Date(clock.now().getTime() + 200 * DAY).toISOString() });
    expect([tooLong.status, tooLong.body.code]).toEqual([422, 'ORDER.DURATION_EXCEEDED']);
    const halfDates = await outcome({ startsAt });
    expect([halfDates.status, halfDates.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    const beforeAppeal = await outcome({ decidedOn: isoDate(daysFrom(clock.now(), -300)) });
    expect([beforeAppeal.status, beforeAppeal.body.code]).toEqual([422, 'ORDER.TRANSITION_DATE_INVALID']);
    expect((await order(o.id)).status).toBe('suspended');

    const endsAt = new Date(clock.now().getTime() + 30 * DAY).toISOString();
    const confirmed = await outcome({ startsAt, endsAt });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'active',
      startsAt,
      endsAt,
      appeal: { outcome: 'confirmed', decisionReference: 'CA Paris arrêt 2027/77' },
      platforms: [{ status: 'pending' }],
    });
    const [confirmedEvent] = await events(o.id, 'order.appeal_confirmed');
    expect(confirmedEvent!.data).toMatchObject({ newDates: true, startsAt, endsAt, previous: { startsAt: o.view.startsAt } });

    // A new suspend goes out; the checks match again.
    const second = await waitFor(() => received(o.sim, o.id, 'suspend')[1], 'the new suspend');
    expect(second.body.id).not.toBe(received(o.sim, o.id, 'suspend')[0]!.body.id);
    expect((await ack(o.key, second.body.id)).status).toBe(200);
    await waitFor(async () => (await plainDecision(o.key, o.email)) === 'block', 'the plain check to block again', 10_000);
    await waitFor(async () => (await screener.checkSignup(signup)).decision === 'block', 'the private check to block again', 10_000);
    expect((await order(o.id)).platforms[0]).toMatchObject({ status: 'enforced', slaMet: true });

    // It ends at the new end date: a second lift.
    clock.offsetMs = 231 * DAY;
    await waitFor(async () => {
      await tick();
      return (await events(o.id, 'order.expired')).length === 1;
    }, 'the expiry at the new end');
    await waitFor(() => received(o.sim, o.id, 'lift')[1], 'the second lift');
    expect((await order(o.id)).status).toBe('expired');
    expect(await plainDecision(o.key, o.email)).toBe('allow');
    const all = await directives(o.id);
    expect(all.map((d) => d.type).sort()).toEqual(['lift', 'lift', 'suspend', 'suspend']);
  });

  it('confirmed without new dates: what was left of the ban runs from the resumption', async () => {
    const o = await bannedOn({ durationDays: 30 });
    await waitFor(() => received(o.sim, o.id, 'suspend')[0], 'the suspend');
    clock.offsetMs = 10 * DAY;
    const appeal = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA Lyon 26/5' });
    expect(appeal.status).toBe(200);
    const served = new Date(appeal.body.appeal.recordedAt).getTime() - new Date(o.view.startsAt).getTime();
    clock.offsetMs = 40 * DAY;
    const res = await post(`/v1/orders/${o.id}/appeal/outcome`, {
      outcome: 'confirmed',
      decidedOn: today(),
      decisionReference: 'CA Lyon arrêt 9',
    });
    expect(res.status).toBe(200);
    const length = new Date(o.view.endsAt).getTime() - new Date(o.view.startsAt).getTime();
    expect(new Date(res.body.endsAt).getTime() - new Date(res.body.startsAt).getTime()).toBe(length - served);
    expect(res.body.status).toBe('active');
    expect((await events(o.id, 'order.appeal_confirmed'))[0]!.data).toMatchObject({ newDates: false });
    await waitFor(() => received(o.sim, o.id, 'suspend')[1], 'the new suspend');
  });

  it('quashed on appeal: the order ends, nothing more to lift; it can be neither appealed nor relieved again', async () => {
    const o = await bannedOn();
    const suspend = await waitFor(() => received(o.sim, o.id, 'suspend')[0], 'the suspend');
    expect((await ack(o.key, suspend.body.id)).status).toBe(200);
    expect((await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA Rennes 1' })).status).toBe(200);
    await waitFor(() => received(o.sim, o.id, 'lift')[0], 'the lift');
    expect(await directives(o.id)).toHaveLength(2);

    // Relèvement waits for the appeal's outcome; a second appeal is refused.
    const relief = await post(`/v1/orders/${o.id}/relief`, { decidedOn: today(), decisionReference: 'TJ relèvement 1' });
    expect([relief.status, relief.body.code]).toEqual([409, 'ORDER.NOT_RELIEVABLE']);
    const again = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA Rennes 2' });
    expect([again.status, again.body.code]).toEqual([409, 'ORDER.NOT_APPEALABLE']);

    const quashed = await post(`/v1/orders/${o.id}/appeal/outcome`, {
      outcome: 'quashed',
      decidedOn: today(),
      decisionReference: 'CA Rennes arrêt 3',
    });
    expect(quashed.status).toBe(200);
    expect(quashed.body).toMatchObject({ status: 'quashed', appeal: { outcome: 'quashed' }, revocation: null });
    expect(await directives(o.id)).toHaveLength(2);
    expect(await events(o.id, 'order.appeal_quashed')).toHaveLength(1);
    const twice = await post(`/v1/orders/${o.id}/appeal/outcome`, {
      outcome: 'quashed',
      decidedOn: today(),
      decisionReference: 'CA Rennes arrêt 3',
    });
    expect([twice.status, twice.body.code]).toEqual([409, 'ORDER.NO_PENDING_APPEAL']);
    const withDates = await post(`/v1/orders/${o.id}/appeal/outcome`, {
      outcome: 'quashed',
      decidedOn: today(),
      decisionReference: 'x',
      startsAt: clock.now().toISOString(),
      endsAt: clock.now().toISOString(),
    });
    expect([withDates.status, withDates.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    // Still quashed after the lifecycle; listed as such.
    clock.offsetMs = 200 * DAY;
    await tick();
    expect((await order(o.id)).status).toBe('quashed');
    clock.offsetMs = 0;
    const listed = await api.request({ method: 'GET', url: '/v1/orders?status=quashed&limit=500', key: authority.apiKey });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(o.id);
  });

  it('relèvement: the platforms are told to lift, the checks stop matching, the order ends with its decision', async () => {
    const o = await bannedOn();
    const suspend = await waitFor(() => received(o.sim, o.id, 'suspend')[0], 'the suspend');
    expect((await ack(o.key, suspend.body.id)).status).toBe(200);
    await waitFor(async () => (await plainDecision(o.key, o.email)) === 'block', 'a plain block');

    const future = await post(`/v1/orders/${o.id}/relief`, { decidedOn: isoDate(daysFrom(clock.now(), 2)), decisionReference: 'TJ 1' });
    expect([future.status, future.body.code]).toEqual([422, 'ORDER.TRANSITION_DATE_INVALID']);
    const relief = await post(`/v1/orders/${o.id}/relief`, { decidedOn: today(), decisionReference: 'TJ Paris relèvement 2027/4' });
    expect(relief.status).toBe(200);
    expect(relief.body).toMatchObject({
      status: 'relieved',
      relief: { decidedOn: today(), decisionReference: 'TJ Paris relèvement 2027/4' },
      revocation: null,
    });
    expect((await events(o.id, 'order.relieved'))[0]!.data).toMatchObject({
      decisionReference: 'TJ Paris relèvement 2027/4',
      previousStatus: 'active',
    });
    await waitFor(() => received(o.sim, o.id, 'lift')[0], 'the lift');
    await waitFor(async () => (await plainDecision(o.key, o.email)) === 'allow', 'the plain check to allow', 10_000);

    const twice = await post(`/v1/orders/${o.id}/relief`, { decidedOn: today(), decisionReference: 'TJ Paris relèvement 2027/4' });
    expect([twice.status, twice.body.code]).toEqual([409, 'ORDER.NOT_RELIEVABLE']);
    const appeal = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA 1' });
    expect([appeal.status, appeal.body.code]).toEqual([409, 'ORDER.NOT_APPEALABLE']);
    const revoke = await post(`/v1/orders/${o.id}/revoke`, { reason: 'x', decisionReference: 'y' });
    expect([revoke.status, revoke.body.code]).toEqual([409, 'ORDER.NOT_REVOCABLE']);
    const listed = await api.request({ method: 'GET', url: '/v1/orders?status=relieved&limit=500', key: authority.apiKey });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(o.id);
  });

  it('a scheduled order appealed: its suspend is cancelled unsent; confirmed, it keeps its window and starts then', async () => {
    const startsAt = new Date(clock.now().getTime() + 2 * DAY).toISOString();
    const o = await bannedOn({ startsAt, durationDays: 20 });
    const appeal = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA Douai 7' });
    expect(appeal.body).toMatchObject({ status: 'suspended', platforms: [{ status: 'lifted', outcome: 'cancelled_before_delivery' }] });
    expect(await events(o.id, 'directive.cancelled')).toHaveLength(1);
    const confirmed = await post(`/v1/orders/${o.id}/appeal/outcome`, {
      outcome: 'confirmed',
      decidedOn: today(),
      decisionReference: 'CA Douai arrêt 8',
    });
    expect(confirmed.body).toMatchObject({ status: 'scheduled', startsAt, endsAt: o.view.endsAt, platforms: [{ status: 'pending' }] });
    clock.offsetMs = 2 * DAY + 60_000;
    await waitFor(async () => {
      await tick();
      return (await events(o.id, 'order.activated')).length === 1;
    }, 'the activation');
    await waitFor(() => received(o.sim, o.id, 'suspend')[0], 'the suspend at the start');
    expect(received(o.sim, o.id, 'lift')).toHaveLength(0);
  });

  it('only a sentence is appealed; only the order’s own authority may; bad inputs are 400', async () => {
    const pretrial = await bannedOn({ legalBasis: 'pretrial_supervision' });
    const refused = await post(`/v1/orders/${pretrial.id}/appeal`, { lodgedOn: today(), reference: 'CA 9' });
    expect([refused.status, refused.body.code]).toEqual([422, 'ORDER.APPEAL_NOT_A_SENTENCE']);
    expect(refused.body.detail).toContain('506');
    const probation = await bannedOn({ legalBasis: 'probation' });
    const refused2 = await post(`/v1/orders/${probation.id}/appeal`, { lodgedOn: today(), reference: 'CA 9' });
    expect([refused2.status, refused2.body.code]).toEqual([422, 'ORDER.APPEAL_NOT_A_SENTENCE']);
    expect((await order(pretrial.id)).status).toBe('active');
    // A relèvement applies to them as to a sentence.
    expect((await post(`/v1/orders/${pretrial.id}/relief`, { decidedOn: today(), decisionReference: 'JLD 1' })).status).toBe(200);

    const o = await bannedOn();
    for (const body of [
      {},
      { lodgedOn: today() },
      { lodgedOn: 'yesterday', reference: 'CA 1' },
      { lodgedOn: today(), reference: '' },
      { lodgedOn: today(), reference: 'CA 1', extra: true },
    ]) {
      const res = await post(`/v1/orders/${o.id}/appeal`, body);
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    }
    const beforeSentence = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: '2024-06-01', reference: 'CA 1' });
    expect([beforeSentence.status, beforeSentence.body.code]).toEqual([422, 'ORDER.TRANSITION_DATE_INVALID']);
    expect((await post(`/v1/orders/${o.id}/relief`, { decidedOn: today() })).status).toBe(400);
    expect((await post(`/v1/orders/${o.id}/appeal/outcome`, { outcome: 'maybe', decidedOn: today(), decisionReference: 'x' })).status).toBe(
      400,
    );
    const noAppeal = await post(`/v1/orders/${o.id}/appeal/outcome`, { outcome: 'quashed', decidedOn: today(), decisionReference: 'x' });
    expect([noAppeal.status, noAppeal.body.code]).toEqual([409, 'ORDER.NO_PENDING_APPEAL']);

    // Another organisation's authority is told the order does not exist; a platform or an auditor may not.
    const other = await api.client('authority');
    const foreign = await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA 1' }, other.apiKey);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'ORDER.NOT_FOUND']);
    expect((await post(`/v1/orders/${o.id}/appeal`, { lodgedOn: today(), reference: 'CA 1' }, o.key)).status).toBe(403);
    const auditor = await api.client('auditor');
    expect((await post(`/v1/orders/${o.id}/relief`, { decidedOn: today(), decisionReference: 'x' }, auditor.apiKey)).status).toBe(403);
    expect((await order(o.id)).status).toBe('active');
    expect(await events(o.id, 'order.appealed')).toHaveLength(0);
  });

  /** The OPRF keys the audit log published, as a platform pins them. */
  async function pinnedKeys(): Promise<Record<string, string>> {
    const auditor = await api.client('auditor');
    const res = await api.request({ method: 'GET', url: '/v1/audit/events?type=private_key.published', key: auditor.apiKey });
    return Object.fromEntries(res.body.items.map((e: { data: { keyId: string; publicKey: string } }) => [e.data.keyId, e.data.publicKey]));
  }
});
