import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WebhookAdapter, isPublicAddress } from './webhook.adapter';

/**
 * The webhook adapter's connections, against a bare HTTP/1.1 server written on node:net so the
 * test decides exactly when a kept-alive connection goes away.
 */
describe('the webhook adapter’s kept-alive connections', () => {
  const secret = `whsec_${Buffer.from('a'.repeat(32)).toString('base64')}`;
  const payload = {
    id: '0190a000-0000-7000-8000-000000000001',
    type: 'suspend' as const,
    orderId: '0190a000-0000-7000-8000-000000000002',
    accounts: [{ accountId: 'acct-1' }],
    effectiveFrom: '2026-11-29T00:00:00.000Z',
    effectiveUntil: '2027-05-29T00:00:00.000Z',
    slaDeadline: '2026-12-01T00:00:00.000Z',
  };
  let server: Server;
  let adapter: WebhookAdapter;
  const connections: Socket[] = [];
  const verified: string[] = [];
  /** What the server does with the n-th request (1-based) on the i-th connection (0-based). */
  let onRequest: (connection: number, n: number) => 'answer' | 'close' = () => 'answer';

  beforeEach(async () => {
    connections.length = 0;
    verified.length = 0;
    adapter = new WebhookAdapter(2000);
    server = createServer((socket) => {
      const connection = connections.push(socket) - 1;
      let buffered = Buffer.alloc(0);
      let n = 0;
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          const headEnd = buffered.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buffered.subarray(0, headEnd).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffered.length < headEnd + 4 + length) return;
          const body = buffered.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
          buffered = buffered.subarray(headEnd + 4 + length);
          n++;
          if (onRequest(connection, n) === 'close') {
            socket.destroy();
            return;
          }
          const header = (name: string) => new RegExp(`\\r\\n${name}: *([^\\r]*)`, 'i').exec(head)?.[1] ?? '';
          const signed = new Webhook(secret).verify(body, {
            'webhook-id': header('webhook-id'),
            'webhook-timestamp': header('webhook-timestamp'),
            'webhook-signature': header('webhook-signature'),
          }) as { id: string };
          verified.push(signed.id);
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    adapter.close();
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const deliver = () =>
    adapter.deliver(
      { id: 'p', webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, webhookSecret: secret },
      payload,
      { webhookId: `msg_${payload.id}`, at: new Date() },
    );

  it('reuses one connection for successive directives', async () => {
    for (let i = 0; i < 3; i++) expect(await deliver()).toEqual({ kind: 'delivered', status: 200 });
    expect(connections).toHaveLength(1);
    expect(verified).toEqual([payload.id, payload.id, payload.id]);
  });

  it('sends again on a new connection when the platform closed the kept-alive one, without spending an attempt', async () => {
    // The first connection answers its first request and is gone when it is reused.
    onRequest = (connection, n) => (connection === 0 && n > 1 ? 'close' : 'answer');
    expect(await deliver()).toEqual({ kind: 'delivered', status: 200 });
    expect(await deliver()).toEqual({ kind: 'delivered', status: 200 });
    expect(connections).toHaveLength(2);
    expect(verified).toHaveLength(2);
  });

  it('still reports a platform that closes every connection at once as a network failure', async () => {
    onRequest = () => 'close';
    expect(await deliver()).toEqual({ kind: 'retry', reason: 'network' });
  });

  it('reaches no loopback or private address when told not to, by literal IP or by name, and sends nothing there', async () => {
    const guarded = new WebhookAdapter(2000, { allowPrivateAddresses: false });
    try {
      const { port } = server.address() as AddressInfo;
      for (const host of ['127.0.0.1', 'localhost']) {
        const result = await guarded.deliver({ id: 'p', webhookUrl: `http://${host}:${port}/hook`, webhookSecret: secret }, payload, {
          webhookId: 'msg_x',
          at: new Date(),
        });
        expect([host, result]).toEqual([host, { kind: 'failed', reason: 'unreachable' }]);
      }
      expect(verified).toEqual([]);
    } finally {
      guarded.close();
    }
  });
});

describe('which addresses count as public for webhooks', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
  ])('%s is not', (address) => expect(isPublicAddress(address)).toBe(false));
  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])('%s is', (address) => expect(isPublicAddress(address)).toBe(true));
});
