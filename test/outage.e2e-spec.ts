import { randomBytes } from 'node:crypto';
import type { CreatedClient } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { Client } from 'pg';
import { idempotencyKey, orderBody } from './support/builders';
import { testConfig, waitFor } from './support/isolated';
import { PostgresServer } from './support/postgres-server';
import { startTestApp, submitOrder, type TestApp, type TestResponse } from './support/test-app';

/**
 * A failing data centre: the API's own PostgreSQL cluster, stopped and started under it. Nothing
 * answers 500, the sign-up checks go on from memory, and nothing is lost or doubled.
 */
describe('a PostgreSQL outage', () => {
  const pg = new PostgresServer();
  let api: TestApp;
  let authority: CreatedClient;
  let platform: string;
  let platformKey: string;
  const banned = `outage.${randomBytes(4).toString('hex')}@example.fr`;
  let orderId: string;

  const check = (email: string, key = platformKey) =>
    api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals: [{ type: 'email', value: email }] } });
  const unavailable = (res: TestResponse) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: 503, code: 'DEPENDENCY.UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.traceId).toBe(res.headers['x-request-id']);
  };

  beforeAll(async () => {
    await pg.init();
    api = await startTestApp({ config: testConfig({ databaseUrl: pg.url, ownerUrl: pg.ownerUrl, redisUrl: loadConfig().redis.url }) });
    authority = await api.client('authority');
    platform = await api.platform('outage');
    platformKey = (await api.client('platform', platform)).apiKey;
    const created = await submitOrder(api, authority.apiKey, {
      ...orderBody(platform),
      subject: { signals: [{ type: 'email', value: banned }] },
    });
    expect(created.status).toBe(201);
    orderId = created.body.id;
    await waitFor(async () => (await check(banned)).body.decision === 'block', 'the order in the sign-up index');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await pg.destroy();
  });

  it('answers 503 with Retry-After, never 500, and keeps answering sign-up checks that match nobody', async () => {
    // A key revoked behind the service's back (no notification): the index does not know yet.
    const revokedLater = await api.client('platform', platform);
    await asOwnerOf(pg, `UPDATE api_clients SET revoked_at = now() WHERE id = $1`, [revokedLater.id]);
    expect((await check('nobody@example.fr', revokedLater.apiKey)).status).toBe(200);

    await pg.stop('fast');
    try {
      // The answer comes from memory: non-matching checks go on, with keys verified before.
      const allow = await check(`nobody.${randomBytes(3).toString('hex')}@example.fr`);
      expect([allow.status, allow.body.decision]).toEqual([200, 'allow']);
      const batch = await api.request({
        method: 'POST',
        url: '/v1/signup-checks/batch',
        key: platformKey,
        body: { checks: [{ ref: 'a', signals: [{ type: 'email', value: 'someone.else@example.fr' }] }] },
      });
      expect([batch.status, batch.body.results[0].decision]).toEqual([200, 'allow']);
      // A match cannot be recorded: never an unrecorded block.
      const match = await check(banned);
      unavailable(match);
      expect(match.text).not.toContain('block');
      expect(match.text).not.toContain(banned);

      unavailable(await submitOrder(api, authority.apiKey, orderBody(platform)));
      unavailable(await api.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: authority.apiKey }));
      unavailable(await api.request({ method: 'GET', url: '/v1/orders', key: authority.apiKey }));
      unavailable(await api.request({ method: 'GET', url: '/v1/directives', key: platformKey }));
      unavailable(
        await api.request({
          method: 'POST',
          url: `/v1/orders/${orderId}/revoke`,
          key: authority.apiKey,
          body: { reason: 'appeal', decisionReference: 'CA-1' },
        }),
      );
      // Readiness: this process still serves its checks; a load balancer must not drain it.
      const ready = await api.request({ method: 'GET', url: '/health/ready' });
      expect([ready.status, ready.body.status, ready.body.checks.postgres]).toEqual([200, 'degraded', 'down']);
      // The log lines of these answers carry no statement parameters: the revocation's text was one.
      expect(api.logs.text()).not.toMatch(/appeal|CA-1|"parameters"/);
      expect(api.logs.text()).toContain('DEPENDENCY.UNAVAILABLE');
    } finally {
      await pg.start();
    }

    // Back within seconds, and the key revoked meanwhile stops working once the database is back.
    await waitFor(
      async () => (await submitOrder(api, authority.apiKey, orderBody(platform))).status === 201,
      'orders accepted again',
      15_000,
    );
    await waitFor(async () => (await check(banned)).body?.decision === 'block', 'matches recorded again', 15_000);
    await waitFor(async () => (await check('nobody@example.fr', revokedLater.apiKey)).status === 401, 'the revoked key refused', 15_000);
    expect((await api.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: authority.apiKey })).body.status).toBe('active');
  }, 60_000);

  it('loses and doubles nothing when PostgreSQL crashes and restarts in the middle of order intake', async () => {
    const keys = Array.from({ length: 12 }, () => idempotencyKey());
    const bodies = keys.map(() => orderBody(platform));
    const created = new Map<string, string>();
    const statuses: number[] = [];
    /** A client that retries its order with the same key until it gets an answer: what docs/errors.md asks of authorities. */
    const submitter = async (i: number) => {
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        const res = await api.request({
          method: 'POST',
          url: '/v1/orders',
          key: authority.apiKey,
          body: bodies[i],
          headers: { 'idempotency-key': keys[i]! },
        });
        statuses.push(res.status);
        if (res.status === 201 || res.status === 200) {
          created.set(keys[i]!, res.body.id);
          return;
        }
        expect([409, 503]).toContain(res.status);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`order ${i} never accepted`);
    };
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 30));
      // A crash this time: connections die in the middle of their statements.
      await pg.stop('immediate');
      await new Promise((r) => setTimeout(r, 800));
      await pg.start();
    })();
    await Promise.all([...keys.map((_, i) => submitter(i)), restart]);

    expect(statuses).not.toContain(500);
    // The restart did land in the middle of the intake.
    expect(statuses).toContain(503);
    expect(created.size).toBe(keys.length);
    for (const [i, body] of bodies.entries()) {
      const rows = await api.dataSource.query(`SELECT id FROM ban_orders WHERE court_reference = $1`, [body.courtReference]);
      // Exactly one order per key, and it is the one the 201 named.
      expect(rows.map((r: { id: string }) => r.id)).toEqual([created.get(keys[i]!)]);
    }
  }, 60_000);
});

async function asOwnerOf(pg: PostgresServer, sql: string, params: unknown[]): Promise<void> {
  const owner = new Client({ connectionString: pg.ownerUrl });
  await owner.connect();
  try {
    await owner.query('BEGIN');
    // No trigger, so no notification: as if it had been lost.
    await owner.query('SET LOCAL session_replication_role = replica');
    await owner.query(sql, params);
    await owner.query('COMMIT');
  } finally {
    await owner.end();
  }
}
