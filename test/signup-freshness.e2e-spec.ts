import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CreatedClient } from '@ostracon/auth';
import { type AppConfig, loadConfig } from '@ostracon/config';
import { IndexLoader, ScreeningIndexService } from '@ostracon/screening';
import { orderBody } from './support/builders';
import { asOwner, freePort, testConfig, waitFor } from './support/isolated';
import { RedisServer } from './support/redis-server';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/** A unique e-mail per order: the shared test database holds many orders. */
const uniqueEmail = () => `freshness.${randomBytes(5).toString('hex')}@example.fr`;

async function submit(api: TestApp, authority: CreatedClient, platform: string, email: string): Promise<string> {
  const res = await submitOrder(api, authority.apiKey, { ...orderBody(platform), subject: { signals: [{ type: 'email', value: email }] } });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('sign-up checks across API processes', () => {
  const processes: ChildProcess[] = [];
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
    await api?.close();
  });

  /** The built API as `npm start` runs it, on its own port; resolves once /health/ready says so. */
  async function apiProcess(): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'main.js')], {
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    processes.push(child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${base}/health/ready`).catch(() => null))?.status === 200,
      'an API process to be ready',
      30_000,
    );
    return base;
  }

  it('a new order blocks, and its revocation allows, on two API processes sharing one database', async () => {
    const [a, b] = await Promise.all([apiProcess(), apiProcess()]);
    const authority = await api.client('authority');
    const platform = await api.platform('fresh');
    const { apiKey } = await api.client('platform', platform);
    const email = uniqueEmail();
    const decide = async (base: string) => {
      const res = await fetch(`${base}/v1/signup-checks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ signals: [{ type: 'email', value: email }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { decision: string }).decision;
    };
    expect([await decide(a), await decide(b)]).toEqual(['allow', 'allow']);

    const orderId = await submit(api, authority, platform, email);
    await waitFor(
      async () => (await decide(a)) === 'block' && (await decide(b)) === 'block',
      'the order to block on both processes',
      10_000,
    );

    const revoke = await api.request({
      method: 'POST',
      url: `/v1/orders/${orderId}/revoke`,
      key: authority.apiKey,
      body: { reason: 'Set aside on appeal', decisionReference: 'CA-2026-77' },
    });
    expect(revoke.status).toBe(200);
    await waitFor(
      async () => (await decide(a)) === 'allow' && (await decide(b)) === 'allow',
      'the revocation to allow on both processes',
      10_000,
    );
  });
});

describe('index reconciliation', () => {
  it('leaves the index alone while it agrees with PostgreSQL', async () => {
    const base = loadConfig();
    const api = await startTestApp({ config: { ...base, screening: { ...base.screening, reconcileMs: 200 } } });
    try {
      const authority = await api.client('authority');
      const platform = await api.platform('recon');
      const orderId = await submit(api, authority, platform, uniqueEmail());
      const service = api.app.get(ScreeningIndexService);
      await waitFor(() => service.current?.has(orderId), 'the order in the index', 10_000);
      const built = service.stats().loadedAt;
      const reconciled = jest.spyOn(IndexLoader.prototype, 'summary');
      await waitFor(() => reconciled.mock.calls.length >= 5, 'five reconciliations', 10_000);
      const theirs = await Promise.all(reconciled.mock.results.map((r) => r.value));
      reconciled.mockRestore();
      // PostgreSQL's aggregate is the index's own summary: compared, found equal, not rebuilt
      // (a rebuild stalls checks: docs/screening.md).
      expect(theirs.length).toBeGreaterThanOrEqual(5);
      for (const summary of theirs) expect(summary).toEqual(service.current!.liveSummary);
      expect(service.current!.liveSummary.orders).toBeGreaterThan(0);
      expect(service.stats().loadedAt).toBe(built);
    } finally {
      await api.close();
    }
  });

  it('picks up a change whose notification was lost: the reconciliation rebuilds the index', async () => {
    const base = loadConfig();
    const api = await startTestApp({ config: { ...base, screening: { ...base.screening, reconcileMs: 1000 } } });
    try {
      const authority = await api.client('authority');
      const platform = await api.platform('recon');
      const { apiKey } = await api.client('platform', platform);
      const email = uniqueEmail();
      const orderId = await submit(api, authority, platform, email);
      await waitFor(() => api.app.get(ScreeningIndexService).current?.has(orderId), 'the order in the index', 10_000);
      // Revoked behind the service's back, with triggers off (only the owner may): no NOTIFY is sent.
      await asOwner(async (owner) => {
        await owner.query(`BEGIN`);
        await owner.query(`SET LOCAL session_replication_role = replica`);
        await owner.query(`UPDATE ban_orders SET revoked_at = now(), ended_by = 'revocation', revocation_reason = 'test' WHERE id = $1`, [
          orderId,
        ]);
        await owner.query(`COMMIT`);
      });
      const decide = async () =>
        (await api.request({ method: 'POST', url: '/v1/signup-checks', key: apiKey, body: { signals: [{ type: 'email', value: email }] } }))
          .body.decision;
      await waitFor(async () => (await decide()) === 'allow', 'the rebuild to drop the revoked order', 15_000);
    } finally {
      await api.close();
    }
  });
});

describe('the sign-up rate limit', () => {
  const limited = (): AppConfig => {
    const base = loadConfig();
    return { ...base, screening: { ...base.screening, ratePerSecond: 0.01, rateBurst: 1000 } };
  };
  const batch = (n: number) => ({
    checks: Array.from({ length: n }, (_, i) => ({ ref: `r${i}`, signals: [{ type: 'email', value: `n${i}@x.fr` }] })),
  });

  it('is held in Redis: past it, every API process answers 429 with Retry-After', async () => {
    const [one, two] = [await startTestApp({ config: limited() }), await startTestApp({ config: limited() })];
    try {
      const platform = await one.platform('rate');
      const { apiKey } = await one.client('platform', platform);
      const full = await one.request({ method: 'POST', url: '/v1/signup-checks/batch', key: apiKey, body: batch(1000) });
      expect(full.status).toBe(200);
      for (const app of [one, two]) {
        const res = await app.request({
          method: 'POST',
          url: '/v1/signup-checks',
          key: apiKey,
          body: { signals: [{ type: 'email', value: 'a@b.fr' }] },
        });
        expect(res.status).toBe(429);
        expect(res.body.code).toBe('RATE_LIMIT.EXCEEDED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      // Another key has its own bucket.
      const other = await one.client('platform', platform);
      const ok = await two.request({
        method: 'POST',
        url: '/v1/signup-checks',
        key: other.apiKey,
        body: { signals: [{ type: 'email', value: 'a@b.fr' }] },
      });
      expect(ok.status).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('still answers checks, each process bounded on its own, while Redis is down', async () => {
    const redis = new RedisServer();
    await redis.start();
    const base = limited();
    const api = await startTestApp({
      config: {
        ...testConfig({ databaseUrl: base.database.url, ownerUrl: base.database.migrationUrl, redisUrl: redis.url }),
        screening: base.screening,
      },
    });
    try {
      const platform = await api.platform('down');
      const { apiKey } = await api.client('platform', platform);
      await redis.stop();
      const res = await api.request({ method: 'POST', url: '/v1/signup-checks/batch', key: apiKey, body: batch(1000) });
      expect(res.status).toBe(200);
      const over = await api.request({
        method: 'POST',
        url: '/v1/signup-checks',
        key: apiKey,
        body: { signals: [{ type: 'email', value: 'a@b.fr' }] },
      });
      expect(over.status).toBe(429);
    } finally {
      await api.close();
      await redis.stop();
    }
  });
});

describe('pepper rotation', () => {
  const base = loadConfig();
  const current = base.signals.peppers[0]!;
  const next = { keyId: `next-${randomBytes(3).toString('hex')}`, key: randomBytes(32) };
  const withPeppers = (peppers: AppConfig['signals']['peppers']): AppConfig => ({ ...base, signals: { ...base.signals, peppers } });
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  const start = async (peppers: AppConfig['signals']['peppers']) => {
    const app = await startTestApp({ config: withPeppers(peppers) });
    apps.push(app);
    return app;
  };

  it('keeps every order matching while a new pepper takes over, and shows which key ids are still in use', async () => {
    // Step 0: the current pepper only. An order hashed with it.
    const before = await start([current]);
    const authority = await before.client('authority');
    const platform = await before.platform('pepper');
    const { apiKey } = await before.client('platform', platform);
    const [oldEmail, newEmail] = [uniqueEmail(), uniqueEmail()];
    const oldOrder = await submit(before, authority, platform, oldEmail);
    // Step 1: every process learns the next pepper, still writing with the current one.
    const learning = await start([current, next]);
    // Step 2: the next pepper becomes current; new orders are hashed with it.
    const rotated = await start([next, current]);
    const newOrder = await submit(rotated, authority, platform, newEmail);
    const [stored] = await rotated.dataSource.query(`SELECT key_id FROM order_signals WHERE order_id = $1`, [newOrder]);
    expect(stored.key_id).toBe(next.keyId);

    const decide = async (app: TestApp, email: string) => {
      const res = await app.request({
        method: 'POST',
        url: '/v1/signup-checks',
        key: apiKey,
        body: { signals: [{ type: 'email', value: email }] },
      });
      return res.body.decision as string;
    };
    for (const app of [learning, rotated]) {
      await waitFor(() => app.app.get(ScreeningIndexService).current?.has(newOrder), 'the new order in the index', 10_000);
      expect([await decide(app, oldEmail), await decide(app, newEmail)]).toEqual(['block', 'block']);
    }
    expect(rotated.app.get(ScreeningIndexService).stats().keyUsage).toMatchObject({ [current.keyId]: expect.any(Number), [next.keyId]: 1 });
    const metrics = await rotated.metrics();
    expect(metrics).toContain(`ostracon_screening_index_signals_by_key{key_id="${next.keyId}"} 1`);

    // Retiring the old pepper too early: its orders stop matching. Hence the rule in docs/screening.md.
    const retired = await start([next]);
    await waitFor(() => retired.app.get(ScreeningIndexService).current?.has(newOrder), 'the new order in the index', 10_000);
    expect([await decide(retired, oldEmail), await decide(retired, newEmail)]).toEqual(['allow', 'block']);
    const [old] = await retired.dataSource.query(`SELECT key_id FROM order_signals WHERE order_id = $1`, [oldOrder]);
    expect(old.key_id).toBe(current.keyId);
  });
});
