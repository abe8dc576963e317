import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WebhookAdapter } from './webhook.adapter';

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
});
