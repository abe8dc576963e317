import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { CreatedClient } from '@ostracon/auth';
import { ScreeningIndexService } from '@ostracon/screening';
import { daysFrom, orderBody } from './support/builders';
import { OffsetClock, waitFor } from './support/isolated';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/** Raw values of one made-up person, unique to the test that asks (the shared database holds many orders). */
function person() {
  const tag = randomBytes(4).toString('hex');
  const mobile = `61${String(randomInt(1_000_000, 9_999_999))}`; // a valid French mobile (06 1x), digits after the 0
  return {
    email: `Jean.Paul.${tag}+harcelement@GoogleMail.com`,
    emailNormalized: `jeanpaul${tag}@gmail.com`,
    phoneNational: `0${mobile.slice(0, 1)} ${mobile.slice(1, 3)} ${mobile.slice(3, 5)} ${mobile.slice(5, 7)} ${mobile.slice(7)}`,
    phoneE164: `+33${mobile}`,
    givenName: `Hélène-Zoë`,
    familyName: `Dürrenmatt ${tag}`,
    birthDate: '1988-02-29',
  };
}
type Person = ReturnType<typeof person>;

/** docs/signals.md's prehash, computed here independently of libs/identity. */
const prehash = (type: string, normalized: string) =>
  createHash('sha256').update(`ostracon:v1:${type}:${normalized}`, 'utf8').digest('hex');

function subject(p: Person) {
  return {
    signals: [
      { type: 'email', value: p.email },
      { type: 'phone', value: p.phoneNational, country: 'FR' },
      { type: 'name_dob', value: { givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate } },
    ],
  };
}

describe('sign-up checks', () => {
  let api: TestApp;
  let clock: OffsetClock;
  let authority: CreatedClient;
  let tiktok: string;
  let instagram: string;
  let tiktokKey: string;
  let instagramKey: string;

  beforeAll(async () => {
    clock = new OffsetClock();
    api = await startTestApp({ clock, logLevel: 'trace' });
    authority = await api.client('authority');
    tiktok = await api.platform('tiktok');
    instagram = await api.platform('insta');
    tiktokKey = (await api.client('platform', tiktok)).apiKey;
    instagramKey = (await api.client('platform', instagram)).apiKey;
  });
  afterAll(async () => {
    await api?.close();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  async function order(p: Person, platforms: string[], overrides: Record<string, unknown> = {}): Promise<{ id: string; endsAt: string }> {
    const body = {
      ...orderBody(platforms[0]!, clock.now(), overrides),
      subject: subject(p),
      platforms: platforms.map((platform) => ({ platform, accounts: [{ accountId: `acct-${randomBytes(3).toString('hex')}` }] })),
    };
    const res = await submitOrder(api, authority.apiKey, body);
    expect([res.status, res.body.errors ?? res.body.detail]).toEqual([201, undefined]);
    // NOTIFY reaches the index a moment after the commit (the freshness bound is tested below).
    await waitFor(() => api.app.get(ScreeningIndexService).current?.has(res.body.id), 'the order in the index', 10_000);
    return res.body;
  }

  const check = (key: string, signals: unknown[]) => api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals } });
  const decision = async (key: string, signals: unknown[]) => {
    const res = await check(key, signals);
    expect(res.status).toBe(200);
    return res.body.decision as string;
  };

  it('blocks on a strong signal, with a matchId and the ban end; reviews on a possible one; allows the rest', async () => {
    const p = person();
    const o = await order(p, [tiktok]);
    const blocked = await check(tiktokKey, [{ type: 'email', value: p.email }]);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ decision: 'block', matchId: expect.any(String), banEndsAt: o.endsAt });
    const phone = await check(tiktokKey, [{ type: 'phone', value: p.phoneE164 }]);
    expect(phone.body).toMatchObject({ decision: 'block', banEndsAt: o.endsAt });
    const review = await check(tiktokKey, [
      { type: 'name_dob', value: { givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate } },
    ]);
    expect(review.body).toEqual({ decision: 'review', matchId: expect.any(String), banEndsAt: o.endsAt });
    const other = person();
    const allowed = await check(tiktokKey, [
      { type: 'email', value: other.email },
      { type: 'phone', value: other.phoneNational },
    ]);
    expect(allowed.body).toEqual({ decision: 'allow' });
    // A strong and a possible match together: block.
    expect(
      await decision(tiktokKey, [
        { type: 'name_dob', value: { givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate } },
        { type: 'email', value: p.email },
      ]),
    ).toBe('block');
  });

  it('only matches orders that name the calling platform', async () => {
    const p = person();
    await order(p, [tiktok]);
    expect(await decision(instagramKey, [{ type: 'email', value: p.email }])).toBe('allow');
    expect(await decision(tiktokKey, [{ type: 'email', value: p.email }])).toBe('block');
    const both = person();
    await order(both, [tiktok, instagram]);
    expect(await decision(instagramKey, [{ type: 'email', value: both.email }])).toBe('block');
  });

  it('matches only inside [startsAt, endsAt), whether or not the lifecycle has run', async () => {
    const p = person();
    const now = clock.now();
    const startsAt = daysFrom(now, 2);
    const o = await order(p, [tiktok], { startsAt: startsAt.toISOString(), durationDays: 30 });
    const email = [{ type: 'email', value: p.email }];
    expect(await decision(tiktokKey, email)).toBe('allow'); // scheduled
    clock.offsetMs = startsAt.getTime() - now.getTime() - 1000;
    expect(await decision(tiktokKey, email)).toBe('allow'); // a second before the start
    clock.offsetMs = startsAt.getTime() - now.getTime() + 1000;
    expect(await decision(tiktokKey, email)).toBe('block'); // started; no worker has activated it
    clock.offsetMs = new Date(o.endsAt).getTime() - now.getTime() - 1000;
    expect(await decision(tiktokKey, email)).toBe('block');
    clock.offsetMs = new Date(o.endsAt).getTime() - now.getTime();
    expect(await decision(tiktokKey, email)).toBe('allow'); // the end is excluded
  });

  it('stops matching once the order is revoked', async () => {
    const p = person();
    const o = await order(p, [tiktok]);
    const email = [{ type: 'email', value: p.email }];
    expect(await decision(tiktokKey, email)).toBe('block');
    const revoked = await api.request({
      method: 'POST',
      url: `/v1/orders/${o.id}/revoke`,
      key: authority.apiKey,
      body: { reason: 'Appeal granted', decisionReference: 'CA-PARIS-2026-1' },
    });
    expect(revoked.status).toBe(200);
    await waitFor(async () => (await decision(tiktokKey, email)) === 'allow', 'the revoked order to stop matching', 10_000);
  });

  it('gives the same answer for raw and prehashed signals, and for every spelling of the same person', async () => {
    const p = person();
    await order(p, [tiktok]);
    const [given, family] = [p.givenName, p.familyName];
    const nameTokens = `${given} ${family}`
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z]+/g, ' ')
      .trim()
      .split(' ')
      .sort()
      .join(' ');
    const variants: [string, unknown[], string][] = [
      ['prehashed email', [{ type: 'email', hash: prehash('email', p.emailNormalized) }], 'block'],
      ['prehashed email, upper-case hex', [{ type: 'email', hash: prehash('email', p.emailNormalized).toUpperCase() }], 'block'],
      ['prehashed phone', [{ type: 'phone', hash: prehash('phone', p.phoneE164) }], 'block'],
      ['prehashed name_dob', [{ type: 'name_dob', hash: prehash('name_dob', `${nameTokens}|${p.birthDate.replace(/-/g, '')}`) }], 'review'],
      ['gmail without dots', [{ type: 'email', value: p.emailNormalized }], 'block'],
      [
        'gmail with other dots and a +tag',
        [{ type: 'email', value: p.emailNormalized.replace('@', '+x@').replace('jean', 'j.e.a.n') }],
        'block',
      ],
      [
        'googlemail, upper case, spaces',
        [{ type: 'email', value: `  ${p.emailNormalized.toUpperCase().replace('GMAIL', 'GoogleMail')}  ` }],
        'block',
      ],
      ['phone in E.164', [{ type: 'phone', value: p.phoneE164 }], 'block'],
      ['phone with +33 and spaces', [{ type: 'phone', value: `+33 ${p.phoneNational.slice(1)}` }], 'block'],
      ['phone national, default country', [{ type: 'phone', value: p.phoneNational.replace(/ /g, '.') }], 'block'],
      ['phone national, country FR', [{ type: 'phone', value: p.phoneNational, country: 'FR' }], 'block'],
      ['phone national read as Belgian', [{ type: 'phone', value: p.phoneNational, country: 'BE' }], 'allow'],
      ['names swapped', [{ type: 'name_dob', value: { givenName: family, familyName: given, birthDate: p.birthDate } }], 'review'],
      [
        'names without accents, upper case',
        [
          {
            type: 'name_dob',
            value: { givenName: 'HELENE ZOE', familyName: family.replace('ü', 'u').toUpperCase(), birthDate: p.birthDate },
          },
        ],
        'review',
      ],
      ['another birth date', [{ type: 'name_dob', value: { givenName: given, familyName: family, birthDate: '1988-03-01' } }], 'allow'],
    ];
    for (const [label, signals, expected] of variants) {
      const res = await check(tiktokKey, signals);
      expect({ label, status: res.status, decision: res.body.decision }).toEqual({ label, status: 200, decision: expected });
    }
  });

  it('lists invalid signals in ignored, by index and reason, and still checks the others', async () => {
    const p = person();
    await order(p, [tiktok]);
    const res = await check(tiktokKey, [
      { type: 'email', value: 'not-an-email' },
      { type: 'phone', value: '12' },
      { type: 'email', hash: 'abc' },
      { type: 'phone', value: p.phoneNational },
      { type: 'name_dob', value: { givenName: 'A', familyName: 'B', birthDate: '2199-01-01' } },
      { type: 'email' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decision: 'block',
      ignored: [
        { index: 0, reason: 'email_format' },
        { index: 1, reason: expect.stringMatching(/^phone_/) },
        { index: 2, reason: 'hash_format' },
        { index: 4, reason: 'birth_date_in_future' },
        { index: 5, reason: 'value_or_hash_required' },
      ],
    });
    expect(res.text).not.toContain('not-an-email');
    const none = await check(tiktokKey, [{ type: 'email', value: 'nobody' }]);
    expect(none.body).toEqual({ decision: 'allow', ignored: [{ index: 0, reason: 'email_format' }] });
  });

  it('answers a batch in order, with each ref', async () => {
    const [a, b] = [person(), person()];
    await order(a, [tiktok]);
    await order(b, [tiktok]);
    const res = await api.request({
      method: 'POST',
      url: '/v1/signup-checks/batch',
      key: tiktokKey,
      body: {
        checks: [
          { ref: 'u1', signals: [{ type: 'email', value: person().email }] },
          { ref: 'u2', signals: [{ type: 'email', value: a.email }] },
          { ref: 'u3', signals: [{ type: 'email', value: 'broken' }] },
          {
            ref: 'u4',
            signals: [{ type: 'name_dob', value: { givenName: b.givenName, familyName: b.familyName, birthDate: b.birthDate } }],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { ref: 'u1', decision: 'allow' },
      { ref: 'u2', decision: 'block', matchId: expect.any(String), banEndsAt: expect.any(String) },
      { ref: 'u3', decision: 'allow', ignored: [{ index: 0, reason: 'email_format' }] },
      { ref: 'u4', decision: 'review', matchId: expect.any(String), banEndsAt: expect.any(String) },
    ]);
    // A thousand checks is the most a batch takes.
    const full = Array.from({ length: 1000 }, (_, i) => ({
      ref: `r${i}`,
      signals: [{ type: 'email', hash: prehash('email', `n${i}@x.fr`) }],
    }));
    const ok = await api.request({ method: 'POST', url: '/v1/signup-checks/batch', key: tiktokKey, body: { checks: full } });
    expect(ok.status).toBe(200);
    expect(ok.body.results.map((r: { ref: string }) => r.ref)).toEqual(full.map((c) => c.ref));
  });

  const signal = { type: 'email', hash: prehash('email', 'x@y.fr') };
  it.each([
    ['no signals', { signals: [] }, 'signals'],
    ['21 signals', { signals: Array.from({ length: 21 }, () => signal) }, 'signals'],
    ['signals not a list', { signals: 'x@y.fr' }, 'signals'],
    ['an unknown field', { signals: [signal], extra: 1 }, 'extra'],
    ['an unknown field in a signal', { signals: [{ ...signal, platform: 'x' }] }, 'signals[0].platform'],
    ['an unknown signal type', { signals: [{ type: 'ip', value: '1.2.3.4' }] }, 'signals[0].type'],
    ['a signal that is not an object', { signals: ['x@y.fr'] }, 'signals[0]'],
    ['a value of the wrong kind', { signals: [{ type: 'email', value: 42 }] }, 'signals[0].value'],
    ['no body fields', {}, 'signals'],
  ])('refuses %s with 400 and the path, never the value', async (_label, body, path) => {
    const res = await api.request({ method: 'POST', url: '/v1/signup-checks', key: tiktokKey, body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION.FAILED', traceId: res.headers['x-request-id'] });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(res.text).not.toContain('x@y.fr');
    expect(res.text).not.toContain('1.2.3.4');
  });

  it.each([
    ['1,001 checks', { checks: Array.from({ length: 1001 }, (_, i) => ({ ref: `r${i}`, signals: [signal] })) }, 'checks'],
    ['no checks', { checks: [] }, 'checks'],
    ['a check without ref', { checks: [{ signals: [signal] }] }, 'checks[0].ref'],
    ['a check without signals', { checks: [{ ref: 'a' }] }, 'checks[0].signals'],
    ['signals at the top', { signals: [signal] }, 'checks'],
  ])('refuses a batch with %s', async (_label, body, path) => {
    const res = await api.request({ method: 'POST', url: '/v1/signup-checks/batch', key: tiktokKey, body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('refuses malformed JSON, a missing key, and any role but platform', async () => {
    const malformed = await api.request({ method: 'POST', url: '/v1/signup-checks', key: tiktokKey, rawBody: '{"signals": [' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'REQUEST.MALFORMED_JSON']);
    expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(malformed.body).toMatchObject({ type: '/docs/errors#REQUEST.MALFORMED_JSON', traceId: malformed.headers['x-request-id'] });
    const huge = await api.request({
      method: 'POST',
      url: '/v1/signup-checks/batch',
      key: tiktokKey,
      rawBody: `{"checks":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    });
    expect([huge.status, huge.body.code, huge.headers['content-type']]).toEqual([
      413,
      'REQUEST.TOO_LARGE',
      expect.stringMatching(/problem\+json/),
    ]);
    const wrongType = await api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: tiktokKey,
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([wrongType.status, wrongType.body.code]).toEqual([415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE']);
    for (const rawBody of [
      `{"signals":[${JSON.stringify(signal)}],"__proto__":{"polluted":true}}`,
      `{"signals":[{"type":"email","hash":"${signal.hash}","constructor":{"prototype":{}}}]}`,
    ]) {
      const res = await api.request({ method: 'POST', url: '/v1/signup-checks', key: tiktokKey, rawBody });
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION.FAILED']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const empty = await api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: tiktokKey,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect([empty.status, empty.body.code]).toEqual([400, 'REQUEST.EMPTY_BODY']);
    const anonymous = await api.request({ method: 'POST', url: '/v1/signup-checks', body: { signals: [signal] } });
    expect([anonymous.status, anonymous.body.code, anonymous.headers['www-authenticate']]).toEqual([401, 'AUTH.UNAUTHENTICATED', 'Bearer']);
    const wrongKey = await api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: `ost_${'a'.repeat(43)}`,
      body: { signals: [signal] },
    });
    expect(wrongKey.status).toBe(401);
    for (const role of ['authority', 'auditor', 'admin'] as const) {
      const { apiKey } = await api.client(role);
      const res = await api.request({
        method: 'POST',
        url: '/v1/signup-checks/batch',
        key: apiKey,
        body: { checks: [{ ref: 'a', signals: [signal] }] },
      });
      expect([role, res.status, res.body.code]).toEqual([role, 403, 'AUTH.FORBIDDEN']);
    }
  });

  it('audits each match with its order and platform (no raw value); the authority and auditors resolve the matchId', async () => {
    const p = person();
    const o = await order(p, [tiktok]);
    const res = await check(tiktokKey, [
      { type: 'email', value: p.email },
      { type: 'phone', value: p.phoneNational },
    ]);
    const { matchId } = res.body;
    const [event] = await api.dataSource.query(
      `SELECT type, actor, order_id, platform_id, data FROM audit_events WHERE type = 'signup.matched' AND data->>'matchId' = $1`,
      [matchId],
    );
    expect(event).toMatchObject({
      order_id: o.id,
      platform_id: tiktok,
      data: { matchId, decision: 'block', signalTypes: ['email', 'phone'] },
    });
    expect(JSON.stringify(event)).not.toMatch(new RegExp(`${p.emailNormalized}|${p.phoneE164.slice(1)}|Paul`, 'i'));

    const asAuthority = await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: authority.apiKey });
    expect(asAuthority.status).toBe(200);
    expect(asAuthority.body).toEqual({
      matchId,
      orderId: o.id,
      platform: tiktok,
      decision: 'block',
      signalTypes: ['email', 'phone'],
      matchedAt: expect.any(String),
      outcome: null,
      reviewedAt: null,
    });
    const auditor = await api.client('auditor');
    expect((await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: auditor.apiKey })).body.orderId).toBe(o.id);
    const otherAuthority = await api.client('authority');
    const hidden = await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: otherAuthority.apiKey });
    expect([hidden.status, hidden.body.code]).toEqual([404, 'SIGNUP_MATCH.NOT_FOUND']);
    expect((await api.request({ method: 'GET', url: `/v1/signup-matches/not-a-uuid`, key: authority.apiKey })).status).toBe(404);
    // Shaped like a uuid (36 of [0-9a-f-]) but not one: still 404, never a database error.
    expect((await api.request({ method: 'GET', url: `/v1/signup-matches/${'-'.repeat(36)}`, key: authority.apiKey })).status).toBe(404);
    expect((await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: tiktokKey })).status).toBe(403);
    const reads = await api.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE type = 'signup_match.read' AND data->>'matchId' = $1`,
      [matchId],
    );
    expect(reads[0].n).toBe(2);
  });

  it('counts every answer in the metrics by platform and decision', async () => {
    const p = person();
    await order(p, [instagram]);
    await decision(instagramKey, [{ type: 'email', value: p.email }]);
    await decision(instagramKey, [{ type: 'email', value: person().email }]);
    const metrics = await api.metrics();
    expect(metrics).toMatch(new RegExp(`ostracon_signup_checks_total\\{platform="${instagram}",decision="block"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`ostracon_signup_checks_total\\{platform="${instagram}",decision="allow"\\} [1-9]`));
    expect(metrics).toMatch(/ostracon_screening_index_ready 1/);
    expect(metrics).toMatch(/ostracon_screening_index_signals [1-9]/);
  });

  it('never writes a raw signal to the log, even at trace level', async () => {
    const p = person();
    await order(p, [tiktok]);
    await check(tiktokKey, subject(p).signals);
    await check(tiktokKey, [{ type: 'email', value: `${p.email}@@broken` }]);
    await api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: tiktokKey,
      body: { signals: [{ type: 'email', value: p.email, extra: p.phoneE164 }] },
    });
    const logs = api.logs.text();
    expect(logs).toContain('/v1/orders'); // the log was written at trace level…
    for (const raw of [p.email, p.emailNormalized, p.phoneNational, p.phoneE164, p.familyName, prehash('email', p.emailNormalized)])
      expect(logs).not.toContain(raw); // …and no signal reached it
  });
});
