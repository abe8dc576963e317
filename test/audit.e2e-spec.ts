import type { CreatedClient } from '@ostracon/auth';
import { orderBody } from './support/builders';
import { asOwner } from './support/isolated';
import { startTestApp, type TestApp, submitOrder } from './support/test-app';

describe('audit log (minimal): written with the change, append-only', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let auditor: CreatedClient;
  let platform: string;

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform();
    authority = await t.client('authority');
    auditor = await t.client('auditor');
  });
  afterAll(() => t.close());

  const eventsOf = (orderId: string) =>
    t.dataSource.query(`SELECT seq, type, actor, order_id, data FROM audit_events WHERE order_id = $1 ORDER BY seq`, [orderId]);

  it('records order.created, order.read and order.revoked, with the acting client', async () => {
    const created = await submitOrder(t, authority.apiKey, orderBody(platform));
    const id = created.body.id;
    await t.request({ method: 'GET', url: `/v1/orders/${id}`, key: auditor.apiKey });
    await t.request({
      method: 'POST',
      url: `/v1/orders/${id}/revoke`,
      key: authority.apiKey,
      body: { reason: 'appeal', decisionReference: 'CA-9' },
    });
    const events = await eventsOf(id);
    // Revoked before any platform was told (no worker runs here): the suspend is cancelled.
    expect(events.map((e: { type: string }) => e.type)).toEqual(['order.created', 'order.read', 'directive.cancelled', 'order.revoked']);
    expect(events.map((e: { actor: string }) => e.actor)).toEqual([
      `client:${authority.id}`,
      `client:${auditor.id}`,
      `client:${authority.id}`,
      `client:${authority.id}`,
    ]);
    expect(events[0].data).toMatchObject({ platforms: [platform], signalCount: 3, accountCount: 1, legalBasis: 'conviction' });
    expect(events[3].data).toMatchObject({ decisionReference: 'CA-9', previousStatus: 'active' });
  });

  it('records client.created for each new client', async () => {
    const client = await t.client('auditor');
    const rows = await t.dataSource.query(`SELECT type, actor FROM audit_events WHERE type = 'client.created' AND data->>'clientId' = $1`, [
      client.id,
    ]);
    expect(rows).toEqual([{ type: 'client.created', actor: 'cli' }]);
  });

  it('records nothing for an order that was refused', async () => {
    const body = orderBody(platform, new Date(), { offence: 'jaywalking' });
    const res = await submitOrder(t, authority.apiKey, body);
    expect(res.status).toBe(422);
    const rows = await t.dataSource.query(
      `SELECT count(*) AS n FROM audit_events e JOIN ban_orders o ON o.id = e.order_id WHERE o.court_reference = $1`,
      [body.courtReference],
    );
    expect(Number(rows[0].n)).toBe(0);
  });

  it('keeps a gapless sequence', async () => {
    const [row] = await t.dataSource.query(`SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM audit_events`);
    expect(Number(row.lo)).toBe(1);
    expect(Number(row.hi)).toBe(Number(row.n));
  });

  it('has the server set the time, whatever the writer sends', async () => {
    const [row] = await t.dataSource.transaction(async (em) =>
      em.query(
        `WITH head AS (UPDATE audit_log_head SET size = size + 1 RETURNING size)
         INSERT INTO audit_events (seq, at, type, actor, data) SELECT size, '2001-01-01', 'client.revoked', 'cli', '{}' FROM head RETURNING at`,
      ),
    );
    expect(new Date(row.at).getUTCFullYear()).toBeGreaterThanOrEqual(2026);
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET type = 'tampered' WHERE seq = 1`],
    ['DELETE', `DELETE FROM audit_events WHERE seq = 1`],
    ['TRUNCATE', `TRUNCATE audit_events`],
  ])('refuses %s to the application, and even to the owner of the table', async (_op, sql) => {
    // The application's own connection: no grant for it.
    await expect(t.dataSource.query(sql)).rejects.toThrow(/^permission denied for table audit_events/);
    // The owner has every grant: the trigger refuses it.
    await expect(asOwner((owner) => owner.query(sql))).rejects.toThrow(/append-only/);
    const [row] = await t.dataSource.query(`SELECT count(*) AS n FROM audit_events WHERE type = 'tampered'`);
    expect(Number(row.n)).toBe(0);
  });
});
