import { createServer, type Server } from 'node:http';
import { OstraconClient } from './client';
import { OstraconError } from './http';

/** A real HTTP server that answers from a script, one entry per request. */
async function scripted(answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
  const seen: { at: number; method: string; url: string; auth?: string }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ at: Date.now(), method: req.method!, url: req.url!, auth: req.headers.authorization });
    const answer = answers.shift() ?? { status: 500 };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('OstraconClient over HTTP', () => {
  it('waits as Retry-After says on 429 and 503, then returns the answer', async () => {
    const s = await scripted([
      { status: 429, headers: { 'retry-after': '1' }, body: { code: 'RATE_LIMIT.EXCEEDED' } },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 200, body: { decision: 'allow' } },
    ]);
    try {
      const client = new OstraconClient({ baseUrl: s.url, apiKey: 'k1' });
      expect(await client.checkSignup([{ type: 'email', hash: 'a'.repeat(64) }])).toEqual({ decision: 'allow' });
      expect(s.seen).toHaveLength(3);
      expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(950);
      expect(s.seen.every((r) => r.auth === 'Bearer k1' && r.method === 'POST' && r.url === '/v1/signup-checks')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('gives up after maxAttempts with the last problem, and never resends a POST the service may have done (500)', async () => {
    const s = await scripted([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' }, body: { code: 'RATE_LIMIT.EXCEEDED', detail: 'slow down' } },
      { status: 500, body: { code: 'INTERNAL', detail: 'boom' } },
    ]);
    try {
      const client = new OstraconClient({ baseUrl: s.url, apiKey: 'k', maxAttempts: 2 });
      await expect(client.checkSignup([])).rejects.toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED' });
      const error = await client.ackDirective('d/1', 'enforced').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OstraconError);
      expect(error).toMatchObject({ status: 500, code: 'INTERNAL' });
      expect(s.seen.map((r) => r.url)).toEqual(['/v1/signup-checks', '/v1/signup-checks', '/v1/directives/d%2F1/ack']);
    } finally {
      await s.close();
    }
  });

  it('retries a read after a 502 and pages pending directives', async () => {
    const s = await scripted([{ status: 502 }, { status: 200, body: { items: [], nextCursor: null } }]);
    try {
      const client = new OstraconClient({ baseUrl: `${s.url}/`, apiKey: 'k', maxRetryDelayMs: 10 });
      expect(await client.pendingDirectives({ limit: 5, after: 'c1' })).toEqual({ items: [], nextCursor: null });
      expect(s.seen[1]!.url).toBe('/v1/directives?status=pending&limit=5&after=c1');
    } finally {
      await s.close();
    }
  });
});
