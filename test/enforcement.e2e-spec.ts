import type { INestApplicationContext } from '@nestjs/common';
import type { CreatedClient } from '@ostracon/auth';
import { DeliveryService, EnforcementReads, SlaBreaches } from '@ostracon/enforcement';
import { OrderLifecycle } from '@ostracon/orders';
import { PlatformsService } from '@ostracon/platforms';
import { Webhook } from 'standardwebhooks';
import { DirectiveProcessor } from '../apps/worker/src/directive.processor';
import { RAW, daysFrom, orderBody } from './support/builders';
import { OffsetClock, waitFor } from './support/isolated';
import { SimulatedPlatform } from './support/simulated-platform';
import type { TestApp } from './support/test-app';
import { type World, startWorld } from './support/world';

describe('enforcement: directives reach platforms, confirmed, on time', () => {
  const clock = new OffsetClock();
  let world: World;
  let api: TestApp;
  let worker: INestApplicationContext;
  let authority: CreatedClient;

  beforeAll(async () => {
    world = await startWorld('enforcement', { clock, worker: {} });
    ({ api, authority } = world);
    worker = world.worker!;
  });
  afterAll(() => world?.close());
  afterEach(() => {
    clock.offsetMs = 0;
  });

  const pushPlatform = (sim?: SimulatedPlatform, slaHours?: number) => world.pushPlatform(sim, slaHours);

  /** An order naming these platforms, one account each. */
  async function submit(platforms: string[], overrides: Record<string, unknown> = {}) {
    const body: any = orderBody(platforms[0]!, clock.now(), overrides);
    body.platforms = platforms.map((platform) => ({
      platform,
      accounts: [{ accountId: `${RAW.accountId}-${platform}`, handle: RAW.handle }],
    }));
    const res = await world.submit(body);
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  /** One pass of the time-based transitions, ours (not joined to the worker's own), failing loudly. */
  const tick = async () => {
    await worker.get(OrderLifecycle).tick();
    await worker.get(SlaBreaches).raise();
  };
  /** Runs the lifecycle until `done` (the worker's own ticks may hold the rows a tick of ours skips). */
  const tickUntil = (done: () => Promise<boolean>, what: string) =>
    waitFor(async () => {
      await tick();
      return done();
    }, what);
  const tickTwice = async () => {
    await tick();
    await tick();
  };

  const order = async (id: string) => (await api.request({ method: 'GET', url: `/v1/orders/${id}`, key: authority.apiKey })).body;
  /** The order's directives, as the enforcement lib reads them. */
  const directives = (orderId: string) => worker.get(EnforcementReads).directivesOf(api.dataSource, [orderId]);
  /** The order's events, as its authority reads them through the API. */
  const events = async (orderId: string, type?: string): Promise<{ type: string; data: any }[]> =>
    (
      await api.request({
        method: 'GET',
        url: `/v1/audit/events?orderId=${orderId}&limit=500${type ? `&type=${type}` : ''}`,
        key: authority.apiKey,
      })
    ).body.items;

  it('delivers a signed suspend directive, with the accounts, and the order shows it', async () => {
    const { id: platform, sim } = await pushPlatform();
    const { id } = await submit([platform]);
    const got = await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'the suspend to arrive');
    expect(got.body).toMatchObject({
      type: 'suspend',
      orderId: id,
      accounts: [{ accountId: `${RAW.accountId}-${platform}`, handle: RAW.handle }],
    });
    expect(got.webhookId).toBe(`msg_${got.body.id}`);
    expect(got.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const view = await waitFor(async () => {
      const o = await order(id);
      return o.platforms[0].status === 'delivered' ? o : null;
    }, 'the order to show the delivery');
    expect(view.platforms[0].slaDeadline).toBe(new Date(new Date(view.platforms[0].deliveredAt).getTime() + 48 * 3600_000).toISOString());
    const types = (await events(id)).map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('directive.'))).toEqual(['directive.queued', 'directive.delivered']);
  });

  it('is verified by the platform; a tampered body, a wrong secret or a stale timestamp is not', async () => {
    const { id: platform, sim } = await pushPlatform();
    const { id } = await submit([platform]);
    const got = await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'a delivery');
    const headers = { 'webhook-id': got.webhookId, 'webhook-timestamp': got.timestamp, 'webhook-signature': got.signature };
    const post = (body: string, h: Record<string, string>) =>
      fetch(sim.url, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body });
    expect((await post(got.rawBody, headers)).status).toBe(200);
    expect((await post(got.rawBody.replace(RAW.accountId, 'acct-0000000000'), headers)).status).toBe(401);
    const other = new SimulatedPlatform();
    const { Webhook } = await import('standardwebhooks');
    const wrong = new Webhook(other.secret).sign(got.webhookId, new Date(Number(got.timestamp) * 1000), got.rawBody);
    expect((await post(got.rawBody, { ...headers, 'webhook-signature': wrong })).status).toBe(401);
    const staleAt = new Date(Date.now() - 10 * 60_000);
    const stale = new Webhook(sim.secret).sign(got.webhookId, staleAt, got.rawBody);
    expect(
      (
        await post(got.rawBody, {
          ...headers,
          'webhook-timestamp': String(Math.floor(staleAt.getTime() / 1000)),
          'webhook-signature': stale,
        })
      ).status,
    ).toBe(401);
  });

  it('retries 500s and delivers once, with the same webhook-id every time', async () => {
    const sim = new SimulatedPlatform().respond({ status: 500 }, { status: 503, retryAfter: '0' });
    const { id: platform } = await pushPlatform(sim);
    const { id } = await submit([platform]);
    await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'the delivery after two failures');
    await waitFor(async () => (await events(id, 'directive.delivered')).length === 1, 'the delivered event');
    expect(sim.requests).toBe(3);
    expect(sim.received).toHaveLength(1);
    const failures = await events(id, 'directive.delivery_failed');
    expect(failures.map((e: any) => [e.data.attempt, e.data.reasonClass, e.data.final])).toEqual([
      [1, 'http_5xx', false],
      [2, 'http_5xx', false],
    ]);
    const [d] = await directives(id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('delivers a backlog for one platform sent together, retrying those the platform refused, each once', async () => {
    const sim = new SimulatedPlatform().respond({ status: 503 }, { status: 500 });
    const { id: platform } = await pushPlatform(sim);
    // Due together: the relay's next pass hands the platform's five directives to one job (decision 0031).
    const startsAt = daysFrom(clock.now(), 2);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit([platform], { startsAt: startsAt.toISOString(), durationDays: 10 })).id);
    clock.offsetMs = 3 * 86_400_000;
    await waitFor(async () => {
      for (const id of ids) if ((await events(id, 'directive.delivered')).length !== 1) return false;
      return true;
    }, 'every directive delivered');
    expect(sim.requests).toBe(7);
    expect(new Set(sim.received.map((r) => r.body.orderId))).toEqual(new Set(ids));
    expect(sim.received).toHaveLength(5);
    const failures = (await Promise.all(ids.map((id) => events(id, 'directive.delivery_failed')))).flat();
    expect(failures.map((e) => [e.data.attempt, e.data.final])).toEqual([
      [1, false],
      [1, false],
    ]);
    for (const id of ids) expect((await directives(id)).map((d) => d.status)).toEqual(['delivered']);
  });

  it('keeps at most DELIVERY_CONCURRENCY POSTs in flight while it sends a pass of many directives', async () => {
    // A slow platform, and three times as many directives due together as the worker may send at
    // once: one relay pass hands them all to one job (decision 0031), whose POSTs wait for a slot.
    const sim = new SimulatedPlatform();
    sim.delayMs = 100;
    const { id: platform } = await pushPlatform(sim);
    const limit = world.config.delivery.concurrency;
    const startsAt = daysFrom(clock.now(), 2);
    const ids: string[] = [];
    for (let i = 0; i < 3 * limit; i++) ids.push((await submit([platform], { startsAt: startsAt.toISOString(), durationDays: 10 })).id);
    clock.offsetMs = 3 * 86_400_000;
    await waitFor(() => sim.received.length === ids.length, 'every directive delivered');
    expect(new Set(sim.received.map((r) => r.body.orderId))).toEqual(new Set(ids));
    // Never more than the limit, and the limit reached: the POSTs go in parallel, up to it.
    expect(sim.maxInFlight).toBe(limit);
  });

  it('retries a platform that hangs, drops the connection, cuts its answer off or redirects, then delivers once', async () => {
    const sim = new SimulatedPlatform().respond({ hang: true }, { drop: true }, { cutOff: true }, { status: 302 });
    const { id: platform } = await pushPlatform(sim);
    const { id } = await submit([platform]);
    await waitFor(async () => (await events(id, 'directive.delivered')).length === 1, 'the delivery after four failures', 30_000);
    const failures = await events(id, 'directive.delivery_failed');
    expect(failures.map((e: any) => [e.data.attempt, e.data.reasonClass, e.data.final])).toEqual([
      [1, 'timeout', false],
      [2, 'network', false],
      [3, 'network', false],
      [4, 'invalid_response', false],
    ]);
    expect(sim.requests).toBe(5);
    expect(sim.received.filter((r) => r.body.orderId === id)).toHaveLength(1);
    expect(await directives(id)).toMatchObject([{ status: 'delivered', attempts: 4 }]);
  });

  it('rotates a webhook secret: within the overlap a verifier holding either secret takes every delivery; after it, only the new one', async () => {
    const { id: platform, sim } = await pushPlatform();
    const oldSecret = sim.secret;
    const rotated = await api.app.get(PlatformsService).rotateWebhookSecret(platform, { overlapHours: 1 }, 'cli', clock.now());
    const newSecret = rotated.webhookSecret!;
    expect(newSecret).toMatch(/^whsec_/);
    const headersOf = (r: { webhookId: string; timestamp: string; signature: string }) => ({
      'webhook-id': r.webhookId,
      'webhook-timestamp': r.timestamp,
      'webhook-signature': r.signature,
    });
    const deliveredTo = (orderId: string) => waitFor(() => sim.received.find((r) => r.body.orderId === orderId), 'the delivery');

    // The platform still verifies with the old secret: deliveries keep arriving, signed with both.
    const during = await deliveredTo((await submit([platform])).id);
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(() => new Webhook(newSecret).verify(during.rawBody, headersOf(during))).not.toThrow();
    // It switches to the new secret whenever it likes within the overlap.
    sim.secret = newSecret;
    await deliveredTo((await submit([platform])).id);

    // Past the overlap, the old secret signs no more.
    clock.offsetMs = 2 * 3600_000;
    const after = await deliveredTo((await submit([platform])).id);
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(() => new Webhook(newSecret).verify(after.rawBody, headersOf(after))).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(after.rawBody, headersOf(after))).toThrow();
    // Audited, without the secret: what an auditor reads.
    const auditor = await api.client('auditor');
    const log = await api.request({
      method: 'GET',
      url: '/v1/audit/events?type=platform.webhook_secret_rotated&limit=500',
      key: auditor.apiKey,
    });
    const rotations = (log.body.items as { platform?: string; data: Record<string, unknown> }[]).filter((e) => e.platform === platform);
    expect(rotations.map((e) => e.data)).toEqual([{ previousSecretSignsUntil: rotated.previousSecretSignsUntil, generated: true }]);
    expect(JSON.stringify(rotations)).not.toContain(newSecret.slice(6, 20));
  });

  it('fails a directive for good on a permanent 4xx', async () => {
    const sim = new SimulatedPlatform().always({ status: 410 });
    const { id: platform } = await pushPlatform(sim);
    const { id } = await submit([platform]);
    const view = await waitFor(async () => {
      const o = await order(id);
      return o.platforms[0].status === 'failed' ? o : null;
    }, 'the directive to fail');
    expect(view.platforms[0].outcome).toBe('delivery_failed');
    expect(sim.requests).toBe(1);
    const [failure] = await events(id, 'directive.delivery_failed');
    expect(failure.data).toMatchObject({ attempt: 1, reasonClass: 'http_4xx', httpStatus: 410, final: true });
  });

  it('opens one platform’s breaker while another platform’s directives still arrive', async () => {
    const down = new SimulatedPlatform().always({ status: 503 });
    const { id: downId } = await pushPlatform(down);
    const { id: upId, sim: up } = await pushPlatform();
    const delivery = worker.get(DeliveryService);
    const downOrders: { id: string }[] = [];
    for (let i = 0; i < 8; i++) downOrders.push(await submit([downId]));
    await waitFor(() => delivery.isBreakerOpen(downId), 'the breaker to open');
    const requestsWhenOpen = down.requests;
    const upOrders: { id: string }[] = [];
    for (let i = 0; i < 5; i++) upOrders.push(await submit([upId]));
    await waitFor(() => upOrders.every((o) => up.received.some((r) => r.body.orderId === o.id)), 'the healthy platform’s directives');
    // While open, the failing platform gets no more requests (a half-open trial comes after 1.5 s).
    expect(down.requests).toBe(requestsWhenOpen);
    expect(requestsWhenOpen).toBeLessThanOrEqual(8);
    // Once the platform is back, the half-open trial succeeds, the breaker closes and every directive arrives.
    down.always({ status: 200 });
    await waitFor(
      () => downOrders.every((o) => down.received.some((r) => r.body.orderId === o.id)),
      'the recovered platform’s directives',
      30_000,
    );
    expect(delivery.isBreakerOpen(downId)).toBe(false);
  });

  it('pull mode: the platform reads its directives, acks them, and the SLA is met', async () => {
    const platform = await api.platform('pull', { slaHours: 24 });
    const other = await api.platform('pull');
    const client = await api.client('platform', platform);
    const otherClient = await api.client('platform', other);
    const { id } = await submit([platform]);
    const page = await waitFor(async () => {
      const res = await api.request({ method: 'GET', url: '/v1/directives', key: client.apiKey });
      return res.body.items.find((d: { orderId: string }) => d.orderId === id) ? res.body : null;
    }, 'the directive to be pullable');
    const directive = page.items.find((d: { orderId: string }) => d.orderId === id);
    expect(directive).toMatchObject({ type: 'suspend', accounts: [{ accountId: `${RAW.accountId}-${platform}` }] });
    expect((await api.request({ method: 'GET', url: '/v1/directives', key: otherClient.apiKey })).body.items).toEqual([]);
    expect((await api.request({ method: 'GET', url: '/v1/directives', key: authority.apiKey })).status).toBe(403);

    expect((await order(id)).platforms[0].status).toBe('delivered');
    const ack = (key: string, outcome: string) =>
      api.request({ method: 'POST', url: `/v1/directives/${directive.id}/ack`, key, body: { outcome, note: 'done by T&S' } });
    expect((await ack(otherClient.apiKey, 'enforced')).status).toBe(404);
    const res = await ack(client.apiKey, 'enforced');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: directive.id, status: 'acknowledged', outcome: 'enforced', slaMet: true });
    expect((await ack(client.apiKey, 'enforced')).body).toEqual(res.body);
    expect((await ack(client.apiKey, 'rejected')).status).toBe(409);
    const view = await order(id);
    expect(view.platforms[0]).toMatchObject({ status: 'enforced', slaMet: true, outcome: 'enforced' });
    expect(
      (await api.request({ method: 'GET', url: '/v1/directives', key: client.apiKey })).body.items.map((d: any) => d.id),
    ).not.toContain(directive.id);
    const [acked] = await events(id, 'directive.acknowledged');
    expect(acked.data).toMatchObject({ outcome: 'enforced', slaMet: true });
  });

  it('raises an SLA breach once, and a late ack does not meet the SLA', async () => {
    const platform = await api.platform('pull', { slaHours: 1 });
    const client = await api.client('platform', platform);
    const { id } = await submit([platform]);
    const directive = await waitFor(async () => {
      const res = await api.request({ method: 'GET', url: '/v1/directives', key: client.apiKey });
      return res.body.items.find((d: { orderId: string }) => d.orderId === id);
    }, 'the directive');
    clock.offsetMs = 2 * 3600_000;
    // The worker ticks on its own too: a tick of ours may skip the row its tick holds, so tick
    // until the breach is committed, then a few more times to see it is never raised again.
    await tickUntil(async () => (await events(id, 'directive.sla_breached')).length > 0, 'the SLA breach');
    await tickTwice();
    expect(await events(id, 'directive.sla_breached')).toHaveLength(1);
    expect((await order(id)).platforms[0].slaMet).toBe(false);
    const res = await api.request({
      method: 'POST',
      url: `/v1/directives/${directive.id}/ack`,
      key: client.apiKey,
      body: { outcome: 'enforced' },
    });
    expect(res.body.slaMet).toBe(false);
    expect((await order(id)).platforms[0]).toMatchObject({ status: 'enforced', slaMet: false });
  });

  it('waits for startsAt before a suspend goes out, then activates the order once', async () => {
    const { id: platform, sim } = await pushPlatform();
    const startsAt = new Date(Date.now() + 1500);
    const { id } = await submit([platform], { startsAt: startsAt.toISOString(), durationDays: 10 });
    await new Promise((r) => setTimeout(r, 700));
    expect(sim.received.filter((r) => r.body.orderId === id)).toHaveLength(0);
    expect((await order(id)).status).toBe('scheduled');
    const got = await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'the suspend at startsAt');
    expect(got.at).toBeGreaterThanOrEqual(startsAt.getTime());
    await waitFor(async () => (await events(id, 'order.activated')).length === 1, 'order.activated');
    await tickTwice();
    expect(await events(id, 'order.activated')).toHaveLength(1);
  });

  it('tells the platform to lift when the clock passes endsAt, after the suspend', async () => {
    const { id: platform, sim } = await pushPlatform();
    const { id } = await submit([platform], { durationDays: 3 });
    await waitFor(() => sim.received.find((r) => r.body.orderId === id && r.body.type === 'suspend'), 'the suspend');
    clock.offsetMs = 3 * 86_400_000 + 1000;
    const lift = await waitFor(() => sim.received.find((r) => r.body.orderId === id && r.body.type === 'lift'), 'the lift');
    const suspend = sim.received.find((r) => r.body.orderId === id && r.body.type === 'suspend')!;
    expect(lift.at).toBeGreaterThanOrEqual(suspend.at);
    expect(lift.body.accounts).toEqual(suspend.body.accounts);
    const view = await order(id);
    expect(view.status).toBe('expired');
    expect(view.platforms[0].status).toBe('lifting');
    expect(await events(id, 'order.expired')).toHaveLength(1);
  });

  it('revoke → lift at once; a platform that had not been told is told nothing', async () => {
    const { id: pushed, sim } = await pushPlatform();
    const { id } = await submit([pushed]);
    await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'the suspend');
    const revoke = (orderId: string) =>
      api.request({
        method: 'POST',
        url: `/v1/orders/${orderId}/revoke`,
        key: authority.apiKey,
        body: { reason: 'appeal', decisionReference: 'CA-1' },
      });
    expect((await revoke(id)).body.platforms[0].status).toBe('lifting');
    await waitFor(() => sim.received.find((r) => r.body.orderId === id && r.body.type === 'lift'), 'the lift');

    const { id: scheduled } = await submit([pushed], { startsAt: daysFrom(new Date(), 2).toISOString() });
    const revoked = await revoke(scheduled);
    expect(revoked.body.platforms[0]).toMatchObject({ status: 'lifted', outcome: 'cancelled_before_delivery' });
    await new Promise((r) => setTimeout(r, 600));
    expect(sim.received.filter((r) => r.body.orderId === scheduled)).toHaveLength(0);
    expect((await directives(scheduled)).map((d: { type: string; status: string }) => [d.type, d.status])).toEqual([
      ['suspend', 'cancelled'],
    ]);
  });

  it('purges signal digests and account ids after the retention period, keeping the order', async () => {
    const platform = await api.platform('pull');
    const { id } = await submit([platform], { durationDays: 1 });
    const counts = async () =>
      (
        await api.dataSource.query(
          `SELECT (SELECT count(*) FROM order_signals WHERE order_id = $1) AS signals,
                  (SELECT count(*) FROM order_platforms WHERE order_id = $1 AND accounts_enc IS NOT NULL) AS sealed`,
          [id],
        )
      )[0];
    expect(await counts()).toEqual({ signals: '3', sealed: '1' });
    clock.offsetMs = (1 + 364) * 86_400_000; // ended 364 days ago: kept
    await tickTwice();
    expect(await counts()).toEqual({ signals: '3', sealed: '1' });
    clock.offsetMs = (1 + 365) * 86_400_000 + 1000;
    await tickUntil(async () => (await events(id, 'order.purged')).length > 0, 'the purge');
    await tickTwice();
    expect(await counts()).toEqual({ signals: '0', sealed: '0' });
    const purged = await events(id, 'order.purged');
    expect(purged).toHaveLength(1);
    expect(purged[0].data).toMatchObject({ signalDigestsDeleted: 3, retentionDays: 365 });
    const view = await order(id);
    expect(view).toMatchObject({ id, status: 'expired', signalCount: 3, courtReference: expect.any(String) });
  });

  it('replaces a delivery worker that stopped, and delivery goes on', async () => {
    const processor = worker.get(DirectiveProcessor);
    const before = processor.restarts;
    await processor.current!.close();
    await waitFor(() => processor.restarts > before, 'the watchdog to replace the worker');
    const { id: platform, sim } = await pushPlatform();
    const { id } = await submit([platform]);
    await waitFor(() => sim.received.find((r) => r.body.orderId === id), 'a delivery by the new worker');
  });
});
