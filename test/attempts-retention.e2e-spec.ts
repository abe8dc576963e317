import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { OrderLifecycle } from '@ostracon/orders';
import { ScreeningIndexService } from '@ostracon/screening';
import { orderBody } from './support/builders';
import { OffsetClock, waitFor } from './support/isolated';
import { type World, startWorld } from './support/world';

/**
 * Retention of attempts (issue 30, docs/attempts.md § Retention): the account id a platform
 * confirmed on an attempt is sealed like the order's accounts, and forgotten with them when the
 * order's retention is over (the worker's purge); the attempt and its answer stay.
 */
jest.setTimeout(120_000);

describe('attempts: retention', () => {
  const clock = new OffsetClock();
  let world: World;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    world = await startWorld('attempts-retention', { clock, worker: {} });
    worker = world.worker!;
  });
  afterAll(() => world?.close());

  it('forgets the confirmed account id at the order’s purge, and keeps the attempt and its answer', async () => {
    const platform = await world.api.platform('ret');
    const platformKey = (await world.api.client('platform', platform)).apiKey;
    const email = `retention.${randomBytes(4).toString('hex')}@example.fr`;
    const created = await world.submit(
      orderBody(platform, clock.now(), { durationDays: 1, subject: { signals: [{ type: 'email', value: email }] } }),
    );
    expect(created.status).toBe(201);
    const orderId = created.body.id as string;
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(orderId), 'the order in the index', 10_000);

    const check = await world.api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: platformKey,
      body: { signals: [{ type: 'email', value: email }] },
    });
    expect(check.body.decision).toBe('block');
    const matchId = check.body.matchId as string;
    const answered = await world.api.request({
      method: 'POST',
      url: `/v1/signup-matches/${matchId}/review`,
      key: platformKey,
      body: { outcome: 'confirmed', accountId: 'new-account-after-the-ban' },
    });
    expect(answered.status).toBe(200);
    const row = async () =>
      (
        await world.api.dataSource.query(
          `SELECT outcome, account_enc IS NOT NULL AS sealed, account_key_id IS NOT NULL AS keyed FROM signup_matches WHERE id = $1`,
          [matchId],
        )
      )[0];
    expect(await row()).toEqual({ outcome: 'confirmed', sealed: true, keyed: true });

    // Past the order's end and its retention: the worker's lifecycle purges it.
    clock.offsetMs = (2 + world.config.retention.days) * 86_400_000;
    await waitFor(async () => {
      await worker.get(OrderLifecycle).tick();
      const [o] = await world.api.dataSource.query(`SELECT purged_at FROM ban_orders WHERE id = $1`, [orderId]);
      return o.purged_at !== null;
    }, 'the purge');
    expect(await row()).toEqual({ outcome: 'confirmed', sealed: false, keyed: false });
  });
});
