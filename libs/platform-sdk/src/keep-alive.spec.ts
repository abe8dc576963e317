import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { OstraconClient } from './client';

/**
 * The SDK's requests ride kept-alive connections (issue 31 §4): a private check is one POST, and
 * a new TCP connection for each would add its handshake to every check's latency.
 */
describe('the SDK’s connections to the service', () => {
  let server: Server;
  let url: string;
  const sockets: Socket[] = [];
  let requests = 0;

  beforeEach(async () => {
    sockets.length = 0;
    requests = 0;
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ decision: 'allow' }));
      });
    });
    server.on('connection', (socket: Socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const check = (client: OstraconClient) => client.checkSignup([{ type: 'email', hash: 'a'.repeat(64) }]);

  it('sends successive checks over one connection', async () => {
    const client = new OstraconClient({ baseUrl: url, apiKey: 'k1' });
    for (let i = 0; i < 20; i++) expect(await check(client)).toEqual({ decision: 'allow' });
    expect(requests).toBe(20);
    expect(sockets).toHaveLength(1);
    client.close();
  });

  it('reuses the connections a burst opened for the checks after it', async () => {
    const client = new OstraconClient({ baseUrl: url, apiKey: 'k1' });
    await Promise.all(Array.from({ length: 4 }, () => check(client)));
    const opened = sockets.length;
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(4);
    for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: 4 }, () => check(client)));
    expect(requests).toBe(16);
    expect(sockets).toHaveLength(opened);
  });

  it('opens a new connection when the service closed the idle one, and the check still succeeds', async () => {
    const client = new OstraconClient({ baseUrl: url, apiKey: 'k1' });
    expect(await check(client)).toEqual({ decision: 'allow' });
    server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await check(client)).toEqual({ decision: 'allow' });
    expect(requests).toBe(2);
    expect(sockets).toHaveLength(2);
    client.close();
  });

  it('uses the fetch it is given instead, when given one', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = new OstraconClient({ baseUrl: url, apiKey: 'k1', fetch: counting });
    expect(await check(client)).toEqual({ decision: 'allow' });
    expect(calls).toBe(1);
  });
});
