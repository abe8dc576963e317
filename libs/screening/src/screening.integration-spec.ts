import { randomBytes, randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';

import { ManualClock, type AuthenticatedClient } from '@ostracon/common';
import { EnforcementModule } from '@ostracon/enforcement';
import { PrivateSetModule } from '@ostracon/private-checks';
import { type SignalInput, normalizeValue, prehash } from '@ostracon/identity';
import { type OrderView, OrdersModule, OrdersService, createOrderSchema } from '@ostracon/orders';
import {
  type LibContext,
  libContext,
  RAW,
  asOwner,
  authorityRow,
  daysFrom,
  orderBody,
  platformClient,
  platformRow,
  waitFor,
} from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import { IndexLoader } from './index-loader';
import { ScreeningIndexService } from './screening-index.service';
import { ScreeningModule } from './screening.module';
import { SignupMatchesModule } from './signup-matches.module';
import { SignupChecksService } from './signup-checks.service';

/**
 * The sign-up check against the real PostgreSQL: the screening lib with libs/orders, whose orders
 * (created, revoked through OrdersService) reach this process's in-memory index by notification.
 * The index decides block / review / allow (docs/screening.md § Answers, § Scope and time); each
 * match is recorded and audited in one transaction before the answer, or there is no answer.
 */
describe('sign-up checks: SignupChecksService and its index', () => {
  let lib: LibContext;
  let context: INestApplicationContext;
  let dataSource: DataSource;
  let checks: SignupChecksService;
  let index: ScreeningIndexService;
  let orders: OrdersService;
  const clock = new ManualClock();
  const start = clock.now();
  let tiktok: string;
  let forum: string;
  let platform: AuthenticatedClient;
  let otherPlatform: AuthenticatedClient;
  let authority: AuthenticatedClient;

  beforeAll(async () => {
    lib = await libContext('screening', {
      clock,
      // Orders are what the index follows, created and revoked as the API does, with the stages
      // of order changes as the API wires them.
      imports: [ScreeningModule, OrdersModule, EnforcementModule, PrivateSetModule, SignupMatchesModule],
    });
    ({ context, dataSource } = lib);
    checks = context.get(SignupChecksService);
    index = context.get(ScreeningIndexService);
    orders = context.get(OrdersService);
    tiktok = await platformRow(dataSource, 'pull');
    forum = await platformRow(dataSource, 'pull');
    platform = await platformClient(dataSource, tiktok);
    otherPlatform = await platformClient(dataSource, forum);
    authority = authorityOf(await authorityRow(dataSource));
    await index.ready();
  });
  afterAll(() => lib?.close());
  beforeEach(() => clock.set(start));

  function authorityOf(organisationId: string): AuthenticatedClient {
    return { kind: 'client', id: randomUUID(), name: 'Parquet', role: 'authority', organisationId, platformId: null };
  }
  const auditor: AuthenticatedClient = {
    kind: 'client',
    id: randomUUID(),
    name: 'CNIL',
    role: 'auditor',
    organisationId: randomUUID(),
    platformId: null,
  };

  /** An order for tiktok (or the given platforms), in the index once its notification was applied. */
  async function banned(signals: unknown[], overrides: Record<string, unknown> = {}, platforms = [tiktok]): Promise<OrderView> {
    const body = orderBody(tiktok, clock.now(), {
      subject: { signals },
      platforms: platforms.map((p) => ({ platform: p, accounts: [{ accountId: 'acct-1' }] })),
      ...overrides,
    });
    const order = await orders.create(authority, createOrderSchema.parse(body));
    await waitFor(() => index.current?.has(order.id), 'the new order in the index');
    return order;
  }
  const uniqueEmail = () => `banned.${randomUUID().slice(0, 8)}@example.fr`;
  /** Letters only: a name's digits would be dropped by its normalization, and two people would be one. */
  const uniqueName = (prefix: string) => prefix + Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
  /** A batch of checks for `caller`; the one place that names the service's method. */
  const checkBatch = (caller: AuthenticatedClient, batch: { ref?: string; signals: SignalInput[] }[]) => checks.checkSignups(caller, batch);
  const check = (signals: SignalInput[], caller = platform) => checkBatch(caller, [{ signals }]).then(([outcome]) => outcome!);
  const matchRows = (orderId: string) =>
    dataSource.query(`SELECT id, platform_id, client_id, decision, signal_types, matched_at FROM signup_matches WHERE order_id = $1`, [
      orderId,
    ]);
  const matchEvents = (orderId: string): Promise<{ actor: string; platform_id: string; data: any }[]> =>
    dataSource.query(`SELECT actor, platform_id, data FROM audit_events WHERE type = 'signup.matched' AND order_id = $1 ORDER BY seq`, [
      orderId,
    ]);
  const count = async (sql: string) => Number((await dataSource.query(sql))[0].n);

  it('blocks a banned e-mail in any spelling, raw or prehashed, and a banned device, on the platform the order names only', async () => {
    const email = uniqueEmail();
    const order = await banned([
      { type: 'email', value: email },
      { type: 'device', value: 'device-42', platform: tiktok },
    ]);
    const normalized = normalizeValue('email', email, { defaultCountry: 'FR', today: '2026-01-01' });
    if (!normalized.ok) throw new Error(normalized.reason);

    for (const signal of [
      { type: 'email', value: `  ${email.toUpperCase().replace('@', '+signup@')} ` },
      { type: 'email', hash: prehash('email', normalized.normalized).toUpperCase() },
      { type: 'device', value: 'device-42' },
    ] as SignalInput[]) {
      expect(await check([signal])).toEqual({ decision: 'block', matchId: expect.any(String), banEndsAt: order.endsAt });
    }
    expect(await check([{ type: 'email', value: email }], otherPlatform)).toEqual({ decision: 'allow' });
    expect(await check([{ type: 'email', value: uniqueEmail() }])).toEqual({ decision: 'allow' });
    // A device id is the calling platform's own: the same id elsewhere is someone else.
    expect(await check([{ type: 'device', value: 'device-42' }], otherPlatform)).toEqual({ decision: 'allow' });
  });

  it('asks for review on a possible signal alone; a strong match decides over a later-ending possible one, and the latest end among equals', async () => {
    const email = uniqueEmail();
    const person = { givenName: 'Marie-Anne', familyName: uniqueName('Essai'), birthDate: '1990-01-31' };
    const byEmail = await banned([{ type: 'email', value: email }], { durationDays: 30 });
    const byName = await banned([{ type: 'name_dob', value: person }], { durationDays: 90 });
    const longer = await banned([{ type: 'email', value: email }], { durationDays: 60 });

    const review = await check([{ type: 'name_dob', value: { ...person, givenName: 'anne marie' } }]);
    expect(review).toEqual({ decision: 'review', matchId: expect.any(String), banEndsAt: byName.endsAt });
    const block = await check([
      { type: 'name_dob', value: person },
      { type: 'email', value: email },
    ]);
    expect(block).toEqual({ decision: 'block', matchId: expect.any(String), banEndsAt: longer.endsAt });
    expect(await matchRows(longer.id)).toEqual([expect.objectContaining({ id: block.matchId, signal_types: ['email'] })]);
    expect(await matchRows(byEmail.id)).toEqual([]);
  });

  it('lists the signals it could not use by index and reason, and still checks the others', async () => {
    const email = uniqueEmail();
    await banned([{ type: 'email', value: email }]);
    expect(
      await check([
        { type: 'email', value: 'no-at-sign' },
        { type: 'phone', hash: 'not-hex' },
        { type: 'email', value: email },
      ]),
    ).toEqual({
      decision: 'block',
      matchId: expect.any(String),
      banEndsAt: expect.any(String),
      ignored: [
        { index: 0, reason: expect.any(String) },
        { index: 1, reason: expect.any(String) },
      ],
    });
    expect(await check([{ type: 'email', value: 'no-at-sign' }])).toEqual({
      decision: 'allow',
      ignored: [{ index: 0, reason: expect.any(String) }],
    });
  });

  it('records each match and its signup.matched event in one transaction before answering, with ids and types only', async () => {
    const email = uniqueEmail();
    const person = { givenName: RAW.givenName, familyName: uniqueName(RAW.familyName), birthDate: RAW.birthDate };
    const order = await banned([
      { type: 'email', value: email },
      { type: 'name_dob', value: person },
    ]);
    const matchesBefore = await count(`SELECT count(*) AS n FROM signup_matches`);
    clock.advance(1234);

    const outcomes = await checkBatch(platform, [
      { ref: 'a', signals: [{ type: 'email', value: email }] },
      { ref: 'b', signals: [{ type: 'email', value: uniqueEmail() }] },
      { ref: 'c', signals: [{ type: 'name_dob', value: person }] },
    ]);
    expect(outcomes.map((o) => [o.ref, o.decision])).toEqual([
      ['a', 'block'],
      ['b', 'allow'],
      ['c', 'review'],
    ]);
    expect(await count(`SELECT count(*) AS n FROM signup_matches`)).toBe(matchesBefore + 2);
    const rows = await matchRows(order.id);
    expect(rows.sort((x: { decision: string }, y: { decision: string }) => x.decision.localeCompare(y.decision))).toEqual([
      {
        id: outcomes[0]!.matchId,
        platform_id: tiktok,
        client_id: platform.id,
        decision: 'block',
        signal_types: ['email'],
        matched_at: clock.now(),
      },
      {
        id: outcomes[2]!.matchId,
        platform_id: tiktok,
        client_id: platform.id,
        decision: 'review',
        signal_types: ['name_dob'],
        matched_at: clock.now(),
      },
    ]);
    const events = await matchEvents(order.id);
    expect(events).toEqual(
      [
        { matchId: outcomes[0]!.matchId, decision: 'block', signalTypes: ['email'] },
        { matchId: outcomes[2]!.matchId, decision: 'review', signalTypes: ['name_dob'] },
      ].map((data) => ({ actor: `client:${platform.id}`, platform_id: tiktok, data: { ...data, mode: 'plain' } })),
    );
    const stored = JSON.stringify([rows, events]).toLowerCase();
    expect([email, person.familyName.toLowerCase(), RAW.birthDate].filter((raw) => stored.includes(raw))).toEqual([]);
  });

  it('gives no answer to a match it could not record: neither the match nor its event is written', async () => {
    const email = uniqueEmail();
    const order = await banned([{ type: 'email', value: email }]);
    // A caller whose key is not in api_clients: the match's row cannot be written.
    const unknown: AuthenticatedClient = { ...platform, id: randomUUID() };
    await expect(check([{ type: 'email', value: email }], unknown)).rejects.toThrow();
    expect(await matchRows(order.id)).toEqual([]);
    expect(await matchEvents(order.id)).toEqual([]);
    // A check that matches nothing needs no record, so it is still answered.
    expect(await check([{ type: 'email', value: uniqueEmail() }], unknown)).toEqual({ decision: 'allow' });
  });

  it('matches only inside [startsAt, endsAt), by the clock, whether or not the lifecycle has run', async () => {
    const email = uniqueEmail();
    const order = await banned([{ type: 'email', value: email }], { startsAt: daysFrom(start, 1).toISOString(), durationDays: 10 });
    expect(await check([{ type: 'email', value: email }])).toEqual({ decision: 'allow' });
    clock.set(new Date(order.startsAt));
    expect(await check([{ type: 'email', value: email }])).toMatchObject({ decision: 'block' });
    clock.set(new Date(new Date(order.endsAt).getTime() - 1));
    expect(await check([{ type: 'email', value: email }])).toMatchObject({ decision: 'block' });
    clock.set(new Date(order.endsAt));
    expect(await check([{ type: 'email', value: email }])).toEqual({ decision: 'allow' });
  });

  it('stops matching once the order is revoked, as soon as its notification is applied', async () => {
    const email = uniqueEmail();
    const order = await banned([{ type: 'email', value: email }]);
    await orders.revoke(authority, order.id, { reason: 'Relèvement', decisionReference: 'TJ-REL-9' });
    await waitFor(() => !index.current!.has(order.id), 'the revoked order out of the index');
    expect(await check([{ type: 'email', value: email }])).toEqual({ decision: 'allow' });
  });

  it('agrees with PostgreSQL after notifications, and rebuilds itself when one was lost', async () => {
    const email = uniqueEmail();
    const order = await banned([{ type: 'email', value: email }]);
    const revoked = await banned([{ type: 'email', value: uniqueEmail() }]);
    await orders.revoke(authority, revoked.id, { reason: 'Appel', decisionReference: 'CA-2' });
    await waitFor(() => !index.current!.has(revoked.id), 'the revoked order out of the index');
    const loadedAt = index.stats().loadedAt;
    clock.advance(1000);
    await index.reconcile();
    // It agreed: confirmed without a rebuild.
    expect(index.stats()).toMatchObject({ loadedAt, confirmedAt: clock.now() });

    // The order revoked behind the index's back (its notification lost): the comparison sees it.
    await asOwner(async (owner) => {
      await owner.query(`SET session_replication_role = replica`);
      await owner.query(`UPDATE ban_orders SET revoked_at = now(), ended_by = 'revocation', revocation_reason = 'lost' WHERE id = $1`, [
        order.id,
      ]);
    }, lib.db.ownerUrl);
    expect(index.current!.has(order.id)).toBe(true);
    clock.advance(1000);
    await index.reconcile();
    expect(index.stats().loadedAt).not.toEqual(loadedAt);
    expect(index.current!.has(order.id)).toBe(false);
    expect(await check([{ type: 'email', value: email }])).toEqual({ decision: 'allow' });
  });

  it('reads the same index a slice at a time, the next slice asked for while one is added, as in one slice', async () => {
    for (let i = 0; i < 5; i++)
      await banned([
        { type: 'email', value: uniqueEmail() },
        { type: 'phone', value: '+33612345678' },
      ]);
    const loader = new IndexLoader(dataSource);
    const whole = await loader.loadAll(clock.now(), 100_000);
    expect(whole.liveSummary.orders).toBeGreaterThan(5);
    for (const slice of [1, 2, whole.liveSummary.orders]) {
      const sliced = await loader.loadAll(clock.now(), slice);
      expect({ summary: sliced.liveSummary, keys: sliced.keyUsage() }).toEqual({ summary: whole.liveSummary, keys: whole.keyUsage() });
    }
  });

  it('resolves a matchId for the order’s organisation and auditors, each read audited; anyone else is told it does not exist', async () => {
    const email = uniqueEmail();
    const order = await banned([{ type: 'email', value: email }]);
    const { matchId } = await check([{ type: 'email', value: email }]);
    const view = {
      matchId,
      orderId: order.id,
      platform: tiktok,
      decision: 'block',
      signalTypes: ['email'],
      matchedAt: clock.now().toISOString(),
      // The platform has not answered yet (docs/attempts.md).
      outcome: null,
      reviewedAt: null,
    };

    const colleague = authorityOf(authority.organisationId);
    expect(await checks.findMatch(colleague, matchId!)).toEqual(view);
    expect(await checks.findMatch(auditor, matchId!)).toEqual(view);
    const stranger = authorityOf(randomUUID());
    for (const [who, id] of [
      [stranger, matchId!],
      [authority, randomUUID()],
      [authority, 'not-a-uuid'],
    ] as const) {
      await expect(checks.findMatch(who, id)).rejects.toMatchObject({ code: 'SIGNUP_MATCH.NOT_FOUND' });
    }
    const reads: { actor: string; data: any }[] = await dataSource.query(
      `SELECT actor, data FROM audit_events WHERE type = 'signup_match.read' AND order_id = $1 ORDER BY seq`,
      [order.id],
    );
    expect(reads).toEqual([
      { actor: `client:${colleague.id}`, data: { matchId } },
      { actor: `client:${auditor.id}`, data: { matchId } },
    ]);
  });
});
