import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { ApiKeyIndex, Authenticator, ClientsService, RateLimiter, hashApiKey } from '@ostracon/auth';
import { ScreeningIndexService, SignupChecksService } from '@ostracon/screening';
import { inject } from 'light-my-request';
import type { Logger } from 'pino';
import { Metrics } from '../apps/api/src/metrics/metrics';
import { signupHotPath } from '../apps/api/src/signup-checks/signup-checks.hot-path';
import { orderBody } from './support/builders';
import { waitFor } from './support/isolated';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/**
 * The sign-up checks' hot path (apps/api/src/signup-checks/signup-checks.hot-path.ts): which
 * requests it takes, and that it answers them exactly as the Fastify route does. Every other
 * sign-up test goes through it too (test-app.ts sends requests to the server's listener).
 */
describe('sign-up hot path', () => {
  let api: TestApp;
  let platform: string;
  let platformKey: string;
  let authorityKey: string;
  const bannedEmail = `hot.path.${randomBytes(4).toString('hex')}@example.org`;
  /** The hot path alone: a request it does not take is answered 599 here. */
  let hotOnly: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    api = await startTestApp();
    platform = await api.platform('hot');
    platformKey = (await api.client('platform', platform)).apiKey;
    authorityKey = (await api.client('authority')).apiKey;
    const created = await submitOrder(api, authorityKey, {
      ...orderBody(platform),
      subject: { signals: [{ type: 'email', value: bannedEmail }] },
    });
    expect(created.status).toBe(201);
    await waitFor(() => api.app.get(ScreeningIndexService).current?.has(created.body.id), 'the order in the index', 10_000);
    const handle = signupHotPath(
      {
        authenticator: api.app.get(Authenticator),
        limiter: api.app.get(RateLimiter),
        checks: api.app.get(SignupChecksService),
        metrics: api.app.get(Metrics),
        logger: { warn: () => undefined, error: () => undefined } as unknown as Logger,
      },
      1024,
    );
    hotOnly = (req, res) => {
      if (handle(req, res)) return;
      res.writeHead(599);
      res.end();
    };
  });
  afterAll(async () => {
    await api?.close();
  });

  const ordinary = () => ({
    method: 'POST' as const,
    url: '/v1/signup-checks',
    headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ signals: [{ type: 'email', value: 'someone.new@example.org' }] }),
  });

  it('takes an ordinary check from a platform key it holds, single or batch', async () => {
    const single = await inject(hotOnly, ordinary());
    expect([single.statusCode, single.json()]).toEqual([200, { decision: 'allow' }]);
    const batch = await inject(hotOnly, {
      ...ordinary(),
      url: '/v1/signup-checks/batch',
      payload: JSON.stringify({ checks: [{ ref: 'a', signals: [{ type: 'email', value: bannedEmail }] }] }),
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results).toEqual([expect.objectContaining({ ref: 'a', decision: 'block' })]);
    const charset = await inject(hotOnly, {
      ...ordinary(),
      headers: { ...ordinary().headers, 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.statusCode).toBe(200);
  });

  it.each([
    ['another method', { method: 'PUT' as const }],
    ['a query string', { url: '/v1/signup-checks?x=1' }],
    ['another path', { url: '/v1/signup-checks/' }],
    ['a body not declared JSON', { headers: { authorization: `Bearer ${'x'}`, 'content-type': 'text/plain' } }],
    ['a media type that only starts like JSON', { contentType: 'application/jsonx' }],
    ['a body over the limit', { payload: JSON.stringify({ signals: [{ type: 'email', value: `${'a'.repeat(1100)}@example.org` }] }) }],
    ['a chunked body', { chunked: true }],
    ['no key', { key: null }],
    ['a key it does not hold', { key: `ost_${randomBytes(32).toString('base64url')}` }],
    ['an authority key', { key: 'authority' }],
  ])('leaves to Fastify a request with %s', async (_label, change: Record<string, unknown>) => {
    const base = ordinary();
    const headers: Record<string, string> = { ...base.headers };
    if (change.contentType) headers['content-type'] = change.contentType as string;
    if (change.headers) Object.assign(headers, change.headers, { authorization: base.headers.authorization });
    if (change.key === null) delete headers.authorization;
    else if (change.key === 'authority') headers.authorization = `Bearer ${authorityKey}`;
    else if (change.key) headers.authorization = `Bearer ${change.key as string}`;
    if (change.chunked) headers['transfer-encoding'] = 'chunked';
    const res = await inject(hotOnly, {
      method: (change.method as 'PUT') ?? base.method,
      url: (change.url as string) ?? base.url,
      headers,
      payload: (change.payload as string) ?? base.payload,
    });
    expect(res.statusCode).toBe(599);
  });

  /** The same request through the hot path and through Fastify's route (a query string sends it there). */
  async function both(body: string | Buffer, headers: Record<string, string> = {}, path = '/v1/signup-checks') {
    const send = (url: string) =>
      api.request({ method: 'POST', url, key: platformKey, rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
    // The hot path takes this request (a narrowed filter would make the comparison Fastify's with itself).
    const taken = await inject(hotOnly, {
      method: 'POST',
      url: path,
      headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json', ...headers },
      payload: body,
    });
    expect(taken.statusCode).not.toBe(599);
    const [hot, routed] = [await send(path), await send(`${path}?via=fastify`)];
    // Every header but those that vary per answer (date, request id, length of a body with an id
    // in it) or per connection (Fastify closes one whose body its parser refused): a header a
    // global Fastify hook adds one day would show here as missing from the hot path's answers.
    // The key's remaining checks (RateLimit) go down from one answer to the next: compared by shape.
    const VARYING = new Set(['date', 'x-request-id', 'content-length', 'connection', 'keep-alive']);
    const comparable = (r: Awaited<ReturnType<typeof send>>) => ({
      status: r.status,
      headers: Object.fromEntries(
        Object.entries(r.headers)
          .filter(([name]) => !VARYING.has(name.toLowerCase()))
          .map(([name, value]) => [name, name === 'ratelimit' ? String(value).replace(/r=\d+;t=\d+$/, 'r=(n);t=(n)') : value]),
      ),
      body: JSON.parse(r.text, (key, value) => (key === 'traceId' || key === 'matchId' ? '(varies)' : value)),
    });
    expect(hot.headers['x-request-id']).toEqual(expect.any(String));
    expect(routed.headers['x-request-id']).toEqual(expect.any(String));
    if (hot.body?.traceId) expect(hot.body.traceId).toBe(hot.headers['x-request-id']);
    return [comparable(hot), comparable(routed)] as const;
  }

  it.each([
    ['a check that allows', JSON.stringify({ signals: [{ type: 'phone', value: '+33612345678' }] })],
    ['a check that blocks', JSON.stringify({ signals: [{ type: 'email', value: bannedEmail }] })],
    [
      'a check with an ignored signal',
      JSON.stringify({
        signals: [
          { type: 'email', value: 'not-an-address' },
          { type: 'email', hash: 'ab' },
        ],
      }),
    ],
    ['a field the schema does not know', JSON.stringify({ signals: [{ type: 'email', value: 'a@example.org' }], extra: 1 })],
    ['too many signals', JSON.stringify({ signals: Array.from({ length: 21 }, () => ({ type: 'email', value: 'a@example.org' })) })],
    ['a body that is not JSON', '{"signals": ['],

    ['a JSON null', 'null'],
    ['bytes that are not UTF-8', Buffer.from('{"signals":[{"type":"email","value":"\xff@example.org"}]}', 'latin1')],
  ] as [string, string | Buffer][])('answers %s as the Fastify route does', async (_label, body) => {
    const [hot, routed] = await both(body);
    expect(hot).toEqual(routed);
  });

  it('answers an empty body (Content-Length: 0) as the Fastify route does', async () => {
    const [hot, routed] = await both('', { 'content-length': '0' });
    expect(hot).toEqual(routed);
    expect(hot.body.code).toBe('REQUEST.EMPTY_BODY');
  });

  it('answers a batch, and a charset other than UTF-8, as the Fastify route does', async () => {
    const batch = JSON.stringify({
      checks: [
        { ref: 'x', signals: [{ type: 'email', value: bannedEmail }] },
        { ref: 'y', signals: [] },
      ],
    });
    const [hot, routed] = await both(batch, {}, '/v1/signup-checks/batch');
    expect(hot).toEqual(routed);
    expect(hot.status).toBe(400);
    const [hot415, routed415] = await both(ordinary().payload, { 'content-type': 'application/json; charset=latin1' });
    expect(hot415).toEqual(routed415);
    expect(hot415.status).toBe(415);
  });

  it("keeps the caller's sane request id and replaces any other", async () => {
    const sane = await api.request({
      ...ordinary(),
      body: JSON.parse(ordinary().payload),
      key: platformKey,
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(sane.headers['x-request-id']).toBe('abc-123');
    const insane = await api.request({
      ...ordinary(),
      body: JSON.parse(ordinary().payload),
      key: platformKey,
      headers: { 'x-request-id': 'a b' },
    });
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts its answers in the request metrics, problems by code', async () => {
    const count = async (status: string) => {
      const text = await api.metrics();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(`ostracon_http_request_duration_seconds_count{method="POST",route="/v1/signup-checks",status="${status}"}`),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const problems = async () => {
      const line = (await api.metrics())
        .split('\n')
        .find((l) => l.startsWith('ostracon_http_problems_total{code="REQUEST.MALFORMED_JSON"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const [ok, bad, malformed] = [await count('200'), await count('400'), await problems()];
    await inject(api.app.getHttpServer().listeners('request')[0] as never, ordinary());
    await inject(api.app.getHttpServer().listeners('request')[0] as never, { ...ordinary(), payload: '{' });
    expect(await count('200')).toBe(ok + 1);
    expect(await count('400')).toBe(bad + 1);
    expect(await problems()).toBe(malformed + 1);
  });

  describe('over a socket', () => {
    let port: number;
    beforeAll(async () => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      port = (api.app.getHttpServer().address() as { port: number }).port;
    });

    /** Headers and the first part of a body, on a raw connection: the rest is up to the test. */
    async function startRequest(key: string, body: string, sent: number) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
        socket.on('end', () => resolve(text));
      });
      socket.write(
        `POST /v1/signup-checks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, sent)}`,
      );
      return { socket, answer, rest: () => socket.write(body.slice(sent)) };
    }

    const answered = async () => {
      const line = (await api.metrics())
        .split('\n')
        .find((l) => l.startsWith('ostracon_http_request_duration_seconds_count{method="POST",route="/v1/signup-checks",status="200"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };

    it('records nothing for a client that goes away in the middle of its body, and serves the next', async () => {
      const before = await answered();
      const { socket } = await startRequest(platformKey, ordinary().payload, 11);
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      const res = await fetch(`http://127.0.0.1:${port}/v1/signup-checks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' },
        body: ordinary().payload,
      });
      expect([res.status, await res.json()]).toEqual([200, { decision: 'allow' }]);
      expect(await answered()).toBe(before + 1);
    });

    it('still serves a key whose client was read again while its body was arriving', async () => {
      const kept = await api.client('platform', platform);
      const authenticator = api.app.get(Authenticator);
      await waitFor(() => authenticator.known(kept.apiKey), 'the key known', 10_000);
      const pending = await startRequest(kept.apiKey, ordinary().payload, 11);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the server has read the headers
      // What a notification about this client does: the index holds a new object for it.
      const before = authenticator.known(kept.apiKey)!;
      api.app.get(ApiKeyIndex).noteCreated({ ...before }, hashApiKey(kept.apiKey));
      expect(authenticator.known(kept.apiKey)).not.toBe(before);
      pending.rest();
      expect(await pending.answer).toMatch(/^HTTP\/1\.1 200 /);
    });

    it('refuses a key revoked while its body was arriving', async () => {
      const doomed = await api.client('platform', platform);
      const pending = await startRequest(doomed.apiKey, ordinary().payload, 11);
      await api.app.get(ClientsService).revoke(doomed.id, 'cli');
      await waitFor(() => api.app.get(Authenticator).known(doomed.apiKey) === undefined, 'the revocation known', 10_000);
      pending.rest();
      const text = await pending.answer;
      expect(text).toMatch(/^HTTP\/1\.1 401 /);
      expect(text).toContain('"code":"AUTH.UNAUTHENTICATED"');
    });
  });
});

describe('sign-up hot path, at shutdown', () => {
  it('leaves checks to Fastify once the app closes, whose 503 tells a kept-alive client to close its connection', async () => {
    const api = await startTestApp();
    const platform = await api.platform('hot');
    const key = (await api.client('platform', platform)).apiKey;
    // The server's own listener, as a socket's request reaches it (the server may have stopped
    // accepting connections, but a kept-alive one still brings requests).
    const listener = api.app.getHttpServer().listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
    const check = () =>
      inject(listener, {
        method: 'POST',
        url: '/v1/signup-checks',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ signals: [{ type: 'email', value: 'someone.new@example.org' }] }),
      });
    expect((await check()).statusCode).toBe(200);
    const closed = api.close();
    // Answered by the hot path, a check would go on getting a kept-alive 200, and the connection
    // would hold the server open until the shutdown's deadline.
    const refused = await waitFor(async () => {
      const res = await check();
      return res.statusCode === 503 ? res : undefined;
    }, 'a 503 from the closing app');
    expect(refused.headers.connection).toBe('close');
    await closed;
  });
});
