import { randomBytes, randomInt } from 'node:crypto';
import type { CreatedClient } from '@ostracon/auth';
import { PeopleService } from '@ostracon/auth';
import { MailOutboxStore, MailSender } from '@ostracon/notifications';
import { ScreeningIndexService } from '@ostracon/screening';
import { orderBody } from './support/builders';
import { waitFor } from './support/isolated';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

/**
 * Attempts (issue 30, docs/attempts.md): the platform's answer on a match, the authority's inbox
 * with its read marks, the review figures of the compliance report, and, without SMTP_URL outside
 * production, the mails kept in PostgreSQL and shown at /dev/mails.
 */
jest.setTimeout(120_000);

function person() {
  const tag = randomBytes(4).toString('hex');
  const mobile = `61${String(randomInt(1_000_000, 9_999_999))}`;
  return {
    email: `Marie.Curie.${tag}@example.fr`,
    phone: `+33${mobile}`,
    // Letters only: a name's normalization may drop digits, and two people must not share a name.
    name: {
      givenName: 'Marie-Anne',
      familyName: `Sklodowska ${[...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`,
      birthDate: '1979-11-07',
    },
  };
}
type Person = ReturnType<typeof person>;

describe('attempts: answers, inbox, figures', () => {
  let api: TestApp;
  let authority: CreatedClient;
  let platform: string;
  let platformKey: string;
  let otherPlatform: string;
  let otherPlatformKey: string;

  beforeAll(async () => {
    api = await startTestApp();
    authority = await api.client('authority');
    platform = await api.platform('att');
    platformKey = (await api.client('platform', platform)).apiKey;
    otherPlatform = await api.platform('att-other');
    otherPlatformKey = (await api.client('platform', otherPlatform)).apiKey;
  });
  afterAll(async () => {
    await api?.close();
  });

  async function order(p: Person, as = authority): Promise<{ id: string; courtReference: string }> {
    const body = {
      ...orderBody(platform, new Date()),
      subject: {
        signals: [
          { type: 'email', value: p.email },
          { type: 'phone', value: p.phone },
          { type: 'name_dob', value: p.name },
        ],
      },
      platforms: [platform, otherPlatform].map((id) => ({
        platform: id,
        accounts: [{ accountId: `acct-${randomBytes(3).toString('hex')}` }],
      })),
    };
    const res = await submitOrder(api, as.apiKey, body);
    expect(res.status).toBe(201);
    await waitFor(() => api.app.get(ScreeningIndexService).current?.has(res.body.id), 'the order in the index', 10_000);
    return res.body;
  }
  async function match(p: Person, kind: 'block' | 'review', key = platformKey): Promise<string> {
    const signals = kind === 'block' ? [{ type: 'email', value: p.email }] : [{ type: 'name_dob', value: p.name }];
    const res = await api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals } });
    expect(res.body.decision).toBe(kind);
    return res.body.matchId as string;
  }
  const review = (matchId: string, body: unknown, key = platformKey) =>
    api.request({ method: 'POST', url: `/v1/signup-matches/${matchId}/review`, key, body });
  const events = (type: string, matchId: string) =>
    api.dataSource.query(
      `SELECT actor, order_id, platform_id, data FROM audit_events WHERE type = $1 AND data->>'matchId' = $2 ORDER BY seq`,
      [type, matchId],
    );

  describe('the platform’s answer', () => {
    it('refuses bad answers, other platforms and other roles, with stable codes', async () => {
      const p = person();
      await order(p);
      const matchId = await match(p, 'block');
      const bad = [
        {},
        { outcome: 'maybe' },
        { outcome: 'not_same_person', accountId: 'acct-1' },
        { outcome: 'unknown', accountId: 'acct-1' },
        { outcome: 'confirmed', accountId: '' },
        { outcome: 'confirmed', accountId: 'x'.repeat(201) },
        { outcome: 'confirmed', extra: true },
        { outcome: 'confirmed', accountId: 42 },
      ];
      for (const body of bad) {
        const res = await review(matchId, body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION.FAILED']);
      }
      // Another platform's match is as unknown as no match at all.
      const other = await review(matchId, { outcome: 'confirmed' }, otherPlatformKey);
      expect([other.status, other.body.code]).toEqual([404, 'SIGNUP_MATCH.NOT_FOUND']);
      const unknown = await review('0190a8f2-7d7a-7a40-8a3e-3a0f8d4f0a11', { outcome: 'confirmed' });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'SIGNUP_MATCH.NOT_FOUND']);
      expect((await review('not-a-uuid', { outcome: 'confirmed' })).status).toBe(404);
      const asAuthority = await review(matchId, { outcome: 'confirmed' }, authority.apiKey);
      expect([asAuthority.status, asAuthority.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const anonymous = await api.request({ method: 'POST', url: `/v1/signup-matches/${matchId}/review`, body: { outcome: 'confirmed' } });
      expect(anonymous.status).toBe(401);
      // Nothing was recorded by the refused answers.
      expect(await events('signup_match.reviewed', matchId)).toEqual([]);
      expect((await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: authority.apiKey })).body.outcome).toBeNull();
    });

    it('takes unknown then a final answer, keeps the final one (the same again is 200, another 409), audits each change', async () => {
      const p = person();
      const o = await order(p);
      const matchId = await match(p, 'review');
      const first = await review(matchId, { outcome: 'unknown' });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ matchId, decision: 'review', outcome: 'unknown', reviewedAt: expect.any(String) });
      expect((await review(matchId, { outcome: 'unknown' })).status).toBe(200);
      const account = `acct-secret-${randomBytes(4).toString('hex')}`;
      const confirmed = await review(matchId, { outcome: 'confirmed', accountId: account });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ matchId, decision: 'review', outcome: 'confirmed', reviewedAt: expect.any(String) });
      expect(confirmed.text).not.toContain(account);
      const again = await review(matchId, { outcome: 'confirmed', accountId: account });
      expect([again.status, again.body.reviewedAt]).toEqual([200, confirmed.body.reviewedAt]);
      const changed = await review(matchId, { outcome: 'not_same_person' });
      expect([changed.status, changed.body.code]).toEqual([409, 'SIGNUP_MATCH.ALREADY_REVIEWED']);
      const otherAccount = await review(matchId, { outcome: 'confirmed', accountId: 'acct-another' });
      expect([otherAccount.status, otherAccount.body.code]).toEqual([409, 'SIGNUP_MATCH.ALREADY_REVIEWED']);

      // Two changes, two events, in the shape the evidence files read; the account id in none.
      const reviewed = await events('signup_match.reviewed', matchId);
      expect(reviewed.map((e: { data: unknown }) => e.data)).toEqual([
        { matchId, decision: 'review', outcome: 'unknown', signalTypes: ['name_dob'] },
        { matchId, decision: 'review', outcome: 'confirmed', signalTypes: ['name_dob'] },
      ]);
      expect(reviewed[0]).toMatchObject({ order_id: o.id, platform_id: platform, actor: expect.stringMatching(/^client:/) });
      const everything = await api.dataSource.query(`SELECT data FROM audit_events WHERE data::text LIKE $1`, [`%${account}%`]);
      expect(everything).toEqual([]);
      expect(api.logs.text()).not.toContain(account);
      // Sealed at rest: the column holds no plaintext.
      const [row] = await api.dataSource.query(`SELECT account_enc, account_key_id FROM signup_matches WHERE id = $1`, [matchId]);
      expect(row.account_key_id).toEqual(expect.any(String));
      expect(Buffer.from(row.account_enc).toString('latin1')).not.toContain(account);

      // The order's authority reads the answer and the confirmed account; an auditor too.
      const seen = await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: authority.apiKey });
      expect(seen.body).toEqual({
        matchId,
        orderId: o.id,
        platform,
        decision: 'review',
        signalTypes: ['name_dob'],
        matchedAt: expect.any(String),
        outcome: 'confirmed',
        reviewedAt: confirmed.body.reviewedAt,
        accountId: account,
      });
    });

    it('tells the authority nothing of the account when the platform says it is someone else', async () => {
      const p = person();
      await order(p);
      const matchId = await match(p, 'review');
      expect((await review(matchId, { outcome: 'not_same_person' })).status).toBe(200);
      expect((await review(matchId, { outcome: 'not_same_person' })).status).toBe(200);
      const seen = await api.request({ method: 'GET', url: `/v1/signup-matches/${matchId}`, key: authority.apiKey });
      expect(seen.body.outcome).toBe('not_same_person');
      expect(seen.body).not.toHaveProperty('accountId');
      expect(await events('signup_match.reviewed', matchId)).toHaveLength(1);
    });
  });

  describe('the authority’s inbox', () => {
    it('lists its attempts newest first with paging, counts the unread per order, and marks one read when opened', async () => {
      const clerk = await api.client('authority');
      const p = person();
      const q = person();
      const first = await order(p, clerk);
      const second = await order(q, clerk);
      const a = await match(p, 'block');
      const b = await match(q, 'review', otherPlatformKey);
      const c = await match(p, 'review');
      expect((await review(c, { outcome: 'not_same_person' })).status).toBe(200);
      const list = (url: string, key = clerk.apiKey) => api.request({ method: 'GET', url, key });

      const all = await list('/v1/attempts');
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: { matchId: string }) => i.matchId)).toEqual([c, b, a]);
      expect(all.body.items[0]).toEqual({
        matchId: c,
        orderId: first.id,
        platform,
        platformName: `Test platform ${platform}`,
        decision: 'review',
        signalTypes: ['name_dob'],
        matchedAt: expect.any(String),
        outcome: 'not_same_person',
        reviewedAt: expect.any(String),
        read: false,
      });
      // Never an account id, nor anything of the order beyond its id.
      expect(Object.keys(all.body.items[1]).sort()).toEqual(Object.keys(all.body.items[0]).sort());
      expect(all.text).not.toContain(first.courtReference);

      const page1 = await list('/v1/attempts?limit=2');
      expect(page1.body.items.map((i: { matchId: string }) => i.matchId)).toEqual([c, b]);
      const page2 = await list(`/v1/attempts?limit=2&after=${page1.body.nextCursor}`);
      expect([page2.body.items.map((i: { matchId: string }) => i.matchId), page2.body.nextCursor]).toEqual([[a], null]);
      const ofSecond = await list(`/v1/attempts?order=${second.id}`);
      expect(ofSecond.body.items.map((i: { matchId: string }) => i.matchId)).toEqual([b]);

      const unread = await list('/v1/attempts/unread');
      expect(unread.body).toEqual({
        total: 3,
        orders: [
          { orderId: first.id, unread: 2 },
          { orderId: second.id, unread: 1 },
        ].sort((x, y) => x.orderId.localeCompare(y.orderId)),
      });
      // Opening one marks it read for the organisation, once; an auditor's reading does not.
      const auditor = await api.client('auditor');
      expect((await list(`/v1/signup-matches/${a}`, auditor.apiKey)).status).toBe(200);
      expect((await list('/v1/attempts/unread')).body.total).toBe(3);
      expect((await list(`/v1/signup-matches/${a}`)).status).toBe(200);
      expect((await list(`/v1/signup-matches/${a}`)).status).toBe(200);
      expect((await list('/v1/attempts/unread')).body).toMatchObject({ total: 2 });
      expect((await list('/v1/attempts?unread=true')).body.items.map((i: { matchId: string }) => i.matchId)).toEqual([c, b]);
      expect((await list('/v1/attempts?unread=false')).body.items.map((i: { matchId: string }) => i.matchId)).toEqual([a]);
      const [mark] = await api.dataSource.query(`SELECT count(*)::int AS n FROM attempt_reads WHERE match_id = $1`, [a]);
      expect(mark.n).toBe(1);

      // Auditors read every organisation's, with that organisation's read marks; others see none of it.
      const audited = await list('/v1/attempts?limit=500', auditor.apiKey);
      const seen = audited.body.items.filter((i: { matchId: string }) => [a, b, c].includes(i.matchId));
      expect(seen.map((i: { matchId: string; read: boolean }) => [i.matchId, i.read])).toEqual([
        [c, false],
        [b, false],
        [a, true],
      ]);
      const stranger = await api.client('authority');
      expect((await list('/v1/attempts', stranger.apiKey)).body.items).toEqual([]);
      expect((await list('/v1/attempts/unread', stranger.apiKey)).body).toEqual({ total: 0, orders: [] });
      const listed = await api.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE type = 'attempt.listed' AND actor = $1`,
        [`client:${clerk.id}`],
      );
      expect(listed[0].n).toBeGreaterThanOrEqual(6);
    });

    it('refuses bad queries and other roles', async () => {
      for (const query of ['limit=0', 'limit=501', 'order=not-a-uuid', 'unread=maybe', 'after=garbage', 'colour=blue']) {
        const res = await api.request({ method: 'GET', url: `/v1/attempts?${query}`, key: authority.apiKey });
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION.FAILED']);
      }
      expect((await api.request({ method: 'GET', url: '/v1/attempts', key: platformKey })).status).toBe(403);
      const auditor = await api.client('auditor');
      expect((await api.request({ method: 'GET', url: '/v1/attempts/unread', key: auditor.apiKey })).status).toBe(403);
    });
  });

  describe('review figures', () => {
    it('counts, per platform and signal types, the matches by decision and answer, and the counts sum', async () => {
      const mine = await api.platform('fig');
      const key = (await api.client('platform', mine)).apiKey;
      const p = person();
      const body = {
        ...orderBody(mine, new Date()),
        subject: {
          signals: [
            { type: 'email', value: p.email },
            { type: 'name_dob', value: p.name },
          ],
        },
        platforms: [{ platform: mine, accounts: [{ accountId: 'acct-fig' }] }],
      };
      const created = await submitOrder(api, authority.apiKey, body);
      await waitFor(() => api.app.get(ScreeningIndexService).current?.has(created.body.id), 'the order in the index', 10_000);
      const reviews = [
        await match(p, 'review', key),
        await match(p, 'review', key),
        await match(p, 'review', key),
        await match(p, 'review', key),
      ];
      const blocks = [await match(p, 'block', key), await match(p, 'block', key)];
      const answer = async (id: string, outcome: string) => expect((await review(id, { outcome }, key)).status).toBe(200);
      await answer(reviews[0]!, 'confirmed');
      await answer(reviews[1]!, 'not_same_person');
      await answer(reviews[2]!, 'unknown');
      await answer(blocks[0]!, 'confirmed');

      const auditor = await api.client('auditor');
      const report = await api.request({ method: 'GET', url: '/v1/reports/compliance', key: auditor.apiKey });
      expect(report.status).toBe(200);
      const rows = report.body.reviews.filter((r: { platform: string }) => r.platform === mine);
      expect(rows).toEqual([
        {
          platform: mine,
          platformName: `Test platform ${mine}`,
          signalTypes: 'name_dob',
          decision: 'review',
          matches: 4,
          confirmed: 1,
          notSamePerson: 1,
          unknown: 1,
          unanswered: 1,
        },
        {
          platform: mine,
          platformName: `Test platform ${mine}`,
          signalTypes: 'email',
          decision: 'block',
          matches: 2,
          confirmed: 1,
          notSamePerson: 0,
          unknown: 0,
          unanswered: 1,
        },
      ]);
      for (const r of report.body.reviews) expect(r.confirmed + r.notSamePerson + r.unknown + r.unanswered).toBe(r.matches);
      // Another month holds none of them.
      const before = await api.request({ method: 'GET', url: '/v1/reports/compliance?from=2020-01&to=2020-02', key: auditor.apiKey });
      expect(before.body.reviews).toEqual([]);
    });
  });

  describe('mails without SMTP_URL (development)', () => {
    it('queues one mail per opted-in person and attempt, keeps it in PostgreSQL, shows it at /dev/mails, with nothing of the order', async () => {
      const organisation = await api.client('authority');
      const people = api.app.get(PeopleService);
      const unique = randomBytes(3).toString('hex');
      const asking = await people.invite({ email: `greffe.${unique}@justice.example.fr`, organisation: organisation.organisation }, 'cli');
      await people.invite({ email: `silence.${unique}@justice.example.fr`, organisation: organisation.organisation }, 'cli');
      expect(await people.setAttemptMails(asking.id, true, 'cli', new Date(Date.now() - 1000))).toEqual({ enabled: true });
      const p = person();
      const o = await order(p, organisation);
      const matchId = await match(p, 'block');
      const sender = api.app.get(MailSender);
      await sender.tick();
      await sender.tick();
      const rows = await api.dataSource.query(`SELECT person_id, transport, sent_at FROM mail_outbox WHERE match_id = $1`, [matchId]);
      expect(rows).toEqual([{ person_id: asking.id, transport: 'kept', sent_at: expect.any(Date) }]);
      const mailed = await events('attempt.mailed', matchId);
      expect(mailed.map((e: { data: unknown }) => e.data)).toEqual([{ matchId, personId: asking.id, transport: 'kept' }]);

      const pageRes = await api.request({ method: 'GET', url: '/dev/mails' });
      expect(pageRes.status).toBe(200);
      expect(pageRes.text).toContain(`greffe.${unique}@justice.example.fr`);
      expect(pageRes.text).toContain('/console/#/attempts');
      for (const secret of [o.courtReference, o.id, p.email, p.name.familyName, platform, matchId])
        expect(pageRes.text).not.toContain(secret);
    });

    it('leaves the mails of a person who stopped asking, and they never hold back the others’', async () => {
      const organisation = await api.client('authority');
      const people = api.app.get(PeopleService);
      const unique = randomBytes(3).toString('hex');
      const leaving = await people.invite({ email: `depart.${unique}@justice.example.fr`, organisation: organisation.organisation }, 'cli');
      const staying = await people.invite({ email: `reste.${unique}@justice.example.fr`, organisation: organisation.organisation }, 'cli');
      const since = new Date(Date.now() - 1000);
      await people.setAttemptMails(leaving.id, true, 'cli', since);
      const p = person();
      await order(p, organisation);
      // More of the leaving person's mails owed than a sender's batch (10), then they stop asking.
      for (let i = 0; i < 12; i++) await match(p, 'block');
      expect(await api.app.get(MailOutboxStore).planAttemptMails(new Date())).toBeGreaterThanOrEqual(12);
      await people.setAttemptMails(leaving.id, false, 'cli', new Date());
      await people.setAttemptMails(staying.id, true, 'cli', since);
      await match(p, 'block');
      const sender = api.app.get(MailSender);
      await sender.tick();
      const rows = await api.dataSource.query(
        `SELECT person_id, sent_at IS NOT NULL AS sent FROM mail_outbox WHERE person_id = ANY($1::uuid[]) ORDER BY sent, person_id`,
        [[leaving.id, staying.id]],
      );
      // Without the people's check before the batch's limit, the 12 oldest rows, all of the one who
      // left, would fill every batch and nothing would be sent again.
      const count = (who: string, sent: boolean) =>
        rows.filter((r: { person_id: string; sent: boolean }) => r.person_id === who && r.sent === sent).length;
      expect(count(leaving.id, false)).toBe(12);
      expect(count(leaving.id, true)).toBe(0);
      expect(count(staying.id, true)).toBeGreaterThan(0);
      expect(count(staying.id, true) + count(staying.id, false)).toBe(13);
    });
  });
});
