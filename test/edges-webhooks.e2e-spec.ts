import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreatedClient } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { WebhookAdapter } from '../libs/enforcement/src/adapters/webhook/webhook.adapter';
import { startTestApp, type TestApp } from './support/test-app';

/** Issue 29 § 5: credentials in webhook URLs, and webhooks as a probe of the service's own network. */
describe('edges: what a webhook URL may be', () => {
  let t: TestApp;
  let admin: CreatedClient;
  const id = () => `edge-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    // As in production and (now) in development: no private addresses.
    const base = loadConfig();
    t = await startTestApp({ config: { ...base, delivery: { ...base.delivery, allowPrivateAddresses: false } } });
    admin = await t.client('admin');
  });
  afterAll(() => t.close());

  const create = (webhookUrl: string) =>
    t.request({ method: 'POST', url: '/v1/admin/platforms', key: admin.apiKey, body: { id: id(), name: 'Plateforme', webhookUrl } });

  it('refuses credentials in a webhook URL, at creation and on a move, without echoing or storing them', async () => {
    for (const url of [
      'https://hookuser:s3cretpw@hooks.example/o',
      'https://hookuser@hooks.example/o',
      'https://:s3cretpw@hooks.example/o',
    ]) {
      const res = await create(url);
      expect([url, res.status, res.body.code]).toEqual([url, 400, 'PLATFORM.WEBHOOK_CREDENTIALS']);
      expect(res.text).not.toMatch(/hookuser|s3cretpw|hooks\.example/);
    }
    const platform = id();
    const created = await t.request({
      method: 'POST',
      url: '/v1/admin/platforms',
      key: admin.apiKey,
      body: { id: platform, name: 'Plateforme', webhookUrl: 'https://hooks.example/o' },
    });
    expect(created.status).toBe(201);
    const moved = await t.request({
      method: 'PATCH',
      url: `/v1/admin/platforms/${platform}`,
      key: admin.apiKey,
      body: { webhookUrl: 'https://hookuser:s3cretpw@hooks.example/o' },
    });
    expect([moved.status, moved.body.code]).toEqual([400, 'PLATFORM.WEBHOOK_CREDENTIALS']);
    const stored = await t.dataSource.query(`SELECT count(*)::int AS n FROM platforms WHERE webhook_url LIKE '%s3cretpw%'`);
    expect(stored[0].n).toBe(0);
  });

  it('refuses loopback, private, link-local and unspecified hosts unless the development setting allows them', async () => {
    const hosts = [
      '127.0.0.1',
      '127.1',
      '127.255.0.9',
      '[::1]',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.1',
      '169.254.169.254',
      '[fc00::1]',
      '[fd12:3456::1]',
      '[fe80::1]',
      '0.0.0.0',
      '[::]',
      '[::ffff:127.0.0.1]',
      'localhost',
      'LOCALHOST.',
      'metrics.localhost',
    ];
    for (const host of hosts) {
      const res = await create(`http://${host}:9464/metrics`);
      expect([host, res.status, res.body.code]).toEqual([host, 400, 'PLATFORM.WEBHOOK_ADDRESS_FORBIDDEN']);
      expect(res.text).not.toContain('9464');
    }
    // Public ones (and names, checked again when the worker connects) pass.
    for (const url of ['https://hooks.example/o', 'https://93.184.215.14/o', 'https://172.32.0.1/o', 'https://[2001:4860::1]/o']) {
      expect([url, (await create(url)).status]).toEqual([url, 201]);
    }
  });

  it('is off by default, in development as in production', () => {
    const env = { ...process.env };
    delete env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES;
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).delivery.allowPrivateAddresses).toBe(false);
    expect(loadConfig({ ...env, NODE_ENV: 'development', WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }).delivery.allowPrivateAddresses).toBe(
      true,
    );
  });

  it('records a refused delivery as "unreachable" only, the same whether a port answers HTTP or nothing listens', async () => {
    const answered: string[] = [];
    const server: Server = createServer((req, res) => {
      answered.push(req.url ?? '');
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const open = (server.address() as AddressInfo).port;
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const shut = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const adapter = new WebhookAdapter(2000, { allowPrivateAddresses: false });
    const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const payload = {
      id: '0190a000-0000-7000-8000-000000000001',
      type: 'suspend' as const,
      orderId: '0190a000-0000-7000-8000-000000000002',
      accounts: [{ accountId: 'acct-1' }],
      effectiveFrom: '2026-11-29T00:00:00.000Z',
      effectiveUntil: '2027-05-29T00:00:00.000Z',
      slaDeadline: '2026-12-01T00:00:00.000Z',
    };
    try {
      const results = [];
      // By literal address, and by a name that resolves there at delivery time (as a rebound name would).
      for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
        for (const port of [open, shut]) {
          const result = await adapter.deliver({ id: 'p', webhookUrl: `http://${host}:${port}/hook`, webhookSecret: secret }, payload, {
            webhookId: 'msg_x',
            at: new Date(),
          });
          results.push(result);
        }
      }
      expect(results).toEqual(results.map(() => ({ kind: 'failed', reason: 'unreachable' })));
      expect(answered).toEqual([]);
    } finally {
      adapter.close();
      server.close();
    }
  });
});
