import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { CreatedClient } from '@ostracon/auth';
import { PrivateScreener, prehash, prepareSignal, voprf } from '@ostracon/platform-sdk';
import { Client } from 'pg';
import { OrderLifecycle } from '@ostracon/orders';
import { EvaluationCounts, OprfKeyRing, PrivateChecksService, PrivateSetStore } from '@ostracon/private-checks';
import { runCli } from '../apps/cli/src/cli';
import { OffsetClock, freePort, waitFor } from './support/isolated';
import { type TestApp, startTestApp } from './support/test-app';
import { type World, startWorld } from './support/world';
import { orderBody } from './support/builders';

const unique = (label: string) => `${label}.${randomBytes(5).toString('hex')}`;
const API_MAIN = join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'main.js');

/**
 * A man in the middle, as a real HTTP server in front of the API: it records every request the
 * service receives, and can answer evaluations itself, under a key of its own.
 */
class Interceptor {
  readonly seen: string[] = [];
  forgeWith: { secretKey: Uint8Array; publicKey: Uint8Array } | undefined;
  private server?: Server;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body.toString('utf8')}`);
    if (this.forgeWith && req.url === '/v1/private/evaluations') {
      const { keyId, blindedElements } = JSON.parse(body.toString('utf8')) as { keyId: string; blindedElements: string[] };
      const forged = voprf.blindEvaluateBatch(
        this.forgeWith.secretKey,
        this.forgeWith.publicKey,
        blindedElements.map((e) => Buffer.from(e, 'hex')),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          keyId,
          evaluatedElements: forged.evaluatedElements.map((e) => Buffer.from(e).toString('hex')),
          proof: Buffer.from(forged.proof).toString('hex'),
        }),
      );
      return;
    }
    const upstream = new URL(this.target);
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  }
}

describe('private sign-up checks (docs/private-checks.md), through the platform SDK against the running service', () => {
  let world: World;
  let api: TestApp;
  let base: string;
  let platformA: string;
  let platformB: string;
  let keyA: CreatedClient;
  let keyB: CreatedClient;
  let pinned: Record<string, string>;
  const screeners: PrivateScreener[] = [];
  const processes: ChildProcess[] = [];

  const screener = async (baseUrl: string, apiKey: string, platform: string, extra: { pinnedKeys?: Record<string, string> } = {}) => {
    const s = await PrivateScreener.start({ baseUrl, apiKey, platform, pinnedKeys: extra.pinnedKeys ?? pinned, pollWaitSeconds: 5 });
    screeners.push(s);
    return s;
  };

  const submit = async (platforms: string[], signals: unknown[]): Promise<string> => {
    const body = orderBody(platforms[0]!);
    const res = await world.submit({
      ...body,
      subject: { signals },
      platforms: platforms.map((platform) => ({ platform, accounts: [{ accountId: unique('acct') }] })),
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  const revoke = async (orderId: string) => {
    const res = await api.request({
      method: 'POST',
      url: `/v1/orders/${orderId}/revoke`,
      key: world.authority.apiKey,
      body: { reason: 'Set aside on appeal', decisionReference: unique('CA') },
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    world = await startWorld('private', { worker: {} });
    api = world.api;
    const port = await freePort();
    await api.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    platformA = await api.platform('priv-a');
    platformB = await api.platform('priv-b');
    keyA = await api.client('platform', platformA);
    keyB = await api.client('platform', platformB);
    // The platform pins the key the audit log published, not whatever the API serves.
    const auditor = await api.client('auditor');
    const events = await api.request({ method: 'GET', url: '/v1/audit/events?type=private_key.published', key: auditor.apiKey });
    expect(events.status).toBe(200);
    pinned = Object.fromEntries(
      (events.body.items as { data: { keyId: string; publicKey: string } }[]).map((e) => [e.data.keyId, e.data.publicKey]),
    );
    expect(Object.keys(pinned)).toEqual([world.config.signals.oprfKeys[0]!.keyId]);
  });

  afterAll(async () => {
    for (const s of screeners) await s.stop();
    for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
    await world?.close();
  });

  it('blocks a banned e-mail in any spelling, on the platforms its order names only', async () => {
    const user = unique('jean.dupont');
    const orderId = await submit([platformA], [{ type: 'email', value: `${user}@gmail.com` }]);
    const onA = await screener(base, keyA.apiKey, platformA);
    const onB = await screener(base, keyB.apiKey, platformB);

    const variant = { type: 'email' as const, value: `  ${user.replaceAll('.', '').toUpperCase()}+signup@GoogleMail.com ` };
    const result = await waitFor(async () => {
      const r = await onA.checkSignup([variant, { type: 'email', value: 'nobody@example.fr' }]);
      return r.decision === 'block' ? r : undefined;
    }, 'the new order in platform A’s set');
    expect(result).toMatchObject({ decision: 'block', evaluated: 2 });
    expect(result.banEndsAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await onB.checkSignup([variant])).toEqual({ decision: 'allow', evaluated: 1 });
    // The method's former name still answers, for code written against it.
    expect(await onB.check([variant])).toEqual({ decision: 'allow', evaluated: 1 });

    // The match is recorded and audited as a plain one is, and says it came through the private mode.
    const match = await api.request({ method: 'GET', url: `/v1/signup-matches/${result.matchId}`, key: world.authority.apiKey });
    expect(match.status).toBe(200);
    expect(match.body).toMatchObject({ orderId, platform: platformA, decision: 'block', signalTypes: ['email'] });
    const [event] = await api.dataSource.query(`SELECT data FROM audit_events WHERE type = 'signup.matched' AND data->>'matchId' = $1`, [
      result.matchId,
    ]);
    expect(event.data).toMatchObject({ mode: 'private', decision: 'block' });
  });

  it('a possible signal alone asks for review; invalid signals are listed and the rest still checked', async () => {
    const letters = [...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
    const name = { givenName: 'Éloïse', familyName: `Marchand-${letters}`, birthDate: '1991-04-12' };
    await submit([platformA], [{ type: 'name_dob', value: name }]);
    const onA = await screener(base, keyA.apiKey, platformA);
    const r = await waitFor(async () => {
      const x = await onA.checkSignup([
        { type: 'email', value: 'not an address' },
        { type: 'name_dob', value: { ...name, givenName: 'eloise' } },
      ]);
      return x.decision === 'review' ? x : undefined;
    }, 'the name in the set');
    expect(r).toMatchObject({ decision: 'review', evaluated: 1, ignored: [{ index: 0, reason: 'email_format' }] });
  });

  it('a revocation allows again within the deadline, on two API processes', async () => {
    const env = { ...process.env, DATABASE_URL: world.config.database.url, REDIS_URL: world.config.redis.url, LOG_LEVEL: 'warn' };
    const bases = await Promise.all(
      [0, 1].map(async () => {
        const port = await freePort();
        const child = spawn(process.execPath, [API_MAIN], { env: { ...env, PORT: String(port), METRICS_PORT: '0' }, stdio: 'ignore' });
        processes.push(child);
        const url = `http://127.0.0.1:${port}`;
        await waitFor(async () => (await fetch(`${url}/health/ready`).catch(() => null))?.status === 200, 'an API process', 30_000);
        return url;
      }),
    );
    // 06 12 … is allocated to mobiles (libphonenumber says so); other random 06 numbers may not be.
    const phone = `+33612${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
    const orderId = await submit([platformA], [{ type: 'phone', value: phone }]);
    const [one, two] = await Promise.all(bases.map((b) => screener(b, keyA.apiKey, platformA)));
    const signup = [{ type: 'phone' as const, value: `0${phone.slice(3, 4)} ${phone.slice(4).replace(/(\d\d)(?=\d)/g, '$1 ')}` }];
    await waitFor(
      async () => (await one!.checkSignup(signup)).decision === 'block' && (await two!.checkSignup(signup)).decision === 'block',
      'a block on both processes',
    );

    await revoke(orderId);
    await waitFor(
      async () => (await one!.checkSignup(signup)).decision === 'allow' && (await two!.checkSignup(signup)).decision === 'allow',
      'the revocation on both processes',
      10_000,
    );
    // Not just a stale copy answered: the tag left both copies of the set.
    const answer = await fetch(`${bases[0]}/v1/private/matches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ keyId: world.config.signals.oprfKeys[0]!.keyId, elements: [elementOf('phone', phone)] }),
    });
    expect(await answer.json()).toEqual({ decision: 'allow' });
  });

  /** N = k·HashToGroup(prehash), as the service computes it (the test holds the key). */
  function elementOf(type: 'email' | 'phone', value: string): string {
    const ring = new OprfKeyRing(world.config.signals.oprfKeys);
    const prepared = prepareSignal({ type, value }, { defaultCountry: 'FR', today: '2026-12-02' });
    if (!prepared.ok) throw new Error(prepared.reason);
    return Buffer.from(voprf.evaluateInput(ring.current.secretKey, Buffer.from(prepared.signal.prehash, 'hex'))).toString('hex');
  }

  it('a forged element is no match: a random element, and another platform’s banned element', async () => {
    const email = `${unique('forged')}@example.fr`;
    await submit([platformB], [{ type: 'email', value: email }]);
    const report = (elements: string[]) =>
      api.request({ method: 'POST', url: '/v1/private/matches', key: keyA.apiKey, body: { keyId: Object.keys(pinned)[0], elements } });
    const random = Buffer.from(voprf.hashToGroup(randomBytes(32))).toString('hex');
    expect((await report([random])).body).toEqual({ decision: 'allow' });
    expect((await report([elementOf('email', email)])).body).toEqual({ decision: 'allow' });
    expect((await report([])).status).toBe(400);
    const asB = await api.request({
      method: 'POST',
      url: '/v1/private/matches',
      key: keyB.apiKey,
      body: { keyId: Object.keys(pinned)[0], elements: [elementOf('email', email)] },
    });
    expect(asB.body).toMatchObject({ decision: 'block' });
  });

  it('refuses an evaluation proved with another key, and a service key that is not pinned', async () => {
    const mitm = new Interceptor(base);
    await mitm.start();
    try {
      const onA = await screener(mitm.url, keyA.apiKey, platformA);
      expect((await onA.checkSignup([{ type: 'email', value: 'someone@example.fr' }])).decision).toBe('allow');
      mitm.forgeWith = voprf.deriveKeyPair(randomBytes(32), new Uint8Array());
      await expect(onA.checkSignup([{ type: 'email', value: 'someone@example.fr' }])).rejects.toThrow('does not verify');
    } finally {
      await mitm.stop();
    }
    const other = Buffer.from(voprf.deriveKeyPair(randomBytes(32), new Uint8Array()).publicKey).toString('hex');
    await expect(screener(base, keyA.apiKey, platformA, { pinnedKeys: { [Object.keys(pinned)[0]!]: other } })).rejects.toThrow(
      'not one of the pinned keys',
    );
  });

  it('evaluates a large batch across threads, with one proof that verifies and the elements the key gives', async () => {
    const keyId = Object.keys(pinned)[0]!;
    const inputs = Array.from({ length: 200 }, () => randomBytes(32));
    const blinded = inputs.map((x) => voprf.blind(x));
    const res = await api.request({
      method: 'POST',
      url: '/v1/private/evaluations',
      key: keyA.apiKey,
      body: { keyId, blindedElements: blinded.map((b) => Buffer.from(b.blindedElement).toString('hex')) },
    });
    expect(res.status).toBe(200);
    const evaluated = (res.body.evaluatedElements as string[]).map((e) => Buffer.from(e, 'hex'));
    const publicKey = Buffer.from(pinned[keyId]!, 'hex');
    expect(
      voprf.verifyBatch(
        publicKey,
        blinded.map((b) => b.blindedElement),
        evaluated,
        Buffer.from(res.body.proof, 'hex'),
      ),
    ).toBe(true);
    const ring = new OprfKeyRing(world.config.signals.oprfKeys);
    for (const i of [0, 99, 100, 199]) {
      expect(Buffer.from(voprf.unblind(blinded[i]!.blind, evaluated[i]!)).toString('hex')).toBe(
        Buffer.from(voprf.evaluateInput(ring.current.secretKey, inputs[i]!)).toString('hex'),
      );
    }
    // It did go through the threads (one per core by default).
    const pool = (api.app.get(PrivateChecksService) as unknown as { pool?: { workers: unknown[] } }).pool;
    expect(pool?.workers.length).toBe(world.config.screening.evaluationThreads);
  });

  it('answers invalid input with a 400 and a stable code', async () => {
    const keyId = Object.keys(pinned)[0]!;
    const valid = Buffer.from(voprf.hashToGroup(randomBytes(8))).toString('hex');
    const cases: [string, unknown, string][] = [
      ['identity', { keyId, blindedElements: ['00'.repeat(32)] }, 'PRIVATE.ELEMENT_INVALID'],
      ['not canonical', { keyId, blindedElements: [valid, 'ff'.repeat(32)] }, 'PRIVATE.ELEMENT_INVALID'],
      ['31 bytes', { keyId, blindedElements: ['01'.repeat(31)] }, 'VALIDATION.FAILED'],
      ['upper case', { keyId, blindedElements: [valid.toUpperCase()] }, 'VALIDATION.FAILED'],
      ['empty', { keyId, blindedElements: [] }, 'VALIDATION.FAILED'],
      ['too many', { keyId, blindedElements: Array(1001).fill(valid) }, 'VALIDATION.FAILED'],
      ['unknown key', { keyId: 'nope', blindedElements: [valid] }, 'PRIVATE.KEY_UNKNOWN'],
      ['extra field', { keyId, blindedElements: [valid], input: 'x' }, 'VALIDATION.FAILED'],
      ['not an array', { keyId, blindedElements: valid }, 'VALIDATION.FAILED'],
    ];
    for (const [label, body, code] of cases) {
      const res = await api.request({ method: 'POST', url: '/v1/private/evaluations', key: keyA.apiKey, body });
      expect([label, res.status, res.body?.code]).toEqual([label, 400, code]);
    }
    const invalidAt = await api.request({
      method: 'POST',
      url: '/v1/private/evaluations',
      key: keyA.apiKey,
      body: { keyId, blindedElements: [valid, 'ff'.repeat(32)] },
    });
    expect(invalidAt.body.errors).toEqual([{ path: 'blindedElements[1]', message: expect.any(String) }]);
    const match = await api.request({
      method: 'POST',
      url: '/v1/private/matches',
      key: keyA.apiKey,
      body: { keyId, elements: ['00'.repeat(32)] },
    });
    expect([match.status, match.body.code]).toEqual([400, 'PRIVATE.ELEMENT_INVALID']);
    for (const cursor of [
      'garbage',
      Buffer.from('x.y').toString('base64url'),
      Buffer.from(`${keyId}.99999999999999999999`).toString('base64url'),
    ]) {
      const res = await api.request({ method: 'GET', url: `/v1/private/set?cursor=${cursor}`, key: keyA.apiKey });
      expect([cursor, res.status, res.body.code]).toEqual([cursor, 400, 'PRIVATE.CURSOR_INVALID']);
    }
    const stale = await api.request({
      method: 'GET',
      url: `/v1/private/set?cursor=${Buffer.from('f.retired-key.5').toString('base64url')}`,
      key: keyA.apiKey,
    });
    expect([stale.status, stale.body.code]).toEqual([410, 'PRIVATE.CURSOR_STALE']);
    const limit = await api.request({ method: 'GET', url: '/v1/private/set?limit=100001', key: keyA.apiKey });
    expect(limit.status).toBe(400);
  });

  it('serves platform keys only: every other role gets 403, no key 401', async () => {
    const keyId = Object.keys(pinned)[0]!;
    const valid = Buffer.from(voprf.hashToGroup(randomBytes(8))).toString('hex');
    const routes = [
      { method: 'GET' as const, url: '/v1/private/keys' },
      { method: 'GET' as const, url: '/v1/private/set' },
      { method: 'POST' as const, url: '/v1/private/evaluations', body: { keyId, blindedElements: [valid] } },
      { method: 'POST' as const, url: '/v1/private/matches', body: { keyId, elements: [valid] } },
    ];
    for (const role of ['authority', 'auditor', 'admin'] as const) {
      const { apiKey } = await api.client(role);
      for (const route of routes) {
        const res = await api.request({ ...route, key: apiKey });
        expect([role, route.url, res.status]).toEqual([role, route.url, 403]);
      }
    }
    for (const route of routes) expect((await api.request(route)).status).toBe(401);
    const keys = await api.request({ method: 'GET', url: '/v1/private/keys', key: keyA.apiKey });
    expect(keys.body).toEqual({ keys: [{ keyId, suite: 'ristretto255-SHA512', mode: 'voprf', publicKey: pinned[keyId] }] });
  });

  it('sees nothing of a sign-up that matches no ban: no value, no prehash, no prefix, in requests, logs or tables', async () => {
    const mitm = new Interceptor(base);
    await mitm.start();
    const email = `${unique('private.person')}@example.fr`;
    const phone = '+33 6 12 34 56 78';
    const secrets = [email, prehash('email', email), prehash('phone', '+33612345678'), '0612345678', '612345678'];
    try {
      const onA = await screener(mitm.url, keyA.apiKey, platformA);
      const logsBefore = api.logs.text().length;
      expect(
        await onA.checkSignup([
          { type: 'email', value: email },
          { type: 'phone', value: phone },
        ]),
      ).toEqual({ decision: 'allow', evaluated: 2 });
      const wire = mitm.seen.join('\n').toLowerCase();
      const logs = api.logs.text().slice(logsBefore).toLowerCase();
      const tables: { name: string }[] = await api.dataSource.query(
        `SELECT format('%I', table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      let database = '';
      const owner = new Client({ connectionString: world.db.ownerUrl });
      await owner.connect();
      try {
        for (const { name } of tables) {
          const rows = await owner.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
          database += rows.rows.map((r) => r.row).join('\n');
        }
      } finally {
        await owner.end();
      }
      database = database.toLowerCase();
      expect(wire).toContain('/v1/private/evaluations'); // the check did go through here
      for (const secret of secrets) {
        const s = secret.toLowerCase();
        // Any 16 hex characters of the prehash (8 bytes) would be a usable prefix.
        const probes = /^[0-9a-f]{64}$/.test(s) ? [s, s.slice(0, 16), s.slice(24, 40), s.slice(48)] : [s];
        for (const probe of probes) {
          expect([probe, wire.includes(probe)]).toEqual([probe, false]);
          expect([probe, logs.includes(probe)]).toEqual([probe, false]);
          expect([probe, database.includes(probe)]).toEqual([probe, false]);
        }
      }
      // What did go over the wire: random-looking blinded elements, never the elements themselves.
      const evaluation = mitm.seen.find((s) => s.startsWith('POST /v1/private/evaluations'))!;
      const sent = (JSON.parse(evaluation.slice(evaluation.lastIndexOf('\n') + 1)) as { blindedElements: string[] }).blindedElements;
      expect(sent).toHaveLength(2);
      expect(sent).not.toContain(elementOf('email', email));
      expect(mitm.seen.some((s) => s.startsWith('POST /v1/private/matches'))).toBe(false);
    } finally {
      await mitm.stop();
    }
  });

  it('counts evaluations per platform in the metrics and by the hour, with no audit event per evaluation', async () => {
    const platformC = await api.platform('priv-c');
    const { apiKey } = await api.client('platform', platformC);
    const onC = await screener(base, apiKey, platformC);
    const [{ seq }] = await api.dataSource.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit_events`);
    await onC.checkSignup([
      { type: 'email', value: `${unique('counted')}@example.fr` },
      { type: 'email', value: `${unique('counted')}@example.fr` },
    ]);
    await onC.checkSignup([{ type: 'email', value: `${unique('counted')}@example.fr` }]);
    expect(await api.metrics()).toMatch(new RegExp(`ostracon_private_evaluations_total\\{platform="${platformC}"\\} 3\\n`));
    const events = await api.dataSource.query(`SELECT type FROM audit_events WHERE platform_id = $1 AND seq > $2`, [platformC, seq]);
    expect(events).toEqual([]);

    // The hour's count: flushed by the API, audited by the worker once the hour is over.
    await api.app.get(PrivateChecksService).flushCounts();
    const [row] = await api.dataSource.query(
      `SELECT requests::int, elements::int, hour FROM private_evaluation_counts WHERE platform_id = $1`,
      [platformC],
    );
    expect(row).toMatchObject({ requests: 2, elements: 3 });
    const later = new Date((row.hour as Date).getTime() + 3_600_000 + 120_000);
    expect(await world.worker!.get(EvaluationCounts).auditCompleted(later)).toBeGreaterThanOrEqual(1);
    const [counted] = await api.dataSource.query(
      `SELECT data FROM audit_events WHERE type = 'private_evaluations.counted' AND platform_id = $1`,
      [platformC],
    );
    expect(counted.data).toEqual({ hour: (row.hour as Date).toISOString(), requests: 2, elements: 3 });
  });

  it('never logs an evaluation, even at the info level that logs every other request', async () => {
    const verbose = await startTestApp({ config: world.config, logLevel: 'info' });
    try {
      const valid = Buffer.from(voprf.hashToGroup(randomBytes(8))).toString('hex');
      const startup = verbose.logs.text().length; // the routes it mapped at start are named there
      const res = await verbose.request({
        method: 'POST',
        url: '/v1/private/evaluations',
        key: keyA.apiKey,
        body: { keyId: Object.keys(pinned)[0], blindedElements: [valid] },
      });
      expect(res.status).toBe(200);
      expect((await verbose.request({ method: 'GET', url: '/v1/platforms', key: keyA.apiKey })).status).toBe(403);
      const logs = verbose.logs.text().slice(startup);
      expect(logs).toContain('/v1/platforms');
      expect(logs).not.toContain('/v1/private/');
    } finally {
      await verbose.close();
    }
  });

  it('runs the example platform: directives by webhook, sign-ups screened privately through the SDK', async () => {
    const port = await freePort();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const platform = await api.platform('example', { webhookUrl: `http://127.0.0.1:${port}/webhooks/ostracon`, webhookSecret: secret });
    const { apiKey } = await api.client('platform', platform);
    const child = spawn(process.execPath, [join(__dirname, '..', 'libs', 'platform-sdk', 'examples', 'platform', 'server.js')], {
      env: {
        ...process.env,
        OSTRACON_URL: base,
        OSTRACON_API_KEY: apiKey,
        PLATFORM_ID: platform,
        WEBHOOK_SECRETS: secret,
        PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    processes.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const example = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${example}/health`).catch(() => null))?.status === 200, 'the example platform', 15_000);

    const email = `${unique('example.user')}@example.fr`;
    const accountId = unique('account');
    const res = await world.submit({
      ...orderBody(platform),
      subject: { signals: [{ type: 'email', value: email }] },
      platforms: [{ platform, accounts: [{ accountId, handle: '@example' }] }],
    });
    expect(res.status).toBe(201);
    const signup = (form: object) =>
      fetch(`${example}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });

    // The suspend directive arrives signed, is applied and acknowledged.
    await waitFor(
      async () => ((await (await fetch(`${example}/accounts/${accountId}`)).json()) as { suspended?: boolean }).suspended,
      'the suspension',
    );
    await waitFor(async () => {
      const order = await api.request({ method: 'GET', url: `/v1/orders/${res.body.id}`, key: world.authority.apiKey });
      return order.body.platforms[0].status === 'enforced';
    }, 'the acknowledgement');
    // A new sign-up with the banned address, spelled otherwise, is refused; someone else is welcome.
    const banned = await waitFor(async () => {
      const r = await signup({ email: email.toUpperCase() });
      return r.status === 403 ? r : undefined;
    }, 'the ban at sign-up');
    expect(await banned.json()).toMatchObject({ decision: 'block', matchId: expect.any(String) });
    expect((await signup({ email: `${unique('welcome')}@example.fr`, phone: '06 12 34 56 78' })).status).toBe(201);
    // A forged webhook is refused.
    const forged = await fetch(`${example}/webhooks/ostracon`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ id: 'x', type: 'lift', accounts: [{ accountId }] }),
    });
    expect(forged.status).toBe(401);
    expect(stderr).toBe('');
  });

  it('rotates the key without raw values: the CLI remaps, a platform on the new key still blocks, the old key is forgotten', async () => {
    const email = `${unique('rotated')}@example.fr`;
    await submit([platformA], [{ type: 'email', value: email }]);
    const [current] = world.config.signals.oprfKeys;
    const next = { keyId: unique('oprf').replace('.', '-').slice(0, 32), key: randomBytes(32) };
    const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    const withBoth = { ...world.config, signals: { ...world.config.signals, oprfKeys: [current!, next] } };
    expect(await runCli(['private-keys:rotate', '--from', current!.keyId, '--to', next.keyId, '--json'], io, withBoth)).toBe(0);
    expect(JSON.parse(io.out).remapped).toBeGreaterThan(0);

    // The new key first: an API on it publishes it, and a platform that pins it still finds the ban.
    const rotated = await startTestApp({ config: { ...world.config, signals: { ...world.config.signals, oprfKeys: [next, current!] } } });
    try {
      const port = await freePort();
      await rotated.app.listen(port, '127.0.0.1');
      const newPublic = Buffer.from(new OprfKeyRing([next]).current.publicKey).toString('hex');
      const onNew = await screener(`http://127.0.0.1:${port}`, keyA.apiKey, platformA, { pinnedKeys: { [next.keyId]: newPublic } });
      expect((await onNew.checkSignup([{ type: 'email', value: email.toUpperCase() }])).decision).toBe('block');
      const published = await rotated.dataSource.query(
        `SELECT data FROM audit_events WHERE type = 'private_key.published' AND data->>'keyId' = $1`,
        [next.keyId],
      );
      expect(published).toEqual([{ data: expect.objectContaining({ publicKey: newPublic }) }]);
      // A cursor under the retired key is stale for an API serving the new one.
      const old = await fetch(`${base}/v1/private/set`, { headers: { authorization: `Bearer ${keyA.apiKey}` } });
      const oldCursor = ((await old.json()) as { cursor: string }).cursor;
      const stale = await fetch(`http://127.0.0.1:${port}/v1/private/set?cursor=${oldCursor}`, {
        headers: { authorization: `Bearer ${keyA.apiKey}` },
      });
      expect(stale.status).toBe(410);
    } finally {
      await rotated.close();
    }

    // The key that serves cannot be forgotten; a retired one can (here the new one, so the rest of the file keeps its key).
    io.out = '';
    expect(await runCli(['private-keys:forget', '--key', current!.keyId], io, withBoth)).toBe(1);
    expect(await runCli(['private-keys:forget', '--key', next.keyId, '--json'], io, withBoth)).toBe(0);
    expect(JSON.parse(io.out).elements).toBeGreaterThan(0);
    const left = await api.dataSource.query(`SELECT count(*)::int AS n FROM private_elements WHERE key_id = $1`, [next.keyId]);
    expect(left[0].n).toBe(0);
  });
});

describe('the private sets’ state, driven by the order’s lifecycle alone (no worker running)', () => {
  const clock = new OffsetClock();
  let world: World;
  let api: TestApp;
  let platform: string;
  let key: CreatedClient;
  let keyId: string;

  beforeAll(async () => {
    world = await startWorld('private-state', { clock });
    api = world.api;
    platform = await api.platform('state');
    key = await api.client('platform', platform);
    keyId = world.config.signals.oprfKeys[0]!.keyId;
  });
  afterAll(() => world?.close());

  const tagOf = (type: 'email', value: string) => {
    const ring = new OprfKeyRing(world.config.signals.oprfKeys);
    const prepared = prepareSignal({ type, value }, { defaultCountry: 'FR', today: '2026-12-02' });
    if (!prepared.ok) throw new Error(prepared.reason);
    return voprf.tagOf(voprf.evaluateInput(ring.current.secretKey, Buffer.from(prepared.signal.prehash, 'hex'))).toString('hex');
  };
  const page = (cursor?: string) =>
    api.request({ method: 'GET', url: `/v1/private/set?limit=10000${cursor ? `&cursor=${cursor}` : ''}`, key: key.apiKey });
  const entryOf = async (tag: string) => {
    const rows = await api.dataSource.query(`SELECT strength, present FROM private_set_entries WHERE platform_id = $1 AND tag = $2`, [
      platform,
      Buffer.from(tag, 'hex'),
    ]);
    return rows[0] as { strength: string; present: boolean } | undefined;
  };
  const order = async (signals: unknown[]) => {
    const res = await world.submit({ ...orderBody(platform, clock.now()), subject: { signals } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const revoke = async (id: string) => {
    const res = await api.request({
      method: 'POST',
      url: `/v1/orders/${id}/revoke`,
      key: world.authority.apiKey,
      body: { reason: 'Set aside on appeal', decisionReference: unique('CA') },
    });
    expect(res.status).toBe(200);
  };

  it('a follower paging one change at a time sees every change, in version order past 9 → 10', async () => {
    // First in this fresh database: versions start at 1, so twelve changes cross 9 → 10.
    const { cursor } = (await page()).body as { cursor: string };
    const tags: string[] = [];
    for (let i = 0; i < 12; i++) {
      const email = `${unique('paged')}@example.fr`;
      await order([{ type: 'email', value: email }]);
      tags.push(tagOf('email', email));
    }
    const seen: string[] = [];
    let at = cursor;
    for (let i = 0; i < 30; i++) {
      const res = await api.request({ method: 'GET', url: `/v1/private/set?limit=1&cursor=${at}`, key: key.apiKey });
      expect(res.status).toBe(200);
      seen.push(...(res.body.entries as { tag: string }[]).map((e) => e.tag));
      at = res.body.cursor;
      if (!res.body.more) break;
    }
    expect(seen).toEqual(tags);
    // A download a page at a time gets them all too.
    const downloaded: string[] = [];
    let next: string | undefined;
    for (let i = 0; i < 30; i++) {
      const res = await api.request({ method: 'GET', url: `/v1/private/set?limit=5${next ? `&cursor=${next}` : ''}`, key: key.apiKey });
      downloaded.push(...(res.body.entries as { tag: string }[]).map((e) => e.tag));
      next = res.body.cursor;
      if (!res.body.more) break;
    }
    expect(downloaded.sort()).toEqual([...tags].sort());
  });

  it('a new order is in the set when its 201 answers, without waiting for the worker', async () => {
    const email = `${unique('intake')}@example.fr`;
    await order([{ type: 'email', value: email }]);
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.body.entries).toContainEqual({ op: 'add', tag: tagOf('email', email), strength: 'strong' });
  });

  it('a tag held by several orders stays while one holds it, with the strongest strength among them', async () => {
    const email = `${unique('shared')}@example.fr`;
    const prehashed = prepareSignal({ type: 'email', value: email }, { defaultCountry: 'FR', today: '2026-12-02' });
    if (!prehashed.ok) throw new Error('vector');
    // The same prehash declared as a possible signal by another order: one tag, two strengths.
    const strong = await order([{ type: 'email', value: email }]);
    const possible = await order([{ type: 'name_dob', hash: prehashed.signal.prehash }]);
    const tag = tagOf('email', email);
    expect(await entryOf(tag)).toEqual({ strength: 'strong', present: true });
    // Both orders refreshed in one statement (as an activation batch does) is one row, not a conflict.
    await api.dataSource.transaction((em) => api.app.get(PrivateSetStore).refresh(em, [strong, possible], clock.now()));
    expect(await entryOf(tag)).toEqual({ strength: 'strong', present: true });
    const { cursor } = (await page()).body as { cursor: string };

    await revoke(strong);
    expect(await entryOf(tag)).toEqual({ strength: 'possible', present: true });
    await revoke(possible);
    expect(await entryOf(tag)).toMatchObject({ present: false });
    const changes = (await page(cursor)).body.entries as { op: string; tag: string; strength: string }[];
    // A follower sees each entry's latest state, not every step of its history.
    expect(changes.filter((e) => e.tag === tag)).toEqual([{ op: 'remove', tag, strength: 'possible' }]);
  });

  it('a purge forgets the removals it makes unheld: older cursors are told to download again (410)', async () => {
    const email = `${unique('purged')}@example.fr`;
    const id = await order([{ type: 'email', value: email }]);
    // A platform with this one order only: its set's last change will be the forgotten removal.
    const alone = await api.platform('alone');
    const lonely = await world.submit({
      ...orderBody(alone, clock.now()),
      subject: { signals: [{ type: 'email', value: `${unique('alone')}@example.fr` }] },
    });
    expect(lonely.status).toBe(201);
    await revoke(lonely.body.id);
    const before = (await page()).body.cursor as string;
    await revoke(id);
    clock.offsetMs += (world.config.retention.days + 1) * 86_400_000;
    try {
      await api.app.get(OrderLifecycle).tick();
      expect(await entryOf(tagOf('email', email))).toBeUndefined();
      const stale = await page(before);
      expect([stale.status, stale.body.code]).toEqual([410, 'PRIVATE.CURSOR_STALE']);
      const fresh = await page();
      expect(fresh.status).toBe(200);
      expect((await page(fresh.body.cursor)).status).toBe(200);
      // A platform whose last change was that forgotten removal can follow its (empty) set too.
      const lone = await api.client('platform', alone);
      const download = await api.request({ method: 'GET', url: '/v1/private/set', key: lone.apiKey });
      expect([download.status, download.body.entries]).toEqual([200, []]);
      const follow = await api.request({ method: 'GET', url: `/v1/private/set?cursor=${download.body.cursor}`, key: lone.apiKey });
      expect(follow.status).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('computes at start the elements a configured key lacks (orders taken in by a process without it)', async () => {
    const email = `${unique('healed')}@example.fr`;
    const id = await order([{ type: 'email', value: email }]);
    const extra = { keyId: unique('oprf').replace('.', '-').slice(0, 32), key: randomBytes(32) };
    const under = async (keyId: string) =>
      (
        await api.dataSource.query(
          `SELECT e.element FROM private_elements e JOIN order_signals s ON s.id = e.signal_id WHERE s.order_id = $1 AND e.key_id = $2`,
          [id, keyId],
        )
      ).map((r: { element: Buffer }) => r.element.toString('hex'));
    expect(await under(extra.keyId)).toEqual([]);
    const both = await startTestApp({
      config: { ...world.config, signals: { ...world.config.signals, oprfKeys: [world.config.signals.oprfKeys[0]!, extra] } },
    });
    await both.close();
    const prepared = prepareSignal({ type: 'email', value: email }, { defaultCountry: 'FR', today: '2026-12-02' });
    if (!prepared.ok) throw new Error(prepared.reason);
    const expected = voprf.evaluateInput(new OprfKeyRing([extra]).current.secretKey, Buffer.from(prepared.signal.prehash, 'hex'));
    expect(await under(extra.keyId)).toEqual([Buffer.from(expected).toString('hex')]);
    await runCli(
      ['private-keys:forget', '--key', extra.keyId],
      { stdout: () => undefined, stderr: () => undefined },
      {
        ...world.config,
        signals: { ...world.config.signals, oprfKeys: [world.config.signals.oprfKeys[0]!, extra] },
      },
    );
  });

  it('charges evaluations one token an element, and caps long polls per key', async () => {
    const small = await startTestApp({
      config: { ...world.config, screening: { ...world.config.screening, ratePerSecond: 1, rateBurst: 5 } },
    });
    try {
      const { apiKey } = await small.client('platform', platform);
      const elements = (n: number) => Array.from({ length: n }, () => Buffer.from(voprf.hashToGroup(randomBytes(8))).toString('hex'));
      const evaluate = (n: number) =>
        small.request({ method: 'POST', url: '/v1/private/evaluations', key: apiKey, body: { keyId, blindedElements: elements(n) } });
      expect((await evaluate(4)).status).toBe(200);
      const refused = await evaluate(4);
      expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMIT.EXCEEDED']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await small.close();
    }
    const { cursor } = (await page()).body as { cursor: string };
    const polls = Array.from({ length: 5 }, () =>
      api.request({ method: 'GET', url: `/v1/private/set?cursor=${cursor}&wait=2`, key: key.apiKey }),
    );
    const statuses = (await Promise.all(polls)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});
