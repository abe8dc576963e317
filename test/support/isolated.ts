import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type AppConfig, loadConfig } from '@ostracon/config';
import { runMigrations } from '@ostracon/database';
import { MIGRATIONS } from '@ostracon/migrations';
import { Client } from 'pg';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A database of its own (same server, name with "test"), migrated: for suites that run a worker,
 * whose relay and lifecycle act on every row they can see.
 */
export async function isolatedDatabase(label: string): Promise<{ url: string; ownerUrl: string; drop: () => Promise<void> }> {
  const base = loadConfig();
  const name = `ostracon_test_${label}_${randomBytes(3).toString('hex')}`;
  // Created and migrated by the owner; the apps connect as the application's role, as everywhere.
  // scripts/test.sh migrates a template once: a copy of it is the same schema, ten times faster.
  const template = process.env.OSTRACON_TEST_TEMPLATE;
  const admin = new Client({ connectionString: base.database.migrationUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  await admin.end();
  const url = withDatabase(base.database.url, name);
  const ownerUrl = withDatabase(base.database.migrationUrl, name);
  if (!template) await runMigrations({ ...base, database: { ...base.database, url, migrationUrl: ownerUrl } }, MIGRATIONS);
  return {
    url,
    ownerUrl,
    drop: async () => {
      const c = new Client({ connectionString: base.database.migrationUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The test configuration with the given database and Redis, and fast timings for tests. */
export function testConfig(overrides: { databaseUrl: string; redisUrl: string; ownerUrl?: string }): AppConfig {
  const base = loadConfig();
  return {
    ...base,
    log: { level: 'warn' },
    database: { ...base.database, url: overrides.databaseUrl, migrationUrl: overrides.ownerUrl ?? overrides.databaseUrl },
    redis: { url: overrides.redisUrl },
    delivery: {
      ...base.delivery,
      timeoutMs: 1000,
      backoffBaseMs: 50,
      backoffMaxMs: 400,
      breakerFailures: 3,
      breakerHalfOpenMs: 1500,
      queueLockMs: 5000,
      concurrency: 20,
    },
    worker: { relaySweepMs: 200, relayRequeueAfterMs: 1000, lifecycleIntervalMs: 200, watchdogIntervalMs: 500 },
  };
}

export async function waitFor<T>(probe: () => Promise<T> | T, what: string, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Waits until an API process on this port answers its readiness probe with 200. */
export function waitForReady(port: number, what = `the API on ${port} to be ready`, ms?: number): Promise<boolean> {
  return waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    what,
    ms,
  );
}

/** A clock that follows real time, shifted by what a test adds. */
export class OffsetClock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** A query as the schema's owner (MIGRATION_DATABASE_URL): for what the application's role may not do, on purpose. */
export async function asOwner<T>(work: (client: Client) => Promise<T>, url = loadConfig().database.migrationUrl): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
