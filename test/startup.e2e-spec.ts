import { loadConfig } from '@ostracon/config';
import { ScreeningIndexService } from '@ostracon/screening';
import { Client } from 'pg';
import { orderBody } from './support/builders';
import { isolatedDatabase, testConfig } from './support/isolated';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/** What the API answers before the sign-up index is built and before the worker has signed a checkpoint. */
describe('before the index is built and the first checkpoint is signed', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let api: TestApp;

  beforeAll(async () => {
    db = await isolatedDatabase('startup');
    // No worker: nothing signs a checkpoint.
    api = await startTestApp({ config: testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: loadConfig().redis.url }) });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('answers AUDIT.NO_CHECKPOINT for the checkpoint and for proofs against it', async () => {
    const { apiKey } = await api.client('auditor');
    for (const url of ['/v1/audit/checkpoint', '/v1/audit/proofs/inclusion?seq=1', '/v1/audit/proofs/consistency?from=1']) {
      const res = await api.request({ method: 'GET', url, key: apiKey });
      expect([url, res.status, res.headers['content-type'], res.body.code]).toEqual([
        url,
        404,
        'application/problem+json; charset=utf-8',
        'AUDIT.NO_CHECKPOINT',
      ]);
    }
    // The log itself is readable meanwhile: the client's creation is in it.
    const events = await api.request({ method: 'GET', url: '/v1/audit/events', key: apiKey });
    expect(events.status).toBe(200);
    expect(events.body.items.length).toBeGreaterThan(0);
  });

  it('answers sign-up checks with 503 SCREENING.INDEX_LOADING until its index is built, and serves the rest meanwhile', async () => {
    const authority = await api.client('authority');
    const platform = await api.platform('boot');
    const { apiKey } = await api.client('platform', platform);
    const email = 'startup.index@example.fr';
    const created = await submitOrder(api, authority.apiKey, {
      ...orderBody(platform),
      subject: { signals: [{ type: 'email', value: email }] },
    });
    expect(created.status).toBe(201);

    // Hold the index's first load: its snapshot waits on this lock.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE order_signals IN ACCESS EXCLUSIVE MODE');
    const starting = await startTestApp({
      config: testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: loadConfig().redis.url }),
      waitForIndex: false,
    });
    try {
      const check = () =>
        starting.request({ method: 'POST', url: '/v1/signup-checks', key: apiKey, body: { signals: [{ type: 'email', value: email }] } });
      const loading = await check();
      expect([loading.status, loading.body.code, loading.headers['retry-after']]).toEqual([503, 'SCREENING.INDEX_LOADING', '2']);
      expect(loading.text).not.toContain(email);
      const batch = await starting.request({
        method: 'POST',
        url: '/v1/signup-checks/batch',
        key: apiKey,
        body: { checks: [{ ref: 'a', signals: [{ type: 'email', value: email }] }] },
      });
      expect([batch.status, batch.body.code]).toEqual([503, 'SCREENING.INDEX_LOADING']);
      const ready = await starting.request({ method: 'GET', url: '/health/ready' });
      expect([ready.status, ready.body.detail]).toEqual([503, 'postgres: ok, redis: ok, index: loading, keys: ok']);
      expect((await starting.request({ method: 'GET', url: '/v1/offences', key: authority.apiKey })).status).toBe(200);
      expect(starting.app.get(ScreeningIndexService).current).toBeNull();

      await blocker.query('ROLLBACK');
      await starting.app.get(ScreeningIndexService).ready();
      const after = await check();
      expect([after.status, after.body.decision]).toEqual([200, 'block']);
      expect((await starting.request({ method: 'GET', url: '/health/ready' })).status).toBe(200);
    } finally {
      await blocker.end();
      await starting.close();
    }
  });
});
