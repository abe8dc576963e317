import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '@ostracon/audit';
import type { CreatedClient } from '@ostracon/auth';
import type { AppConfig } from '@ostracon/config';
import canonicalize from 'canonicalize';
import { Client } from 'pg';
import { runCli } from '../apps/cli/src/cli';
import { orderBody } from './support/builders';
import { waitFor } from './support/isolated';
import { checkConsistency, checkInclusion, eventLeaf, rootOf } from './support/merkle-verifier';
import { submitOrder, type TestApp } from './support/test-app';
import { type World, startWorld } from './support/world';

const WRITERS = 8;
const PER_WRITER = 1000;

async function cli(argv: string[], config: AppConfig) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, config);
  return { code, stdout, stderr };
}

describe('the verifiable audit log', () => {
  let world: World;
  let db: World['db'];
  let config: AppConfig;
  let api: TestApp;
  let auditor: CreatedClient;
  let authority: CreatedClient;
  const get = (url: string, key = auditor.apiKey) => api.request({ method: 'GET', url, key });

  beforeAll(async () => {
    // Only the audit tree runs in the worker: the checkpoints are what this suite is about.
    world = await startWorld('auditlog', {
      worker: { relay: false, delivery: false, lifecycle: false },
      config: (base) => ({ ...base, audit: { ...base.audit, treeIntervalMs: 100, checkpointIntervalMs: 300 } }),
    });
    ({ db, config, api, authority } = world);
    auditor = await api.client('auditor');
  });
  afterAll(() => world?.close());

  const eventCount = async () => Number((await api.dataSource.query(`SELECT count(*) AS n FROM audit_events`))[0].n);
  const checkpointCovering = (size: number) =>
    waitFor(
      async () => {
        const res = await get('/v1/audit/checkpoint');
        return res.status === 200 && res.body.size >= size ? res.body : null;
      },
      `a checkpoint covering ${size} events`,
      30_000,
    );

  it('keeps a gapless sequence under eight concurrent writers of 1,000 events each, and it verifies', async () => {
    const audit = api.app.get(AuditService);
    await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        (async () => {
          for (let t = 0; t < PER_WRITER / 10; t++) {
            await api.dataSource.transaction((em) =>
              audit.recordMany(
                em,
                Array.from({ length: 10 }, (_, i) => ({
                  type: 'client.created' as const,
                  actor: 'cli' as const,
                  data: { writer: w, n: t * 10 + i },
                })),
              ),
            );
          }
        })(),
      ),
    );
    const rows = await api.dataSource.query(`SELECT count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM audit_events`);
    expect(rows[0].n).toBeGreaterThanOrEqual(WRITERS * PER_WRITER);
    expect([rows[0].lo, rows[0].hi]).toEqual([1, rows[0].n]); // no hole, no duplicate (seq is the key)
    const total = rows[0].n as number;
    const checkpoint = await checkpointCovering(total);

    // The independent verifier: leaves from the events themselves, the root, the signature.
    const events: Record<string, unknown>[] = [];
    for (let after = 0; ;) {
      const page = await get(`/v1/audit/events?limit=500${after ? `&after=${encodeURIComponent(String(after))}` : ''}`);
      expect(page.status).toBe(200);
      events.push(...page.body.items);
      if (!page.body.nextCursor) break;
      after = page.body.nextCursor;
    }
    const leaves = events.slice(0, checkpoint.size).map(eventLeaf);
    for (const [i, e] of events.slice(0, 50).entries()) expect(e.leafHash).toBe(leaves[i]!.toString('hex'));
    expect(rootOf(leaves).toString('hex')).toBe(checkpoint.rootHash);
    const { keys } = (await get('/v1/audit/public-key')).body;
    const key = createPublicKey(keys.find((k: { keyId: string }) => k.keyId === checkpoint.keyId).publicKeyPem);
    const message = Buffer.from(canonicalize({ size: checkpoint.size, rootHash: checkpoint.rootHash, timestamp: checkpoint.timestamp })!);
    expect(verify(null, message, key, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);

    const report = await cli(['audit:verify', '--json'], config);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);

  it('gives inclusion and consistency proofs that an independent verifier accepts', async () => {
    const checkpoint = await checkpointCovering(1);
    const size = checkpoint.size as number;
    const root = Buffer.from(checkpoint.rootHash, 'hex');
    for (const seq of [1, 2, Math.floor(size / 2), size - 1, size]) {
      const res = await get(`/v1/audit/proofs/inclusion?seq=${seq}&size=${size}`);
      expect(res.status).toBe(200);
      const proof = res.body.proof.map((p: string) => Buffer.from(p, 'hex'));
      const [event] = (
        await get(`/v1/audit/events?limit=1&after=${encodeURIComponent(Buffer.from(JSON.stringify([seq - 1])).toString('base64url'))}`)
      ).body.items;
      expect(event.seq).toBe(seq);
      expect(res.body.leafHash).toBe(eventLeaf(event).toString('hex'));
      expect(checkInclusion(eventLeaf(event), BigInt(seq - 1), BigInt(size), proof, root)).toBe(true);
      expect(checkInclusion(eventLeaf({ ...event, type: 'order.created' }), BigInt(seq - 1), BigInt(size), proof, root)).toBe(false);
    }
    for (const from of [1, 7, 1024, size - 1]) {
      const res = await get(`/v1/audit/proofs/consistency?from=${from}&to=${size}`);
      expect(res.status).toBe(200);
      const proof = res.body.proof.map((p: string) => Buffer.from(p, 'hex'));
      expect(checkConsistency(BigInt(from), BigInt(size), Buffer.from(res.body.fromRoot, 'hex'), root, proof)).toBe(true);
      expect(checkConsistency(BigInt(from), BigInt(size), Buffer.alloc(32), root, proof)).toBe(false);
    }
    const beyond = await get(`/v1/audit/proofs/inclusion?seq=1&size=${size + 1_000_000}`);
    expect([beyond.status, beyond.body.code]).toEqual([404, 'AUDIT.SIZE_NOT_AVAILABLE']);
    const bad = await get(`/v1/audit/proofs/inclusion?seq=0`);
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    const platform = await api.platform('aud');
    const { apiKey } = await api.client('platform', platform);
    expect((await get('/v1/audit/proofs/inclusion?seq=1', apiKey)).status).toBe(403);
  });

  it('filters events, shows an authority only its own orders, and logs each read with its filter', async () => {
    const platform = await api.platform('aud');
    const res = await submitOrder(api, authority.apiKey, orderBody(platform));
    expect(res.status).toBe(201);
    const orderId = res.body.id;
    const mine = await get(`/v1/audit/events?orderId=${orderId}`, authority.apiKey);
    expect(mine.body.items.map((e: { type: string }) => e.type)).toEqual(['order.created']);
    const other = await api.client('authority');
    expect((await get(`/v1/audit/events?orderId=${orderId}`, other.apiKey)).body.items).toEqual([]);
    expect((await get(`/v1/audit/events?type=client.created&limit=2`)).body.items).toHaveLength(2);
    const created = mine.body.items[0].at as string;
    expect((await get(`/v1/audit/events?orderId=${orderId}&from=${encodeURIComponent(created)}`)).body.items).toHaveLength(1);
    expect((await get(`/v1/audit/events?orderId=${orderId}&to=${encodeURIComponent(created)}`)).body.items).toEqual([]);
    // Well-formed but outside what PostgreSQL can store: a 400, not a database error.
    for (const filter of ['from=0000-01-01T00:00:00Z', 'to=10000-01-01T00:00:00Z', 'from=2026-02-29T00:00:00Z']) {
      const res = await get(`/v1/audit/events?${filter}`);
      expect([filter, res.status, res.body.code]).toEqual([filter, 400, 'VALIDATION.FAILED']);
      expect((await get(`/v1/audit/events/export?${filter}`)).status).toBe(400);
    }
    const reads = await api.dataSource.query(
      `SELECT data FROM audit_events WHERE type = 'audit.read' AND actor = $1 ORDER BY seq DESC LIMIT 1`,
      [`client:${authority.id}`],
    );
    expect(reads[0].data).toEqual({ what: 'list', filter: { orderId } });
    expect((await get('/v1/audit/events?type=nope')).status).toBe(400);
    expect((await get('/v1/audit/events/export', authority.apiKey)).status).toBe(403);
  });

  it('exports the log as NDJSON that re-verifies offline, and names a line changed afterwards', async () => {
    const checkpoint = await checkpointCovering(WRITERS * PER_WRITER);
    const exported = await get('/v1/audit/events/export');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = exported.text.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(checkpoint.size);
    const dir = mkdtempSync(join(tmpdir(), 'ostracon-audit-'));
    const files = { export: join(dir, 'log.ndjson'), checkpoint: join(dir, 'checkpoint.json'), key: join(dir, 'key.pem') };
    writeFileSync(files.export, exported.text);
    writeFileSync(files.checkpoint, JSON.stringify(checkpoint));
    const { keys } = (await get('/v1/audit/public-key')).body;
    writeFileSync(files.key, keys.find((k: { keyId: string }) => k.keyId === checkpoint.keyId).publicKeyPem);
    const args = ['audit:verify', '--export', files.export, '--checkpoint', files.checkpoint, '--public-key', files.key];
    const good = await cli(args, config);
    expect([good.code, good.stdout]).toEqual([0, expect.stringContaining('audit log verified')]);

    const altered = lines.map((line, i) => (i === 41 ? line.replace('"writer":', '"writer_":') : line));
    writeFileSync(files.export, `${altered.join('\n')}\n`);
    const bad = await cli(args, config);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('first bad event 42');
    expect(readFileSync(files.checkpoint, 'utf8')).toContain(checkpoint.rootHash);
  });

  it('runs as a role that may only read and append the audit tables', async () => {
    // The very connection settings the API and the worker are given (DATABASE_URL), not a role made up for the test.
    const app = new Client({ connectionString: config.database.url });
    await app.connect();
    try {
      const [who] = (
        await app.query(
          `SELECT current_user AS name, r.rolsuper AS superuser, pg_has_role(current_user, 'ostracon_app', 'MEMBER') AS member,
                  (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events') AS owner
           FROM pg_roles r WHERE r.rolname = current_user`,
        )
      ).rows;
      expect(who).toMatchObject({ superuser: false, member: true });
      expect(who.name).not.toBe(who.owner);
      expect((await app.query(`SELECT count(*) FROM audit_events`)).rows).toHaveLength(1);
      await app.query(
        `WITH head AS (UPDATE audit_log_head SET size = size + 1 RETURNING size)
         INSERT INTO audit_events (seq, at, type, actor, data) SELECT size, now(), 'client.created', 'cli', '{}' FROM head`,
      );
      for (const table of ['audit_events', 'audit_tree_tiles', 'audit_checkpoints']) {
        for (const sql of [
          `UPDATE ${table} SET ${table === 'audit_events' ? 'actor' : 'level'} = ${table === 'audit_events' ? "'x'" : 'level'}`,
          `DELETE FROM ${table}`,
          `TRUNCATE ${table}`,
        ]) {
          if (table === 'audit_checkpoints' && sql.startsWith('UPDATE')) continue;
          // Refused by the grants themselves, before any trigger runs.
          await expect(app.query(sql)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied/) });
        }
      }
      // A tile's hashes may only grow at the end of a tile not yet full (decision 0030): the
      // trigger refuses a full tile grown, a stored hash changed, a tile shrunk or left as it was.
      const hash = `'\\x${'ab'.repeat(32)}'::bytea`;
      const full = `level = 0 AND octet_length(hashes) = 8192`;
      // A tree of any size but 0 has one: the lowest tile level's right-most tile, when not full.
      const partial = `(level, idx) = (SELECT level, idx FROM audit_tree_tiles WHERE octet_length(hashes) < 8192 ORDER BY level LIMIT 1)`;
      expect((await app.query(`SELECT count(*)::int AS n FROM audit_tree_tiles WHERE ${full}`)).rows[0].n).toBeGreaterThan(0);
      for (const sql of [
        `UPDATE audit_tree_tiles SET hashes = hashes || ${hash} WHERE ${full}`,
        `UPDATE audit_tree_tiles SET hashes = overlay(hashes PLACING '\\xff'::bytea FROM 1) || ${hash} WHERE ${partial}`,
        `UPDATE audit_tree_tiles SET hashes = substring(hashes FROM 33) WHERE ${full}`,
        `UPDATE audit_tree_tiles SET hashes = hashes WHERE ${partial}`,
      ]) {
        await expect(app.query(sql)).rejects.toMatchObject({
          code: '42501',
          message: expect.stringContaining('a tile only grows at its end'),
        });
      }
      // What the worker does to the tile at the right edge, undone.
      await app.query('BEGIN');
      expect((await app.query(`UPDATE audit_tree_tiles SET hashes = hashes || ${hash} WHERE ${partial}`)).rowCount).toBe(1);
      await app.query('ROLLBACK');
      await expect(app.query(`UPDATE audit_checkpoints SET key_id = 'x'`)).rejects.toMatchObject({ code: '42501' });
      // The other tables are the application's to change.
      await app.query(`UPDATE platforms SET name = name WHERE false`);
    } finally {
      await app.end();
    }
  });

  // Last: it breaks the log on purpose.
  it('names the event a superuser altered in the database', async () => {
    await checkpointCovering(100);
    const admin = new Client({ connectionString: db.ownerUrl });
    await admin.connect();
    try {
      await admin.query(`BEGIN`);
      await admin.query(`SET LOCAL session_replication_role = replica`); // triggers off: what a superuser can do
      await admin.query(`UPDATE audit_events SET data = '{"writer": 99, "n": 0}' WHERE seq = 77`);
      await admin.query(`COMMIT`);
    } finally {
      await admin.end();
    }
    const report = await cli(['audit:verify'], config);
    expect(report.code).toBe(1);
    expect(report.stdout).toContain('first bad event 77');
    expect(report.stdout).toContain('event 77 (client.created) does not match the tree');
    expect(await eventCount()).toBeGreaterThan(77);
  });
});
