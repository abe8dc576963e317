import type { CreatedClient } from '@ostracon/auth';
import { RAW, idempotencyKey, orderBody } from './support/builders';
import { startTestApp, type TestApp, submitOrder } from './support/test-app';

/** Every form a raw identity value could take if it leaked: as typed, normalized, or partly. */
const FORBIDDEN = [
  RAW.email,
  'jeanne.testeuse',
  'Jeanne.Testeuse',
  'Example.fr+',
  RAW.phone,
  '0612345678',
  RAW.phoneE164,
  '612345678',
  'Jeanne-',
  'Éloïse',
  'eloise',
  'Testeuse',
  'testeuse',
  RAW.birthDate,
  '19910417',
  RAW.accountId,
  '7012345678',
  RAW.handle,
  'jeanne_harceleuse',
];

describe('privacy: no raw identity value in any table or log line', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let auditor: CreatedClient;

  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'trace' });
    const platform = await t.platform();
    authority = await t.client('authority');
    auditor = await t.client('auditor');
    for (let i = 0; i < 3; i++) {
      const res = await submitOrder(t, authority.apiKey, orderBody(platform));
      expect(res.status).toBe(201);
      await t.request({ method: 'GET', url: `/v1/orders/${res.body.id}`, key: auditor.apiKey });
      await t.request({
        method: 'POST',
        url: `/v1/orders/${res.body.id}/revoke`,
        key: authority.apiKey,
        body: { reason: 'test', decisionReference: 'R-1' },
      });
    }
    // Refused orders too: the values must not leak through an error either.
    await submitOrder(
      t,
      authority.apiKey,
      orderBody(platform, new Date(), { subject: { signals: [{ type: 'email', value: RAW.email.replace('@', '@@') }] } }),
    );
    await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: authority.apiKey,
      rawBody: `{"x": "${RAW.email}"`,
      headers: { 'idempotency-key': idempotencyKey() },
    });
  });
  afterAll(() => t.close());

  it('stores none in any column of any table (text, json or bytes)', async () => {
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((x) => x.table_name)).toEqual(
      expect.arrayContaining(['ban_orders', 'order_signals', 'order_platforms', 'audit_events', 'idempotency_keys']),
    );
    let rowsSeen = 0;
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await t.dataSource.query(`SELECT t::text AS row FROM "${table_name}" t`);
      rowsSeen += rows.length;
      const dump = rows.map((r) => r.row).join('\n');
      for (const value of FORBIDDEN) {
        expect({ table: table_name, leaked: dump.includes(value) ? value : null }).toEqual({ table: table_name, leaked: null });
        // bytea columns print as hex: look for the value's bytes too.
        const hex = Buffer.from(value, 'utf8').toString('hex');
        expect({ table: table_name, leakedAsBytes: dump.includes(hex) ? value : null }).toEqual({ table: table_name, leakedAsBytes: null });
      }
    }
    expect(rowsSeen).toBeGreaterThan(10);
  });

  it('logs none, even at trace level', () => {
    const logs = t.logs.text();
    expect(logs).toContain('request completed');
    for (const value of FORBIDDEN) expect(logs.includes(value) ? value : null).toBeNull();
    expect(logs).not.toContain(authority.apiKey);
  });
});
