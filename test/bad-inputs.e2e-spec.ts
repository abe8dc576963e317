import type { CreatedClient } from '@ostracon/auth';
import { daysFrom, idempotencyKey, isoDate, orderBody } from './support/builders';
import { type RequestOptions, startTestApp, type TestApp } from './support/test-app';

interface Case {
  name: string;
  /** Built once the platform and clients exist. */
  request: (ctx: { platform: string; key: string; orderId: string }) => RequestOptions;
  status: number;
  code: string;
  /** A path that must be named in `errors`, if any. */
  path?: string;
  /** A raw value that must not come back in the answer. */
  secret?: string;
}

const now = new Date();
const order = (platform: string, change: (b: any) => void = () => {}) => {
  const body: any = orderBody(platform, now);
  change(body);
  return body;
};
const post = (key: string, body: unknown, extra: Partial<RequestOptions> = {}): RequestOptions => ({
  method: 'POST',
  url: '/v1/orders',
  key,
  body,
  headers: { 'idempotency-key': idempotencyKey(), ...(extra.headers ?? {}) },
  ...(extra.rawBody !== undefined ? { rawBody: extra.rawBody } : {}),
});
const withSignal = (platform: string, signal: unknown) => order(platform, (b) => (b.subject.signals = [signal]));

const cases: Case[] = [
  {
    name: 'malformed JSON',
    request: ({ key }) => post(key, undefined, { rawBody: '{"courtReference": ' }),
    status: 400,
    code: 'REQUEST.MALFORMED_JSON',
  },
  { name: 'empty JSON body', request: ({ key }) => post(key, undefined, { rawBody: '' }), status: 400, code: 'REQUEST.EMPTY_BODY' },
  {
    name: 'a __proto__ key',
    request: ({ key }) => post(key, undefined, { rawBody: '{"__proto__": {"admin": true}}' }),
    status: 400,
    code: 'REQUEST.MALFORMED_JSON',
  },
  {
    name: 'text/plain body',
    request: ({ key }) => ({
      ...post(key, undefined, { rawBody: 'hello' }),
      headers: { 'idempotency-key': 'k1', 'content-type': 'text/plain' },
    }),
    status: 415,
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body over the size limit',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.court = 'x'.repeat(1_100_000))),
      ),
    status: 413,
    code: 'REQUEST.TOO_LARGE',
  },
  { name: 'a JSON array body', request: ({ key }) => post(key, []), status: 400, code: 'VALIDATION.FAILED' },
  { name: 'a JSON string body', request: ({ key }) => post(key, 'order'), status: 400, code: 'VALIDATION.FAILED' },
  {
    name: 'an unknown top-level field',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.priority = 'high')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'priority',
  },
  {
    name: 'an unknown nested field',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.subject.nickname = 'x')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'subject.nickname',
  },
  {
    name: 'null for a required field',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.court = null)),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'court',
  },
  {
    name: 'a missing required field',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => delete b.legalBasis),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'legalBasis',
  },
  {
    name: 'courtReference of the wrong type',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.courtReference = 42)),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'courtReference',
  },
  {
    name: 'courtReference too long',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.courtReference = 'A'.repeat(101))),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'courtReference',
  },
  {
    name: 'courtReference with markup',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.courtReference = '<script>')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'courtReference',
  },
  {
    name: 'decisionDate not a calendar date',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.decisionDate = '2026-02-30')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'decisionDate',
  },
  {
    name: 'decisionDate in French format',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.decisionDate = '20/11/2026')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'decisionDate',
  },
  {
    name: 'decisionDate in the future',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.decisionDate = isoDate(daysFrom(now, 3)))),
      ),
    status: 422,
    code: 'ORDER.DECISION_IN_FUTURE',
    path: 'decisionDate',
  },
  {
    name: 'decisionDate before the law',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.decisionDate = '2023-01-10')),
      ),
    status: 422,
    code: 'ORDER.DECISION_BEFORE_LAW',
  },
  {
    name: 'startsAt without a time zone',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.startsAt = '2026-12-01T00:00:00')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'startsAt',
  },
  {
    name: 'startsAt before the decision',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.startsAt = daysFrom(now, -10).toISOString())),
      ),
    status: 422,
    code: 'ORDER.START_BEFORE_DECISION',
  },
  {
    name: 'both durationDays and endsAt',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.endsAt = daysFrom(now, 30).toISOString())),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'neither durationDays nor endsAt',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => delete b.durationDays),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
  },
  {
    name: 'both duration and durationDays',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.duration = { months: 6 })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'both duration and endsAt',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) =>
          Object.assign(b, { durationDays: undefined, duration: { months: 1 }, endsAt: daysFrom(now, 30).toISOString() }),
        ),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'a negative number of months',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: -1, days: 40 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration.months',
  },
  {
    name: 'a negative number of days',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 2, days: -1 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration.days',
  },
  {
    name: 'a duration of zero',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 0, days: 0 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'an empty duration',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: {} })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'a fractional month',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 1.5 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration.months',
  },
  {
    name: 'weeks, which the law does not count in',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { weeks: 2 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration',
  },
  {
    name: 'more months than any ban may last',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 13 } })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'duration.months',
  },
  {
    name: '7 months for a first conviction',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 7 } })),
      ),
    status: 422,
    code: 'ORDER.DURATION_EXCEEDED',
    path: 'duration',
  },
  {
    name: '6 months and a day for a first conviction',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: undefined, duration: { months: 6, days: 1 } })),
      ),
    status: 422,
    code: 'ORDER.DURATION_EXCEEDED',
    path: 'duration',
  },
  {
    name: '12 months under probation, repeat offender or not',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) =>
          Object.assign(b, { durationDays: undefined, duration: { months: 12 }, legalBasis: 'probation', repeatOffender: true }),
        ),
      ),
    status: 422,
    code: 'ORDER.DURATION_EXCEEDED',
    path: 'duration',
  },
  {
    name: 'durationDays zero',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.durationDays = 0)),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'durationDays',
  },
  {
    name: 'durationDays fractional',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.durationDays = 1.5)),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'durationDays',
  },
  {
    name: 'durationDays as a string',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.durationDays = '30')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'durationDays',
  },
  {
    name: '200 days for a first offence',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.durationDays = 200)),
      ),
    status: 422,
    code: 'ORDER.DURATION_EXCEEDED',
    path: 'durationDays',
  },
  {
    name: '300 days under contrôle judiciaire, repeat offender or not',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => Object.assign(b, { durationDays: 300, legalBasis: 'pretrial_supervision', repeatOffender: true })),
      ),
    status: 422,
    code: 'ORDER.DURATION_EXCEEDED',
  },
  {
    name: 'an unknown legal basis',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.legalBasis = 'administrative')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'legalBasis',
  },
  {
    name: 'an unknown offence',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.offence = 'jaywalking')),
      ),
    status: 422,
    code: 'ORDER.UNKNOWN_OFFENCE',
    path: 'offence',
  },
  {
    name: 'repeatOffender as a string',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.repeatOffender = 'yes')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'repeatOffender',
  },
  {
    name: 'no signals',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.subject.signals = [])),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'subject.signals',
  },
  {
    name: 'too many signals',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.subject.signals = Array.from({ length: 51 }, (_, i) => ({ type: 'email', value: `p${i}@example.fr` })))),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'subject.signals',
  },
  {
    name: 'an unknown signal type',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'ssn', value: '1 90 01 75 123 456' })),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'subject.signals[0].type',
    secret: '1 90 01 75 123 456',
  },
  {
    name: 'an invalid email',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'email', value: 'harceleur-at-example.fr' })),
    status: 422,
    code: 'SIGNAL.INVALID',
    path: 'subject.signals[0]',
    secret: 'harceleur-at-example.fr',
  },
  {
    name: 'an invalid phone',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'phone', value: '06 12', country: 'FR' })),
    status: 422,
    code: 'SIGNAL.INVALID',
    path: 'subject.signals[0]',
    secret: '06 12',
  },
  {
    name: 'a phone with an unknown country',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'phone', value: '0612345678', country: 'ZZ' })),
    status: 422,
    code: 'SIGNAL.INVALID',
    path: 'subject.signals[0]',
  },
  {
    name: 'a birth date in the future',
    request: ({ key, platform }) =>
      post(
        key,
        withSignal(platform, { type: 'name_dob', value: { givenName: 'Zoé', familyName: 'Futur', birthDate: isoDate(daysFrom(now, 40)) } }),
      ),
    status: 422,
    code: 'SIGNAL.INVALID',
    secret: 'Futur',
  },
  {
    name: 'a birth date that does not exist',
    request: ({ key, platform }) =>
      post(key, withSignal(platform, { type: 'name_dob', value: { givenName: 'Zoé', familyName: 'Février', birthDate: '1990-02-30' } })),
    status: 422,
    code: 'SIGNAL.INVALID',
    secret: 'Février',
  },
  {
    name: 'a signal with both value and hash',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'email', value: 'a@b.fr', hash: 'a'.repeat(64) })),
    status: 422,
    code: 'SIGNAL.INVALID',
  },
  {
    name: 'a malformed prehash',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'email', hash: 'z'.repeat(64) })),
    status: 422,
    code: 'SIGNAL.INVALID',
  },
  {
    name: 'only the bad signal is named among good ones',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => b.subject.signals.push({ type: 'email', value: 'broken@@example.fr' })),
      ),
    status: 422,
    code: 'SIGNAL.INVALID',
    path: 'subject.signals[3]',
    secret: 'broken@@example.fr',
  },
  {
    name: 'a device of a platform the order does not name',
    request: ({ key, platform }) => post(key, withSignal(platform, { type: 'device', value: 'dev-1', platform: 'other-platform' })),
    status: 422,
    code: 'ORDER.DEVICE_PLATFORM_NOT_NAMED',
  },
  {
    name: 'no platforms',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms = [])),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms',
  },
  {
    name: 'an unknown platform',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms[0].platform = 'myspace')),
      ),
    status: 422,
    code: 'ORDER.UNKNOWN_PLATFORM',
    path: 'platforms[0].platform',
  },
  {
    name: 'a malformed platform id',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms[0].platform = 'TikTok!')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms[0].platform',
  },
  {
    name: 'a platform without accounts',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms[0].accounts = [])),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms[0].accounts',
  },
  {
    name: 'the same platform twice',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => b.platforms.push(b.platforms[0])),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms',
  },
  {
    name: 'the same account twice',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => b.platforms[0].accounts.push({ accountId: b.platforms[0].accounts[0].accountId })),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms[0].accounts',
  },
  {
    name: 'too many accounts',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms[0].accounts = Array.from({ length: 101 }, (_, i) => ({ accountId: `a${i}` })))),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms[0].accounts',
  },
  {
    name: 'an empty accountId',
    request: ({ key, platform }) =>
      post(
        key,
        order(platform, (b) => (b.platforms[0].accounts[0].accountId = '  ')),
      ),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'platforms[0].accounts[0].accountId',
  },
  {
    name: 'an Idempotency-Key too long',
    request: ({ key, platform }) => ({ ...post(key, order(platform)), headers: { 'idempotency-key': 'k'.repeat(300) } }),
    status: 400,
    code: 'IDEMPOTENCY.KEY_REQUIRED',
  },
  {
    name: 'no Authorization header',
    request: ({ platform }) => ({ ...post('', order(platform)), key: undefined }),
    status: 401,
    code: 'AUTH.UNAUTHENTICATED',
  },
  {
    name: 'a Basic Authorization header',
    request: ({ platform }) => ({
      ...post('', order(platform)),
      key: undefined,
      headers: { 'idempotency-key': 'k', authorization: 'Basic dXNlcjpwYXNz' },
    }),
    status: 401,
    code: 'AUTH.UNAUTHENTICATED',
  },
  {
    name: 'list: limit 0',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders?limit=0', key }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'limit',
  },
  {
    name: 'list: limit over 500',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders?limit=501', key }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'limit',
  },
  {
    name: 'list: an unknown status',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders?status=paused', key }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'status',
  },
  {
    name: 'list: an unknown query parameter',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders?sort=asc', key }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'sort',
  },
  {
    name: 'list: a repeated parameter',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders?status=active&status=revoked', key }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'status',
  },
  {
    name: 'read: an id that is not a uuid',
    request: ({ key }) => ({ method: 'GET', url: '/v1/orders/not-a-uuid', key }),
    status: 404,
    code: 'ORDER.NOT_FOUND',
  },
  {
    name: 'revoke: no reason',
    request: ({ key, orderId }) => ({ method: 'POST', url: `/v1/orders/${orderId}/revoke`, key, body: { decisionReference: 'X' } }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'reason',
  },
  {
    name: 'revoke: an unknown field',
    request: ({ key, orderId }) => ({
      method: 'POST',
      url: `/v1/orders/${orderId}/revoke`,
      key,
      body: { reason: 'r', decisionReference: 'X', lift: true },
    }),
    status: 400,
    code: 'VALIDATION.FAILED',
    path: 'lift',
  },
  { name: 'an unknown route', request: ({ key }) => ({ method: 'GET', url: '/v1/bans', key }), status: 404, code: 'ROUTE.NOT_FOUND' },
];

describe('bad inputs: a clear problem+json with a stable code, never a 500, nothing lost', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let platform: string;
  let orderId: string;

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform();
    authority = await t.client('authority');
    const created = await t.request(post(authority.apiKey, orderBody(platform)));
    expect(created.status).toBe(201);
    orderId = created.body.id;
  });
  afterAll(() => t.close());

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const request = c.request({ platform, key: authority.apiKey, orderId });
    const res = await t.request(request);
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: c.status, code: c.code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: c.status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    expect(res.body.traceId).toBe(res.headers['x-request-id']);
    if (c.path) expect(res.body.errors?.map((e: { path: string }) => e.path)).toContain(c.path);
    if (c.secret) expect(res.text).not.toContain(c.secret);
    // A refused order leaves nothing behind.
    const reference = (request.body as { courtReference?: unknown } | undefined)?.courtReference;
    if (typeof reference === 'string') {
      const rows = await t.dataSource.query('SELECT count(*) AS n FROM ban_orders WHERE court_reference = $1', [reference]);
      expect(Number(rows[0].n)).toBe(0);
    }
  });

  it('leaves the order it was given untouched', async () => {
    const res = await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: authority.apiKey });
    expect(res.body.status).toBe('active');
  });
});
