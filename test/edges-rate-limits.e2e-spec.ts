import { randomInt } from 'node:crypto';
import { generateApiKey } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { freePort } from './support/isolated';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 29 § 5: after a flood of unknown API keys from one address, every person signing in from
 * it got 429. Unknown keys and people have budgets of their own per source address.
 */
describe('edges: one address cannot lock people out of sign-in', () => {
  let t: TestApp;
  const address = () => `198.51.100.${randomInt(1, 255)}`;

  beforeAll(async () => {
    // Listening, as the development provider the sign-in starts discover is served by the API itself.
    const port = await freePort();
    const base = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port) });
    t = await startTestApp({
      config: { ...base, authFailures: { ratePerMinute: 6, burst: 10 }, signInAttempts: { ratePerMinute: 60, burst: 30 } },
    });
    await t.app.listen(port, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('keeps sign-in starts and session checks open from an address that flooded unknown keys', async () => {
    const from = address();
    const flood: number[] = [];
    for (let i = 0; i < 25; i++) {
      flood.push((await t.request({ method: 'GET', url: '/v1/orders', key: generateApiKey(), remoteAddress: from })).status);
    }
    expect(flood.filter((s) => s === 401)).toHaveLength(10);
    expect(flood.filter((s) => s === 429)).toHaveLength(15);
    // The people behind that address: their sign-ins start (to the provider), and a dead cookie is a 401, not a 429.
    for (let i = 0; i < 20; i++) {
      const start = await t.request({ method: 'GET', url: '/auth/sign-in', remoteAddress: from });
      expect([i, start.status]).toEqual([i, 302]);
    }
    const dead = await t.request({
      method: 'GET',
      url: '/v1/session',
      headers: { cookie: 'ostracon_session=nothing' },
      remoteAddress: from,
    });
    expect(dead.status).toBe(401);
  });

  it('bounds sign-in starts by a budget of their own, which does not touch the keys’', async () => {
    const from = address();
    const starts: number[] = [];
    for (let i = 0; i < 40; i++) starts.push((await t.request({ method: 'GET', url: '/auth/sign-in', remoteAddress: from })).status);
    expect(starts.filter((s) => s === 302)).toHaveLength(30);
    expect(starts.filter((s) => s === 429)).toHaveLength(10);
    // Unknown keys from there still get their own 10 401s before any 429.
    const keys: number[] = [];
    for (let i = 0; i < 12; i++) {
      keys.push((await t.request({ method: 'GET', url: '/v1/orders', key: generateApiKey(), remoteAddress: from })).status);
    }
    expect(keys.filter((s) => s === 401)).toHaveLength(10);
    expect(keys.filter((s) => s === 429)).toHaveLength(2);
  });

  it('sizes the people budget for a shared address by default', () => {
    const env = { ...process.env };
    delete env.SIGN_IN_BURST;
    delete env.SIGN_IN_RATE_PER_MINUTE;
    delete env.AUTH_FAILURE_BURST;
    const config = loadConfig(env);
    expect(config.signInAttempts.burst).toBeGreaterThanOrEqual(5 * config.authFailures.burst);
    expect(config.signInAttempts.ratePerMinute).toBeGreaterThanOrEqual(5 * config.authFailures.ratePerMinute);
  });
});
