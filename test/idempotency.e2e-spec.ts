import type { CreatedClient } from '@ostracon/auth';
import { idempotencyKey, orderBody } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('POST /v1/orders idempotency', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let platform: string;

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform();
    authority = await t.client('authority');
  });
  afterAll(() => t.close());

  const post = (key: string | undefined, body: unknown, client = authority) =>
    t.request({
      method: 'POST',
      url: '/v1/orders',
      key: client.apiKey,
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  const ordersWithReference = async (reference: string) =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM ban_orders WHERE court_reference = $1`, [reference]))[0].n);

  it('replays the first answer for the same key and body, creating nothing more', async () => {
    const key = idempotencyKey();
    const body = orderBody(platform);
    const first = await post(key, body);
    const second = await post(key, body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await ordersWithReference(body.courtReference)).toBe(1);
  });

  it('answers 422 IDEMPOTENCY.MISMATCH for the same key with another body', async () => {
    const key = idempotencyKey();
    const body = orderBody(platform);
    expect((await post(key, body)).status).toBe(201);
    const other = await post(key, { ...body, durationDays: 90 });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY.MISMATCH');
    expect(await ordersWithReference(body.courtReference)).toBe(1);
  });

  it('keeps keys per client: another authority may use the same key', async () => {
    const key = idempotencyKey();
    const other = await t.client('authority');
    expect((await post(key, orderBody(platform))).status).toBe(201);
    const res = await post(key, orderBody(platform), other);
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('requires the header', async () => {
    const res = await post(undefined, orderBody(platform));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('IDEMPOTENCY.KEY_REQUIRED');
  });

  it('frees the key when the order is refused, so a corrected retry goes through', async () => {
    const key = idempotencyKey();
    const bad = orderBody(platform, new Date(), { offence: 'jaywalking' });
    expect((await post(key, bad)).status).toBe(422);
    const good = orderBody(platform);
    expect((await post(key, good)).status).toBe(201);
  });

  it('makes exactly one order from ten concurrent POSTs with one key', async () => {
    const key = idempotencyKey();
    const body = orderBody(platform);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(key, body)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses).toContain(201);
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.code).toBe('IDEMPOTENCY.IN_FLIGHT');
      expect(a.headers['retry-after']).toBe('1');
    }
    expect(await ordersWithReference(body.courtReference)).toBe(1);
    // Once the first has finished, a retry replays it.
    const retry = await post(key, body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe([...ids][0]);
  });

  it('answers 409 while a claim is in flight, and takes over a claim left by a crashed process', async () => {
    const key = idempotencyKey();
    const body = orderBody(platform);
    // A claim as a process that died mid-request leaves it: in flight, hash of another attempt.
    await t.dataSource.query(
      `INSERT INTO idempotency_keys (client_id, key, request_hash, state, locked_until)
       VALUES ($1, $2, $3, 'in_flight', now() + interval '1 hour')`,
      [authority.id, key, Buffer.alloc(32)],
    );
    const blocked = await post(key, body);
    expect(blocked.status).toBe(422); // another body than the claim's: mismatch wins over in-flight
    await t.dataSource.query(`DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2`, [authority.id, key]);

    const first = await post(key, body);
    expect(first.status).toBe(201);
    const key2 = idempotencyKey();
    const body2 = orderBody(platform);
    await t.dataSource.query(
      `INSERT INTO idempotency_keys (client_id, key, request_hash, state, locked_until)
       SELECT $1, $2, request_hash, 'in_flight', now() + interval '1 hour' FROM idempotency_keys WHERE client_id = $1 AND key = $3`,
      [authority.id, key2, key],
    );
    const inFlight = await post(key2, body);
    expect(inFlight.status).toBe(409);
    expect(inFlight.body.code).toBe('IDEMPOTENCY.IN_FLIGHT');

    await t.dataSource.query(`UPDATE idempotency_keys SET locked_until = now() - interval '1 second' WHERE client_id = $1 AND key = $2`, [
      authority.id,
      key2,
    ]);
    const takenOver = await post(key2, body2);
    expect(takenOver.status).toBe(201);
    expect(await ordersWithReference(body2.courtReference)).toBe(1);
  });
});
