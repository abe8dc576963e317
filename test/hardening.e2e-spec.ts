import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { ApiKeyIndex, type CreatedClient, generateApiKey } from '@ostracon/auth';
import { isCleanText } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import fc from 'fast-check';
import type { z } from 'zod';
import { ROUTES } from '../apps/api/src/openapi/openapi';
import { idempotencyKey, orderBody } from './support/builders';
import { type RequestOptions, startTestApp, type TestApp, type TestResponse } from './support/test-app';

/** Text PostgreSQL cannot store, UTF-8 cannot encode, or that reads differently than it is. */
const BAD_TEXT = {
  nul: 'Trib\u0000unal',
  'lone surrogate': 'Trib\ud800unal',
  'right-to-left override': 'Tribunal\u202eesuohc',
  'C1 control': 'Tribunal\u0085',
} as const;

const UUID = '01900000-0000-7000-8000-000000000000';

/** Every route that takes a body, with a valid one: a route added later without an example fails the first test. */
function examples(platform: string, organisation = UUID): Record<string, unknown> {
  return {
    'post /v1/admin/organisations': { name: 'Parquet de Créteil', role: 'authority' },
    'post /v1/admin/people': { email: `greffe.${randomBytes(4).toString('hex')}@justice.example.fr`, organisation },
    'patch /v1/admin/people/{id}': { organisation },
    'post /v1/admin/platforms': { id: `hard-${randomBytes(4).toString('hex')}`, name: 'Plateforme' },
    'patch /v1/admin/platforms/{id}': { name: 'Plateforme renommée', slaHours: 24 },
    'post /v1/admin/platforms/{id}/webhook-secret': { webhookSecret: `whsec_${Buffer.alloc(32, 9).toString('base64')}`, overlapHours: 1 },
    'post /v1/admin/clients': { role: 'auditor', name: 'Inspection' },
    'patch /v1/admin/clients/{id}': { signupRatePerSecond: 50, signupRateBurst: 2000 },
    'post /v1/orders': orderBody(platform),
    // Before the revocation below: a platform reports only on an order in force.
    'post /v1/orders/{id}/linked-accounts': { accountId: `autre-${randomBytes(4).toString('hex')}` },
    'post /v1/orders/{id}/linked-accounts/{reportId}/decision': { decision: 'reject' },
    // The order's life after it (decision 0027): appealed, confirmed, then relieved (409 once revoked
    // below would be the same: past the schema).
    'post /v1/orders/{id}/appeal': { lodgedOn: new Date().toISOString().slice(0, 10), reference: 'CA-PARIS-2026-7' },
    'post /v1/orders/{id}/appeal/outcome': {
      outcome: 'confirmed',
      decidedOn: new Date().toISOString().slice(0, 10),
      decisionReference: 'CA-PARIS-2026-8',
    },
    'post /v1/orders/{id}/revoke': { reason: 'appel', decisionReference: 'CA-PARIS-2026-1' },
    'post /v1/orders/{id}/relief': { decidedOn: new Date().toISOString().slice(0, 10), decisionReference: 'TJ-RELEVEMENT-2026-1' },
    'post /v1/directives/{id}/ack': { outcome: 'enforced', note: 'suspendu' },
    'post /v1/signup-checks': {
      signals: [
        { type: 'email', value: 'a@b.fr' },
        { type: 'phone', value: '0612345678', country: 'FR' },
      ],
    },
    'post /v1/signup-checks/batch': {
      checks: [{ ref: 'r1', signals: [{ type: 'name_dob', value: { givenName: 'Jean', familyName: 'Dupont', birthDate: '1990-01-31' } }] }],
    },
    // A valid ristretto255 element: RFC 9497 A.1.2's public key.
    'post /v1/private/evaluations': { keyId: oprfKeyId(), blindedElements: [RFC_ELEMENT] },
    'post /v1/private/matches': { keyId: oprfKeyId(), elements: [RFC_ELEMENT] },
    'post /v1/signup-matches/{matchId}/review': { outcome: 'not_same_person' },
    'put /v1/session/attempt-mails': { enabled: true },
  };
}

const RFC_ELEMENT = 'c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e';
const oprfKeyId = () => loadConfig().signals.oprfKeys[0]!.keyId;

/** Every string leaf of a JSON value, by path (`a.b[0].c`) and a setter. */
function stringLeaves(value: unknown, path = ''): { path: string; set: (root: any, v: string) => void }[] {
  if (typeof value === 'string') return [{ path, set: () => undefined }];
  const out: { path: string; set: (root: any, v: string) => void }[] = [];
  const walk = (node: unknown, trail: (string | number)[]) => {
    if (typeof node === 'string') {
      out.push({
        path: trail.map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`)).join(''),
        set: (root, v) => {
          let target = root;
          for (const t of trail.slice(0, -1)) target = target[t];
          target[trail[trail.length - 1]!] = v;
        },
      });
    } else if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...trail, i]));
    else if (node && typeof node === 'object') for (const [k, n] of Object.entries(node)) walk(n, [...trail, k]);
  };
  walk(value, path ? [path] : []);
  return out;
}

/** Every z.string() inside a schema, with the path that leads to it. */
function stringNodes(schema: z.ZodType, path = '(root)'): { path: string; node: z.ZodType }[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case 'string':
      return [{ path, node: schema }];
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, s]) => stringNodes(s, `${path}.${k}`));
    case 'array':
      return stringNodes(def.element, `${path}[]`);
    case 'union':
      return (def.options as z.ZodType[]).flatMap((o, i) => stringNodes(o, `${path}|${i}`));
    case 'intersection':
      return [...stringNodes(def.left, path), ...stringNodes(def.right, path)];
    case 'tuple':
      return [
        ...(def.items as z.ZodType[]).flatMap((s, i) => stringNodes(s, `${path}[${i}]`)),
        ...(def.rest ? stringNodes(def.rest, `${path}[]`) : []),
      ];
    case 'record':
      return [...stringNodes(def.keyType, `${path}{key}`), ...stringNodes(def.valueType, `${path}{}`)];
    case 'lazy':
      return stringNodes(def.getter(), path);
    case 'catch':
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return stringNodes(def.innerType, path);
    case 'pipe':
      return [...stringNodes(def.in, path), ...stringNodes(def.out, path)];
    default:
      return [];
  }
}

describe('hardening: text the database cannot hold, ambiguous bodies, echoes, limits', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let auditor: CreatedClient;
  let platformClient: CreatedClient;
  let platform: string;
  let orderId: string;
  let admin: CreatedClient;
  let pushPlatform: string;
  const keyFor = (method: string, path: string) =>
    path.startsWith('/v1/admin')
      ? admin.apiKey
      : path.startsWith('/v1/directives') ||
          path.startsWith('/v1/signup-checks') ||
          path.startsWith('/v1/private') ||
          path.startsWith('/v1/signup-matches') ||
          path.endsWith('/linked-accounts')
        ? platformClient.apiKey
        : path.startsWith('/v1/audit') && method === 'get'
          ? auditor.apiKey
          : authority.apiKey;
  const urlOf = (path: string) =>
    path
      .replace('{id}', path.startsWith('/v1/admin/platforms') ? pushPlatform : path.startsWith('/v1/admin/clients') ? admin.id : orderId)
      .replace('{reportId}', UUID)
      .replace('{matchId}', UUID);
  const send = (method: string, path: string, body: unknown): Promise<TestResponse> =>
    t.request({
      method: method.toUpperCase() as RequestOptions['method'],
      url: urlOf(path),
      key: keyFor(method, path),
      body,
      headers: path === '/v1/orders' ? { 'idempotency-key': idempotencyKey() } : {},
    });

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform('hard');
    authority = await t.client('authority');
    auditor = await t.client('auditor');
    platformClient = await t.client('platform', platform);
    admin = await t.client('admin');
    pushPlatform = await t.platform('hardpush', {
      webhookUrl: 'https://hooks.example/o',
      webhookSecret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    });
    const created = await send('post', '/v1/orders', orderBody(platform));
    expect(created.status).toBe(201);
    orderId = created.body.id;
  });
  afterAll(() => t.close());

  describe('every string of every request schema is clean text', () => {
    it('has a valid example body for every route that takes one, and each example is accepted', async () => {
      const withBody = ROUTES.filter((r) => r.body).map((r) => `${r.method} ${r.path}`);
      expect(Object.keys(examples(platform)).sort()).toEqual(withBody.sort());
      for (const [route, body] of Object.entries(examples(platform, admin.organisation))) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await send(method, path.replace('/v1/directives/{id}', `/v1/directives/${UUID}`), body);
        // Valid: past the schema (the directive, the person `{id}`, do not exist, hence their 404).
        expect([
          route,
          res.status < 400 ||
            [
              'DIRECTIVE.NOT_FOUND',
              'PERSON.NOT_FOUND',
              'LINKED_ACCOUNT.NOT_FOUND',
              'SIGNUP_MATCH.NOT_FOUND',
              // Revoked just before: the relèvement is refused on the order's state, past its schema.
              'ORDER.NOT_RELIEVABLE',
              // A person's own setting: an API key is refused, past the schema.
              'PERSON.SESSION_REQUIRED',
            ].includes(res.body.code),
        ]).toEqual([route, true]);
      }
    });

    it('builds every request string (body and query) on the shared text type, or on a format that excludes such text', () => {
      const unguarded: string[] = [];
      for (const route of ROUTES) {
        for (const [where, schema] of [
          ['body', route.body],
          ['query', route.query],
        ] as const) {
          if (!schema) continue;
          for (const { path, node } of stringNodes(schema)) {
            const checks = ((node as unknown as { _zod: { def: { checks?: { _zod: { def: Record<string, unknown> } }[] } } })._zod.def
              .checks ?? []) as { _zod: { def: Record<string, unknown> } }[];
            // A format that cannot hold such text: a uuid, an ISO date, a URL, an e-mail (zod's pattern is
            // printable ASCII, anchored), or a pattern anchored at both ends whose characters are all printable.
            const excludes = (format: unknown, pattern?: RegExp) =>
              ['uuid', 'date', 'datetime', 'url', 'email'].includes(String(format)) ||
              (format === 'regex' &&
                !!pattern &&
                pattern.source.startsWith('^') &&
                pattern.source.endsWith('$') &&
                !/\\[sSdDwW]|\\x0|\\u00[01]/.test(pattern.source));
            const guarded = checks.some(
              (c) =>
                c._zod.def.fn === isCleanText ||
                (c._zod.def.check === 'string_format' && excludes(c._zod.def.format, c._zod.def.pattern as RegExp)),
            );
            const formatted = excludes((node as unknown as { _zod: { def: { format?: string } } })._zod.def.format);
            if (!guarded && !formatted) unguarded.push(`${route.method} ${route.path} ${where} ${path}`);
          }
        }
      }
      expect(unguarded).toEqual([]);
    });

    it.each(Object.entries(BAD_TEXT))(
      'refuses %s in each string of each body with a 400 naming its path, and stores nothing',
      async (_name, bad) => {
        const orders = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM ban_orders`))[0].n);
        const before = await orders();
        for (const [route, example] of Object.entries(examples(platform))) {
          const [method, path] = route.split(' ') as [string, string];
          for (const leaf of stringLeaves(example)) {
            const body = structuredClone(example) as any;
            leaf.set(body, bad);
            const res = await send(method, path.replace('{id}', path.startsWith('/v1/directives') ? UUID : '{id}'), body);
            const paths: string[] = (res.body?.errors ?? []).map((e: { path: string }) => e.path);
            expect({
              route,
              leaf: leaf.path,
              status: res.status,
              named: paths.some((p) => leaf.path === p || leaf.path.startsWith(p)),
            }).toEqual({
              route,
              leaf: leaf.path,
              status: 400,
              named: true,
            });
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.text).not.toContain('Trib');
          }
        }
        expect(await orders()).toBe(before);
      },
    );

    it('never answers 500 whatever text lands in whatever field: a property over random text and positions', async () => {
      const example = examples(platform)['post /v1/orders'];
      const leaves = stringLeaves(example);
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(
          ...Object.values(BAD_TEXT),
          'x'.repeat(10_000),
          'Tribunal de Paris – Париж – 巴黎 – باريس',
          '\u202b\u0645\u062d\u0643\u0645\u0629',
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: leaves.length - 1 }), text, async (i, value) => {
          const body = structuredClone(example) as any;
          leaves[i]!.set(body, value);
          const res = await send('post', '/v1/orders', body);
          expect(res.status).not.toBe(500);
          expect(res.status === 201 || (res.status >= 400 && res.status < 500)).toBe(true);
          if (!isCleanText(value)) expect(res.status).toBe(400);
        }),
        { numRuns: 150 },
      );
    });

    it('accepts mixed scripts and text at its maximum length, which are legitimate', async () => {
      const res = await send('post', '/v1/orders', {
        ...orderBody(platform),
        court: 'Tribunal de Paris – Париж – 巴黎 – محكمة'.padEnd(200, '.'),
      });
      expect(res.status).toBe(201);
      const long = await send('post', '/v1/orders', { ...orderBody(platform), court: 'x'.repeat(10_000) });
      expect([long.status, long.body.errors[0].path]).toEqual([400, 'court']);
    });

    it.each([
      ['/v1/orders?courtReference=%00', 400],
      ['/v1/orders?courtReference=a%E2%80%AEb', 400],
      ['/v1/orders?after=%00', 400],
      ['/v1/orders?status=%00', 400],
      ['/v1/directives?after=%00', 400],
      ['/v1/audit/events?after=%00', 400],
      ['/v1/audit/events?from=%00', 400],
      // Refused before any handler (apps/api/src/http/path-params.ts).
      ['/v1/orders/%00', 400],
      // Not UTF-8 at all: decoded as U+FFFD, which is text like any other (no match, no 500).
      ['/v1/orders?courtReference=%ED%A0%80', 200],
    ])('answers GET %s with %s, never a 500', async (url, status) => {
      const res = await t.request({ method: 'GET', url, key: keyFor('get', url.split('?')[0]!) });
      expect(res.status).toBe(status);
      if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('bodies a parser could choke on', () => {
    it.each([
      ['/v1/orders', 400],
      [`/v1/orders/${UUID}/revoke`, 400],
      [`/v1/directives/${UUID}/ack`, 400],
      // JSON.parse alone there (iterative): parsed, then refused for want of a key.
      ['/v1/signup-checks', 401],
    ])('answers a body nested 20,000 levels deep on %s with %s, without a key, and keeps serving', async (url, status) => {
      const deep = '{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}';
      const res = await t.request({ method: 'POST', url, rawBody: deep });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await t.request({ method: 'GET', url: '/health/live' })).status).toBe(200);
    });

    it('refuses bytes that are not UTF-8 rather than storing replacement characters', async () => {
      const body = Buffer.from(JSON.stringify({ reason: 'appel', decisionReference: 'CA-1' }).replace('appel', 'app\u00e9l'), 'latin1');
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/orders/${orderId}/revoke`,
        headers: { authorization: `Bearer ${authority.apiKey}`, 'content-type': 'application/json' },
        payload: body,
      });
      expect([res.statusCode, res.json().code]).toEqual([400, 'REQUEST.MALFORMED_JSON']);
    });

    it('never repeats a key that is not shaped like a field name', async () => {
      const unknown = await t.request({
        method: 'POST',
        url: `/v1/orders/${orderId}/revoke`,
        key: authority.apiKey,
        rawBody: '{"reason":"appel","decisionReference":"CA-1","jean.dupont@example.fr":1,"<b>x</b>":2}',
      });
      expect([unknown.status, unknown.body.errors.map((e: { path: string }) => e.path)]).toEqual([
        400,
        ['(a key not shown)', '(a key not shown)'],
      ]);
      expect(unknown.text).not.toMatch(/dupont|<b>/);
      const repeated = await t.request({
        method: 'POST',
        url: `/v1/orders/${orderId}/revoke`,
        key: authority.apiKey,
        rawBody: '{"x@y.fr":1,"x@y.fr":2}',
      });
      expect([repeated.status, repeated.body.code]).toEqual([400, 'REQUEST.DUPLICATE_KEY']);
      expect(repeated.text).not.toContain('x@y.fr');
      const query = await t.request({ method: 'GET', url: '/v1/orders?jean.dupont%40example.fr=1', key: authority.apiKey });
      expect(query.status).toBe(400);
      expect(query.text).not.toContain('dupont');
    });
  });

  describe('ambiguous and mislabelled bodies', () => {
    const raw = (url: string, rawBody: string, headers: Record<string, string> = {}) =>
      t.request({ method: 'POST', url, key: authority.apiKey, rawBody, headers: { 'idempotency-key': idempotencyKey(), ...headers } });

    it('refuses a key given twice in an order, at any depth, naming it', async () => {
      const body = JSON.stringify(orderBody(platform));
      const twice = body.replace('"legalBasis":"conviction"', '"legalBasis":"bogus","legalBasis":"conviction"');
      const res = await raw('/v1/orders', twice);
      expect([res.status, res.body.code, res.body.errors]).toEqual([
        400,
        'REQUEST.DUPLICATE_KEY',
        [{ path: 'legalBasis', message: 'key given more than once' }],
      ]);
      const nested = await raw('/v1/orders', body.replace('{"type":"email",', '{"type":"phone","type":"email",'));
      expect([nested.status, nested.body.errors[0].path]).toEqual([400, 'subject.signals[0].type']);
    });

    it('refuses a key given twice in a revocation, and revokes nothing', async () => {
      const order = (await send('post', '/v1/orders', orderBody(platform))).body.id;
      const res = await raw(`/v1/orders/${order}/revoke`, '{"reason":"appel","reason":"erreur","decisionReference":"CA-1"}');
      expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([400, 'REQUEST.DUPLICATE_KEY', 'reason']);
      expect((await t.request({ method: 'GET', url: `/v1/orders/${order}`, key: authority.apiKey })).body.status).toBe('active');
    });

    it.each(['iso-8859-1', 'latin1', 'utf-16', 'windows-1252'])('refuses charset=%s with 415', async (charset) => {
      const res = await raw('/v1/orders', JSON.stringify(orderBody(platform)), { 'content-type': `application/json; charset=${charset}` });
      expect([res.status, res.body.code]).toEqual([415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE']);
    });

    it.each(['utf-8', 'UTF-8', '"utf-8"', 'utf8'])('accepts charset=%s', async (charset) => {
      const res = await raw('/v1/orders', JSON.stringify(orderBody(platform)), { 'content-type': `application/json;charset=${charset}` });
      expect(res.status).toBe(201);
    });
  });

  describe('errors echo nothing of the request', () => {
    it('does not repeat a path parameter in a 404', async () => {
      const res = await t.request({ method: 'GET', url: '/v1/orders/%3Cscript%3Ealert(1)%3C%2Fscript%3E', key: authority.apiKey });
      expect([res.status, res.body.code]).toEqual([404, 'ORDER.NOT_FOUND']);
      expect(res.text).not.toMatch(/script|alert/);
      const directive = await t.request({
        method: 'POST',
        url: `/v1/directives/${UUID}/ack`,
        key: platformClient.apiKey,
        body: { outcome: 'enforced' },
      });
      expect([directive.status, directive.text.includes(UUID)]).toEqual([404, false]);
    });

    it.each([
      ['an over-long path segment', `/v1/orders/${'0'.repeat(150)}`, 414, 'REQUEST.URI_TOO_LONG'],
      ['a malformed percent-encoding', '/v1/orders/%E0%A4%A', 400, 'REQUEST.BAD_URL'],
      ['an unknown route', '/v1/%3Cscript%3E', 404, 'ROUTE.NOT_FOUND'],
    ])('answers %s as problem+json with a traceId, before authentication', async (_name, url, status, code) => {
      const res = await t.request({ method: 'GET', url });
      expect([res.status, res.body?.code]).toEqual([status, code]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.traceId).toBe(res.headers['x-request-id']);
      expect(res.text).not.toMatch(/0000000000|script|%E0/);
    });
  });
});

describe('hardening: failed authentications are limited per source address', () => {
  let t: TestApp;
  let platformKey: string;
  let authorityKey: string;
  const address = () => `198.51.100.${randomInt(1, 255)}-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const base = loadConfig();
    t = await startTestApp({ config: { ...base, authFailures: { ratePerMinute: 6, burst: 20 } } });
    const platform = await t.platform('flood');
    platformKey = (await t.client('platform', platform)).apiKey;
    authorityKey = (await t.client('authority')).apiKey;
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the allowance, reads PostgreSQL for none of the flood beyond it, and keeps a valid key working', async () => {
    const from = address();
    const lookups = jest.spyOn(t.app.get(ApiKeyIndex), 'lookup');
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/signup-checks',
        key: generateApiKey(),
        body: { signals: [{ type: 'email', value: 'a@b.fr' }] },
        remoteAddress: from,
      });
      statuses.push(res.status);
      if (i % 50 === 0) {
        // The same address's valid key is never held back.
        const valid = await t.request({ method: 'GET', url: '/v1/orders?limit=1', key: authorityKey, remoteAddress: from });
        expect(valid.status).toBe(200);
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(280);
    // Only the allowance reached the database: each 401 once, no 429 at all.
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(20);
    lookups.mockRestore();

    const limited = await t.request({ method: 'GET', url: '/v1/orders', remoteAddress: from });
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMIT.EXCEEDED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const check = await t.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: platformKey,
      body: { signals: [{ type: 'email', value: 'a@b.fr' }] },
      remoteAddress: from,
    });
    expect([check.status, check.body.decision]).toEqual([200, 'allow']);
    // Another address is not held back by this one.
    expect((await t.request({ method: 'GET', url: '/v1/orders', remoteAddress: address() })).status).toBe(401);
  });

  it('counts an IPv6 source by its /64, so a subscriber cannot spread a flood over its own prefix', async () => {
    const prefix = `2001:db8:${randomInt(1, 0xffff).toString(16)}:${randomInt(1, 0xffff).toString(16)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await t.request({
        method: 'GET',
        url: '/v1/orders',
        key: generateApiKey(),
        remoteAddress: `${prefix}::${(i + 1).toString(16)}`,
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it('counts the client behind a trusted proxy, whatever it writes itself into X-Forwarded-For', async () => {
    const base = loadConfig();
    const proxied = await startTestApp({
      config: { ...base, http: { ...base.http, trustProxy: '10.0.0.1' }, authFailures: { ratePerMinute: 6, burst: 20 } },
    });
    try {
      const client = `192.0.2.${randomInt(1, 255)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await proxied.request({
          method: 'GET',
          url: '/v1/orders',
          key: generateApiKey(),
          remoteAddress: '10.0.0.1', // the proxy
          headers: { 'x-forwarded-for': `198.18.${i}.${randomInt(1, 255)}, ${client}` }, // a spoofed entry, then what the proxy saw
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      // Another client through the same proxy has an allowance of its own: the proxy's is not shared.
      const other = await proxied.request({
        method: 'GET',
        url: '/v1/orders',
        key: generateApiKey(),
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': `198.51.100.${randomInt(1, 255)}` },
      });
      expect(other.status).toBe(401);
    } finally {
      await proxied.close();
    }
  });

  it('shares the allowance between API processes through Redis', async () => {
    const base = loadConfig();
    const other = await startTestApp({ config: { ...base, authFailures: { ratePerMinute: 6, burst: 20 } } });
    try {
      const from = address();
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const api = i % 2 === 0 ? t : other;
        statuses.push((await api.request({ method: 'GET', url: '/v1/orders', key: generateApiKey(), remoteAddress: from })).status);
      }
      expect(statuses.filter((s) => s === 401)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    } finally {
      await other.close();
    }
  });
});

describe('hardening: a request must arrive whole, in time', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    const base = loadConfig();
    t = await startTestApp({
      config: { ...base, http: { ...base.http, requestTimeoutMs: 2000, headersTimeoutMs: 1000, keepAliveTimeoutMs: 500 } },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => t.close());

  /** Opens a socket, sends `head`, then one byte of body every `everyMs`; resolves with what came back and when the server closed. */
  async function trickle(head: string, everyMs: number): Promise<{ received: string; closedAfterMs: number }> {
    const socket: Socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const started = Date.now();
    let received = '';
    socket.on('data', (d) => (received += d));
    socket.on('error', () => undefined);
    socket.write(head);
    const timer = setInterval(() => socket.writable && socket.write('x'), everyMs);
    const deadline = setTimeout(() => socket.destroy(), 15_000);
    await once(socket, 'close');
    clearInterval(timer);
    clearTimeout(deadline);
    return { received, closedAfterMs: Date.now() - started };
  }

  it('cuts off bodies trickled a byte at a time, many at once, with a 408 problem', async () => {
    const head = 'POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const results = await Promise.all(Array.from({ length: 50 }, () => trickle(head, 300)));
    for (const { received, closedAfterMs } of results) {
      // The bound (2 s) plus Node's check interval (1 s), with room for a loaded machine.
      expect(closedAfterMs).toBeLessThan(6000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(received).toContain('application/problem+json');
      expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 408, code: 'REQUEST.TIMEOUT' });
    }
  });

  it('cuts off headers that never end', async () => {
    const { closedAfterMs } = await trickle('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ', 200);
    expect(closedAfterMs).toBeLessThan(5000);
  });

  it('closes an idle kept-alive connection', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (d) => (received += d));
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const started = Date.now();
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('answers a malformed request line as problem+json', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (d) => (received += d));
    socket.write('GARBAGE\r\n\r\n');
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toContain('REQUEST.MALFORMED');
  });
});
