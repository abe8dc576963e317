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

  it('forgets the confirmed account id at the order’s purge, keeps the attempt and its answer, and takes none after it', async () => {
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
    const row = async (id = matchId) =>
      (
        await world.api.dataSource.query(
          `SELECT outcome, account_enc IS NOT NULL AS sealed, account_key_id IS NOT NULL AS keyed FROM signup_matches WHERE id = $1`,
          [id],
        )
      )[0];
    expect(await row()).toEqual({ outcome: 'confirmed', sealed: true, keyed: true });
    // A second attempt, which the platform answers only after the purge.
    const late = await world.api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: platformKey,
      body: { signals: [{ type: 'email', value: email }] },
    });
    expect(late.body.decision).toBe('block');

    // Past the order's end and its retention: the worker's lifecycle purges it.
    clock.offsetMs = (2 + world.config.retention.days) * 86_400_000;
    await waitFor(async () => {
      await worker.get(OrderLifecycle).tick();
      const [o] = await world.api.dataSource.query(`SELECT purged_at FROM ban_orders WHERE id = $1`, [orderId]);
      return o.purged_at !== null;
    }, 'the purge');
    expect(await row()).toEqual({ outcome: 'confirmed', sealed: false, keyed: false });

    // An answer after the purge is recorded, without its account id.
    const after = await world.api.request({
      method: 'POST',
      url: `/v1/signup-matches/${late.body.matchId}/review`,
      key: platformKey,
      body: { outcome: 'confirmed', accountId: 'given-after-the-purge' },
    });
    expect(after.status).toBe(200);
    expect(await row(late.body.matchId)).toEqual({ outcome: 'confirmed', sealed: false, keyed: false });
  });
});
