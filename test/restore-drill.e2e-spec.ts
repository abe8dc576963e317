import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runMigrations } from '@ostracon/database';
import { MIGRATIONS } from '@ostracon/migrations';
import { runCli } from '../apps/cli/src/cli';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { RAW, orderBody } from './support/builders';
import { testConfig, waitFor } from './support/isolated';
import { RedisServer } from './support/redis-server';
import { PostgresServer } from './support/postgres-server';
import { SimulatedPlatform } from './support/simulated-platform';
import { type TestApp, startTestApp, submitOrder } from './support/test-app';

/**
 * The restore drill of docs/operations.md § Restoring from a backup, end to end: a running
 * service is backed up with pg_dump, its database cluster and its Redis are lost, the backup is
 * restored into a fresh cluster and the service started against it with an empty Redis. The log
 * verifies, the sign-up index is rebuilt, the directive not yet delivered at the backup is
 * delivered, and every order submitted before the backup is there.
 */
jest.setTimeout(120_000);

describe('restore drill: back up, lose the database, restore into a fresh cluster, start', () => {
  const source = new PostgresServer();
  const target = new PostgresServer();
  const redis = [new RedisServer(), new RedisServer()];
  const sim = new SimulatedPlatform();
  let api: TestApp | undefined;
  let worker: INestApplicationContext | undefined;

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sim.stop();
    for (const r of redis) await r.stop();
    await source.destroy();
    await target.destroy();
  });

  it('restores a service that verifies, checks and delivers as before', async () => {
    await source.init();
    await redis[0]!.start();
    const before = testConfig({ databaseUrl: source.url, ownerUrl: source.ownerUrl, redisUrl: redis[0]!.url });
    api = await startTestApp({ config: before, logLevel: 'warn' });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(before), { logger: ['error'] });
    await sim.start();
    const platform = await api.platform('drill', { webhookUrl: sim.url, webhookSecret: sim.secret });
    const authority = (await api.client('authority')).apiKey;
    const platformKey = (await api.client('platform', platform)).apiKey;

    const delivered = await submitOrder(api, authority, orderBody(platform));
    expect(delivered.status).toBe(201);
    await waitFor(() => sim.received.find((r) => r.body.orderId === delivered.body.id), 'the first order delivered');
    // The worker stops: the next order's directive is still in the outbox when the backup is taken.
    await worker.close();
    worker = undefined;
    const pending = await submitOrder(
      api,
      authority,
      orderBody(platform, new Date(), { subject: { signals: [{ type: 'email', value: 'second.person@example.org' }] } }),
    );
    expect(pending.status).toBe(201);
    const [logBefore] = await api.dataSource.query(`SELECT max(seq)::int AS n FROM audit_events`);

    // 1. Back up (the runbook's command), then lose the cluster and Redis.
    const backup = join(mkdtempSync(join(tmpdir(), 'ostracon-backup-')), 'ostracon.dump');
    execFileSync(source.tool('pg_dump'), ['--format=custom', `--file=${backup}`, `--dbname=${source.ownerUrl}`]);
    await api.close();
    api = undefined;
    await source.destroy();
    await redis[0]!.stop();

    // 2. Restore into a fresh cluster: its roles first, then the dump, then the migrations (none left to run).
    await target.initEmpty();
    execFileSync(target.tool('pg_restore'), ['--exit-on-error', `--dbname=${target.ownerUrl}`, backup]);
    const after = testConfig({ databaseUrl: target.url, ownerUrl: target.ownerUrl, redisUrl: '' });
    expect(await runMigrations(after, MIGRATIONS)).toEqual([]);

    // 3. Start, with a Redis that remembers nothing.
    await redis[1]!.start();
    const restored = { ...after, redis: { url: redis[1]!.url } };
    api = await startTestApp({ config: restored, logLevel: 'warn' });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(restored), { logger: ['error'] });

    // Every order submitted before the backup is there.
    for (const id of [delivered.body.id, pending.body.id]) {
      expect((await api.request({ method: 'GET', url: `/v1/orders/${id}`, key: authority })).status).toBe(200);
    }
    // The sign-up index is rebuilt from PostgreSQL: the banned person is refused.
    const check = await api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: platformKey,
      body: { signals: [{ type: 'email', value: RAW.email }] },
    });
    expect([check.status, check.body.decision]).toEqual([200, 'block']);
    // The directive undelivered at the backup is delivered now.
    await waitFor(
      () => sim.received.find((r) => r.body.orderId === pending.body.id),
      'the second order delivered after the restore',
      30_000,
    );
    // The log verifies, whole, and goes on from where it was.
    let out = '';
    const code = await runCli(['audit:verify', '--json'], { stdout: (s) => (out += s), stderr: (s) => (out += s) }, restored);
    const report = JSON.parse(out);
    expect([code, report.ok, report.problems]).toEqual([0, true, []]);
    expect(report.events).toBeGreaterThanOrEqual(logBefore.n);
  });
});
