import { ClientsService } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { startTestApp, type TestApp } from './support/test-app';
import { freePort, waitFor, waitForReady } from './support/isolated';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/**
 * Sign-up check limits per API key (docs/screening.md § Abuse resistance), on two API processes sharing
 * PostgreSQL and Redis: a small key is limited whichever process it calls, a big one is not, a
 * changed limit reaches the other process by NOTIFY, and every answer says where the key stands
 * (RateLimit-Policy and RateLimit, IETF httpapi).
 */
describe('sign-up check limits per key, across two API processes', () => {
  let a: TestApp;
  let b: TestApp;
  let platform: string;
  let admin: string;

  beforeAll(async () => {
    a = await startTestApp({ logLevel: 'warn' });
    b = await startTestApp({ logLevel: 'warn' });
    platform = await a.platform('limits');
    admin = (await a.client('admin')).apiKey;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const batch = (n: number) => ({
    checks: Array.from({ length: n }, (_, i) => ({ ref: `r${i}`, signals: [{ type: 'email', value: `nobody.${i}@example.org` }] })),
  });
  const check = (app: TestApp, key: string, n = 1000) =>
    app.request({ method: 'POST', url: '/v1/signup-checks/batch', key, body: batch(n) });
  const newKey = (limits: { signupRatePerSecond?: number; signupRateBurst?: number }) =>
    a.app.get(ClientsService).create({ name: 'limits test', role: 'platform', platform, ...limits }, 'cli');

  it('limits a small key on both processes, and not a big one; each answer carries the RateLimit headers', async () => {
    const small = await newKey({ signupRatePerSecond: 1, signupRateBurst: 1000 });
    const big = await newKey({ signupRatePerSecond: 100_000, signupRateBurst: 100_000 });
    // The other process learns of the new keys by NOTIFY.
    await waitFor(
      async () => (await b.request({ method: 'POST', url: '/v1/signup-checks', key: big.apiKey, body: { signals: [] } })).status !== 401,
      'process b to know the keys',
    );

    const first = await check(a, small.apiKey);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"signup";q=1000;w=1000');
    expect(first.headers['ratelimit']).toBe('"signup";r=0;t=1000');
    // The same key on the other process: the bucket is shared through Redis.
    const second = await check(b, small.apiKey);
    expect([second.status, second.body.code]).toEqual([429, 'RATE_LIMIT.EXCEEDED']);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(999);
    expect(second.headers['ratelimit']).toMatch(/^"signup";r=0;t=(999|1000)$/);

    for (const app of [a, b, a, b]) {
      const res = await check(app, big.apiKey);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBe('"signup";q=100000;w=1');
      expect(res.headers['ratelimit']).toMatch(/^"signup";r=\d+;t=\d+$/);
    }
    // A single check says the global default policy for a key without its own.
    const plain = (await a.client('platform', platform)).apiKey;
    const one = await a.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: plain,
      body: { signals: [{ type: 'email', value: 'one@example.org' }] },
    });
    expect(one.status).toBe(200);
    const config = loadConfig();
    expect(one.headers['ratelimit-policy']).toBe(
      `"signup";q=${config.screening.rateBurst};w=${Math.ceil(config.screening.rateBurst / config.screening.ratePerSecond)}`,
    );
  });

  it('holds the same on two API processes of their own (the built API, as npm start runs it)', async () => {
    const ports = [await freePort(), await freePort()];
    const processes = ports.map((port) =>
      spawn(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'main.js')], {
        env: { ...process.env, PORT: String(port), METRICS_PORT: '0', LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      }),
    );
    try {
      for (const port of ports) {
        await waitForReady(port, `the API on ${port}`);
      }
      const small = await newKey({ signupRatePerSecond: 1, signupRateBurst: 1000 });
      const big = await newKey({ signupRatePerSecond: 100_000, signupRateBurst: 100_000 });
      const post = (port: number, key: string) =>
        fetch(`http://127.0.0.1:${port}/v1/signup-checks/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch(1000)),
        });
      // Each process hears of the new keys by NOTIFY (or reads an unknown key once).
      await waitFor(async () => (await post(ports[0]!, big.apiKey)).status === 200, 'process 1 to know the big key');
      await waitFor(async () => (await post(ports[1]!, big.apiKey)).status === 200, 'process 2 to know the big key');
      expect((await post(ports[0]!, small.apiKey)).status).toBe(200);
      const refused = await post(ports[1]!, small.apiKey);
      expect([refused.status, refused.headers.get('ratelimit')]).toEqual([429, expect.stringMatching(/^"signup";r=0;t=\d+$/)]);
      for (const port of [ports[0]!, ports[1]!, ports[0]!]) expect((await post(port, big.apiKey)).status).toBe(200);
    } finally {
      for (const child of processes) child.kill('SIGTERM');
      await Promise.all(processes.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    }
  });

  it('changes a key’s limits through the admin API, audited, applied by the other process', async () => {
    const key = await newKey({ signupRatePerSecond: 1, signupRateBurst: 1000 });
    expect((await check(a, key.apiKey)).status).toBe(200);
    await waitFor(async () => (await check(b, key.apiKey, 1)).status === 429, 'process b to refuse the spent key');

    const changed = await a.request({
      method: 'PATCH',
      url: `/v1/admin/clients/${key.id}`,
      key: admin,
      body: { signupRatePerSecond: 50_000, signupRateBurst: 50_000 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: key.id, signupRatePerSecond: 50_000, signupRateBurst: 50_000 });
    await waitFor(async () => (await check(b, key.apiKey)).status === 200, 'process b to apply the new limits');
    const [event] = await a.dataSource.query(
      `SELECT actor, data FROM audit_events WHERE type = 'client.limits_changed' AND data->>'clientId' = $1`,
      [key.id],
    );
    expect(event.data).toEqual({ clientId: key.id, signupRatePerSecond: 50_000, signupRateBurst: 50_000 });

    // Back to the global setting.
    const reset = await a.request({
      method: 'PATCH',
      url: `/v1/admin/clients/${key.id}`,
      key: admin,
      body: { signupRatePerSecond: null, signupRateBurst: null },
    });
    expect(reset.body).toMatchObject({ signupRatePerSecond: null, signupRateBurst: null });
    const listed = await a.request({ method: 'GET', url: '/v1/admin/clients', key: admin });
    expect(listed.body.find((c: { id: string }) => c.id === key.id)).toMatchObject({ signupRatePerSecond: null, signupRateBurst: null });
  });

  it('refuses bad limits with a clear problem, and lets only an admin set them', async () => {
    const key = await newKey({});
    const patch = (body: unknown, as = admin, id = key.id) => a.request({ method: 'PATCH', url: `/v1/admin/clients/${id}`, key: as, body });
    for (const body of [
      {},
      { signupRateBurst: 10 },
      { signupRatePerSecond: 0 },
      { signupRatePerSecond: -1 },
      { signupRatePerSecond: 'fast' },
      { signupRateBurst: 1000.5 },
      { other: 1 },
    ]) {
      const res = await patch(body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION.FAILED']);
    }
    expect((await patch({ signupRatePerSecond: 5 }, admin, '00000000-0000-7000-8000-000000000000')).body.code).toBe('CLIENT.NOT_FOUND');
    expect((await patch({ signupRatePerSecond: 5 }, admin, 'not-a-uuid')).status).toBe(404);
    expect((await patch({ signupRatePerSecond: 5 }, key.apiKey)).status).toBe(403);
    const created = await a.request({
      method: 'POST',
      url: '/v1/admin/clients',
      key: admin,
      body: { name: 'too small', role: 'platform', platform, signupRateBurst: 999 },
    });
    expect([created.status, created.body.code]).toEqual([400, 'VALIDATION.FAILED']);
  });
});
