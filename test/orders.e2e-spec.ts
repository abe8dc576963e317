import { ClientsService, type CreatedClient } from '@ostracon/auth';
import { orderBody, uniqueReference, daysFrom, isoDate } from './support/builders';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

describe('orders (authority side)', () => {
  let t: TestApp;
  let authority: CreatedClient;
  let otherAuthority: CreatedClient;
  let auditor: CreatedClient;
  let platformClient: CreatedClient;
  let admin: CreatedClient;
  let tiktok: string;
  let instagram: string;

  beforeAll(async () => {
    t = await startTestApp();
    tiktok = await t.platform('tiktok');
    instagram = await t.platform('insta');
    authority = await t.client('authority');
    otherAuthority = await t.client('authority');
    auditor = await t.client('auditor');
    admin = await t.client('admin');
    platformClient = await t.client('platform', tiktok);
  });
  afterAll(() => t.close());

  const submit = (body: unknown, key = authority.apiKey) => submitOrder(t, key, body);

  it('creates an order and answers it without raw signals or account ids', async () => {
    const body = orderBody(tiktok);
    const res = await submit(body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'active',
      courtReference: body.courtReference,
      legalBasis: 'conviction',
      offence: 'cyberharassment',
      signalCount: 3,
      platforms: [
        { platform: tiktok, status: 'pending', accountCount: 1, deliveredAt: null, enforcedAt: null, slaDeadline: null, liftedAt: null },
      ],
      revokedAt: null,
    });
    // 180 calendar days on the Paris calendar: the same wall-clock time, whatever summer time does.
    const paris = (iso: string) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
    expect(paris(res.body.endsAt).slice(11)).toBe(paris(res.body.startsAt).slice(11));
    const days = (Date.parse(paris(res.body.endsAt).slice(0, 10)) - Date.parse(paris(res.body.startsAt).slice(0, 10))) / 86_400_000;
    expect(days).toBe(180);
    expect(res.text).not.toContain('Example.fr');
    expect(res.text).not.toContain('acct-7012345678');
  });

  it('is scheduled when it starts later, with an explicit endsAt', async () => {
    const startsAt = daysFrom(new Date(), 10).toISOString();
    const endsAt = daysFrom(new Date(), 40).toISOString();
    const res = await submit(orderBody(tiktok, new Date(), { startsAt, endsAt, durationDays: undefined }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('scheduled');
    expect(res.body.startsAt).toBe(startsAt);
    expect(res.body.endsAt).toBe(endsAt);
  });

  it('refuses the same signal given twice, compared after normalization, naming both', async () => {
    const body = orderBody(tiktok);
    body.subject.signals = [
      { type: 'email', value: 'a.b+x@gmail.com' },
      { type: 'phone', value: '06 12 34 56 78', country: 'FR' },
      { type: 'email', value: 'AB@googlemail.com' },
      { type: 'phone', value: '+33612345678' },
    ];
    const res = await submit(body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('SIGNAL.DUPLICATE');
    expect(res.body.errors).toEqual([
      { path: 'subject.signals[2]', message: 'the same signal as subject.signals[0]' },
      { path: 'subject.signals[3]', message: 'the same signal as subject.signals[1]' },
    ]);
    expect(res.text).not.toMatch(/googlemail|gmail|612345678/i);
  });

  it('refuses fifty copies of one signal, and stores nothing', async () => {
    const body = orderBody(tiktok);
    body.subject.signals = Array.from({ length: 50 }, () => ({ type: 'email', value: 'copy@example.fr' }));
    const res = await submit(body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(49);
    const [row] = await t.dataSource.query(`SELECT count(*) AS n FROM ban_orders WHERE court_reference = $1`, [body.courtReference]);
    expect(Number(row.n)).toBe(0);
  });

  it('reads an order back: its authority and auditors; another authority gets 404', async () => {
    const created = (await submit(orderBody(tiktok))).body;
    const own = await t.request({ method: 'GET', url: `/v1/orders/${created.id}`, key: authority.apiKey });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(created);
    expect((await t.request({ method: 'GET', url: `/v1/orders/${created.id}`, key: auditor.apiKey })).status).toBe(200);
    const other = await t.request({ method: 'GET', url: `/v1/orders/${created.id}`, key: otherAuthority.apiKey });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ORDER.NOT_FOUND');
    const missing = await t.request({ method: 'GET', url: `/v1/orders/01900000-0000-7000-8000-000000000000`, key: authority.apiKey });
    // Not yours and not there look the same: existence is not revealed.
    expect(missing.status).toBe(404);
    expect({ ...missing.body, detail: undefined, traceId: undefined }).toEqual({ ...other.body, detail: undefined, traceId: undefined });
  });

  describe('list', () => {
    let lister: CreatedClient;
    const ids: string[] = [];
    let reference: string;

    beforeAll(async () => {
      lister = await t.client('authority');
      reference = uniqueReference('LIST');
      for (let i = 0; i < 5; i++) {
        const res = await submit(
          orderBody(i % 2 === 0 ? tiktok : instagram, new Date(), i === 4 ? { courtReference: reference } : {}),
          lister.apiKey,
        );
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const scheduled = await submit(orderBody(tiktok, new Date(), { startsAt: daysFrom(new Date(), 5).toISOString() }), lister.apiKey);
      ids.push(scheduled.body.id);
      const revoked = await t.request({
        method: 'POST',
        url: `/v1/orders/${ids[0]}/revoke`,
        key: lister.apiKey,
        body: { reason: 'appeal granted', decisionReference: 'CA-PARIS-2026-1' },
      });
      expect(revoked.status).toBe(200);
    });

    const list = async (query: string, key = lister.apiKey) => t.request({ method: 'GET', url: `/v1/orders${query}`, key });

    it('shows an authority its own orders only, newest first', async () => {
      const res = await list('?limit=100');
      expect(res.status).toBe(200);
      expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());
      expect(res.body.nextCursor).toBeNull();
    });

    it('pages with a keyset cursor, no order twice or missing', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(`?limit=2${cursor ? `&after=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((o: { id: string }) => o.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by status, platform and court reference', async () => {
      const ofStatus = async (s: string) => (await list(`?status=${s}`)).body.items.map((o: { id: string }) => o.id);
      expect(await ofStatus('revoked')).toEqual([ids[0]]);
      expect(await ofStatus('scheduled')).toEqual([ids[5]]);
      expect(await ofStatus('active')).toEqual([ids[4], ids[3], ids[2], ids[1]]);
      expect(await ofStatus('expired')).toEqual([]);
      const onInstagram = (await list(`?platform=${instagram}`)).body.items.map((o: { id: string }) => o.id);
      expect(onInstagram).toEqual([ids[3], ids[1]]);
      const byRef = (await list(`?courtReference=${reference}`)).body.items.map((o: { id: string }) => o.id);
      expect(byRef).toEqual([ids[4]]);
    });

    it('shows an auditor every authority’s orders', async () => {
      const res = await list(`?courtReference=${reference}`, auditor.apiKey);
      expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([ids[4]]);
      const other = await list(`?courtReference=${reference}`, otherAuthority.apiKey);
      expect(other.body.items).toEqual([]);
    });

    it('refuses a cursor it did not issue', async () => {
      const res = await list('?after=not-a-cursor');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'after', message: 'invalid cursor' }]);
    });
  });

  describe('revoke', () => {
    it('revokes an active order once, keeping the reason', async () => {
      const created = (await submit(orderBody(tiktok))).body;
      const body = { reason: 'relèvement de la peine', decisionReference: 'TJ-PARIS-2026-REL-7' };
      const res = await t.request({ method: 'POST', url: `/v1/orders/${created.id}/revoke`, key: authority.apiKey, body });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('revoked');
      expect(res.body.revocation).toEqual(body);
      expect(res.body.revokedAt).not.toBeNull();
      const again = await t.request({ method: 'POST', url: `/v1/orders/${created.id}/revoke`, key: authority.apiKey, body });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('ORDER.NOT_REVOCABLE');
      const read = await t.request({ method: 'GET', url: `/v1/orders/${created.id}`, key: authority.apiKey });
      expect(read.body.status).toBe('revoked');
    });

    it('revokes a scheduled order', async () => {
      const created = (await submit(orderBody(tiktok, new Date(), { startsAt: daysFrom(new Date(), 3).toISOString() }))).body;
      const res = await t.request({
        method: 'POST',
        url: `/v1/orders/${created.id}/revoke`,
        key: authority.apiKey,
        body: { reason: 'appeal', decisionReference: 'CA-1' },
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('revoked');
    });

    it('is 404 for another authority, whose attempt changes nothing', async () => {
      const created = (await submit(orderBody(tiktok))).body;
      const res = await t.request({
        method: 'POST',
        url: `/v1/orders/${created.id}/revoke`,
        key: otherAuthority.apiKey,
        body: { reason: 'x', decisionReference: 'y' },
      });
      expect(res.status).toBe(404);
      const read = await t.request({ method: 'GET', url: `/v1/orders/${created.id}`, key: authority.apiKey });
      expect(read.body.status).toBe('active');
    });
  });

  describe('role matrix', () => {
    let orderId: string;
    beforeAll(async () => {
      orderId = (await submit(orderBody(tiktok))).body.id;
    });

    type Who = 'none' | 'bad key' | 'revoked' | 'authority' | 'other authority' | 'auditor' | 'platform' | 'admin';
    const keyOf = async (who: Who): Promise<string | undefined> => {
      switch (who) {
        case 'none':
          return undefined;
        case 'bad key':
          return 'ost_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
        case 'revoked': {
          const c = await t.client('authority');
          await t.app.get(ClientsService).revoke(c.id, 'cli');
          return c.apiKey;
        }
        case 'authority':
          return authority.apiKey;
        case 'other authority':
          return otherAuthority.apiKey;
        case 'auditor':
          return auditor.apiKey;
        case 'platform':
          return platformClient.apiKey;
        case 'admin':
          return admin.apiKey;
      }
    };

    const routes = {
      create: (key?: string) => submitOrder(t, key, orderBody(tiktok)),
      read: (key?: string) => t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key }),
      list: (key?: string) => t.request({ method: 'GET', url: '/v1/orders', key }),
      revoke: (key?: string) =>
        t.request({ method: 'POST', url: `/v1/orders/${orderId}/revoke`, key, body: { reason: 'matrix', decisionReference: 'M-1' } }),
      offences: (key?: string) => t.request({ method: 'GET', url: '/v1/offences', key }),
    };

    // revoke for the owning authority is last, so that the other rows see an active order.
    const matrix: [Who, keyof typeof routes, number, string?][] = [
      ['none', 'create', 401, 'AUTH.UNAUTHENTICATED'],
      ['none', 'read', 401, 'AUTH.UNAUTHENTICATED'],
      ['none', 'list', 401, 'AUTH.UNAUTHENTICATED'],
      ['none', 'revoke', 401, 'AUTH.UNAUTHENTICATED'],
      ['none', 'offences', 401, 'AUTH.UNAUTHENTICATED'],
      ['bad key', 'read', 401, 'AUTH.UNAUTHENTICATED'],
      ['revoked', 'list', 401, 'AUTH.UNAUTHENTICATED'],
      ['platform', 'create', 403, 'AUTH.FORBIDDEN'],
      ['platform', 'read', 403, 'AUTH.FORBIDDEN'],
      ['platform', 'list', 403, 'AUTH.FORBIDDEN'],
      ['platform', 'revoke', 403, 'AUTH.FORBIDDEN'],
      ['platform', 'offences', 403, 'AUTH.FORBIDDEN'],
      ['admin', 'create', 403, 'AUTH.FORBIDDEN'],
      ['admin', 'read', 403, 'AUTH.FORBIDDEN'],
      ['admin', 'list', 403, 'AUTH.FORBIDDEN'],
      ['admin', 'revoke', 403, 'AUTH.FORBIDDEN'],
      ['admin', 'offences', 200],
      ['auditor', 'create', 403, 'AUTH.FORBIDDEN'],
      ['auditor', 'read', 200],
      ['auditor', 'list', 200],
      ['auditor', 'revoke', 403, 'AUTH.FORBIDDEN'],
      ['auditor', 'offences', 200],
      ['other authority', 'read', 404, 'ORDER.NOT_FOUND'],
      ['other authority', 'revoke', 404, 'ORDER.NOT_FOUND'],
      ['authority', 'create', 201],
      ['authority', 'read', 200],
      ['authority', 'list', 200],
      ['authority', 'offences', 200],
      ['authority', 'revoke', 200],
    ];

    // Rows padded to four cells: jest takes a test function with more parameters than cells for a done-callback test.
    it.each(matrix.map(([who, route, status, code]) => [who, route, status, code ?? ''] as const))(
      '%s → %s: %i',
      async (who, route, status, code) => {
        const res = await routes[route](await keyOf(who));
        expect(res.status).toBe(status);
        if (code) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body.code).toBe(code);
        }
        if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
      },
    );
  });

  it('lists the offence codes from the data file', async () => {
    const res = await t.request({ method: 'GET', url: '/v1/offences', key: authority.apiKey });
    expect(res.body.items.map((o: { code: string }) => o.code)).toEqual(
      expect.arrayContaining(['cyberharassment', 'sexual_harassment', 'doxxing', 'hate_speech', 'apology_terrorism']),
    );
  });

  it('refuses a decision dated tomorrow (legal rules run through the API too)', async () => {
    const res = await submit(orderBody(tiktok, new Date(), { decisionDate: isoDate(daysFrom(new Date(), 2)) }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ORDER.DECISION_IN_FUTURE');
  });
});
