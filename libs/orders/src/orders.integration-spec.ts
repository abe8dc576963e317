import { randomUUID } from 'node:crypto';
import { SignupMatchesModule } from '@ostracon/screening';
import { type INestApplicationContext } from '@nestjs/common';

import { KeyRingCipher, ManualClock, parisDate, type AuthenticatedClient } from '@ostracon/common';
import { type AppConfig } from '@ostracon/config';
import { IdempotencyStore } from '@ostracon/database';
import { EnforcementModule, EnforcementStore } from '@ostracon/enforcement';
import { PrivateSetModule } from '@ostracon/private-checks';
import { normalizeValue, prehash, signalDigest } from '@ostracon/identity';
import {
  type LibContext,
  libContext,
  RAW,
  asOwner,
  authorityRow,
  daysFrom,
  idempotencyKey,
  isoDate,
  orderBody,
  platformRow,
  uniqueReference,
} from '@ostracon/test-support';
import type { DataSource, EntityManager } from 'typeorm';
import { type OrderChange, OrderRequestRecord } from './order-changes';
import { OrderLifecycle } from './order-lifecycle';
import { addMonths } from './order-terms';
import { OrdersModule } from './orders.module';
import { type CreateOrderInput, createOrderSchema, listOrdersQuerySchema } from './orders.schemas';
import { OrdersService } from './orders.service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * OrdersService and OrderLifecycle against the real PostgreSQL, the lib with what it imports (no
 * API, no worker): an order's rows, its audit events and the edge's Idempotency-Key record
 * commit together or not at all; the legal rules refuse before anything is written; the
 * lifecycle moves each order once (docs/orders.md, docs/legal.md, docs/enforcement.md § Lifecycle).
 */
describe('orders: OrdersService and OrderLifecycle', () => {
  let lib: LibContext;
  let context: INestApplicationContext;
  let config: AppConfig;
  let dataSource: DataSource;
  let orders: OrdersService;
  let lifecycle: OrderLifecycle;
  const clock = new ManualClock();
  const start = clock.now();
  let push: string;
  let pull: string;
  let authority: AuthenticatedClient;
  let otherAuthority: AuthenticatedClient;
  const auditor: AuthenticatedClient = {
    kind: 'client',
    id: randomUUID(),
    name: 'CNIL',
    role: 'auditor',
    organisationId: randomUUID(),
    platformId: null,
  };

  beforeAll(async () => {
    lib = await libContext('orders', {
      clock,
      // Wired as the API is: the stages of order changes from their libs, and the request's record.
      imports: [OrdersModule, EnforcementModule, PrivateSetModule, SignupMatchesModule],
      providers: [{ provide: OrderRequestRecord, useClass: RecordedRequests }],
    });
    ({ context, config, dataSource } = lib);
    orders = context.get(OrdersService);
    lifecycle = context.get(OrderLifecycle);
    push = await platformRow(dataSource, 'push');
    pull = await platformRow(dataSource, 'pull');
    authority = authorityOf(await authorityRow(dataSource));
    otherAuthority = authorityOf(await authorityRow(dataSource));
  });
  afterAll(() => lib?.close());
  // Each test starts at the same instant; the lifecycle's tests move on from it.
  beforeEach(() => clock.set(start));

  function authorityOf(organisationId: string): AuthenticatedClient {
    return { kind: 'client', id: randomUUID(), name: 'Parquet', role: 'authority', organisationId, platformId: null };
  }

  /** An order as the edge hands it to the service: the builder's body through the API's schema. */
  const input = (overrides: Record<string, unknown> = {}): CreateOrderInput =>
    createOrderSchema.parse(orderBody(push, clock.now(), overrides));
  /** Both platforms: the push one with the builder's account, the pull one with another. */
  const both = () => ({
    platforms: [
      { platform: push, accounts: [{ accountId: RAW.accountId, handle: RAW.handle }] },
      { platform: pull, accounts: [{ accountId: 'acct-2' }] },
    ],
  });
  const eventsOf = (orderId: string): Promise<{ type: string; actor: string; platform_id: string | null; data: any }[]> =>
    dataSource.query(`SELECT type, actor, platform_id, data FROM audit_events WHERE order_id = $1 ORDER BY seq`, [orderId]);
  const rowsOf = async (orderId: string) => ({
    orders: await dataSource.query(`SELECT * FROM ban_orders WHERE id = $1`, [orderId]),
    signals: await dataSource.query(`SELECT * FROM order_signals WHERE order_id = $1 ORDER BY id`, [orderId]),
    platforms: await dataSource.query(`SELECT * FROM order_platforms WHERE order_id = $1`, [orderId]),
    directives: await dataSource.query(`SELECT * FROM directives WHERE order_id = $1`, [orderId]),
    events: await eventsOf(orderId),
  });
  const count = async (sql: string, params: unknown[] = []) => Number((await dataSource.query(sql, params))[0].n);

  describe('create', () => {
    it('writes the order, its signals as keyed digests, its platforms with sealed accounts and a suspend each, and one audit event', async () => {
      const view = await orders.create(authority, input(both()));

      expect(view).toMatchObject({ status: 'active', signalCount: 3, revokedAt: null, revocation: null });
      expect(view.platforms.map((p) => [p.platform, p.status, p.accountCount]).sort()).toEqual(
        [
          [pull, 'pending', 1],
          [push, 'pending', 1],
        ].sort(),
      );
      const rows = await rowsOf(view.id);
      expect(rows.orders[0]).toMatchObject({ organisation_id: authority.organisationId, signal_count: 3, revoked_at: null });
      // Each signal is HMAC(pepper, prehash) under the first pepper, as docs/signals.md says; the
      // sign-up check finds it only if it is exactly that.
      const pepper = config.signals.peppers[0]!;
      const email = normalizeValue('email', RAW.email, { defaultCountry: 'FR', today: parisDate(clock.now()) });
      if (!email.ok) throw new Error(email.reason);
      expect(rows.signals.map((s: any) => [s.type, s.key_id])).toEqual([
        ['email', pepper.keyId],
        ['phone', pepper.keyId],
        ['name_dob', pepper.keyId],
      ]);
      expect(rows.signals[0].digest).toEqual(signalDigest(prehash('email', email.normalized), pepper.key));
      // The accounts are sealed to (order, platform): the platform gets them back, nobody reads them in the table.
      const cipher = new KeyRingCipher(config.accounts.encryptionKeys);
      const sealed = rows.platforms.find((p: any) => p.platform_id === push);
      expect(
        JSON.parse(cipher.open({ keyId: sealed.accounts_key_id, data: sealed.accounts_enc }, `${view.id}|${push}`).toString()),
      ).toEqual([{ accountId: RAW.accountId, handle: RAW.handle }]);
      expect(rows.directives.map((d: any) => [d.platform_id, d.type, d.status]).sort()).toEqual(
        [
          [pull, 'suspend', 'pending'],
          [push, 'suspend', 'pending'],
        ].sort(),
      );
      expect(rows.events).toEqual([
        {
          type: 'order.created',
          actor: `client:${authority.id}`,
          platform_id: null,
          data: {
            legalBasis: 'conviction',
            offence: 'cyberharassment',
            repeatOffender: false,
            startsAt: view.startsAt,
            endsAt: view.endsAt,
            platforms: [push, pull],
            signalCount: 3,
            accountCount: 2,
          },
        },
      ]);
    });

    it('stores no raw identity value or account id in any of the order’s rows or events, as text or as bytes', async () => {
      const view = await orders.create(authority, input(both()));
      const rows = await rowsOf(view.id);
      // Bytes as hex, so that a raw value stored as bytes is found as well as one stored as text.
      const dumped = JSON.stringify(rows, (_, v) =>
        v?.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v,
      ).toLowerCase();
      const raws = [
        RAW.email,
        RAW.emailNormalizedLocal,
        RAW.phoneE164,
        RAW.phone,
        RAW.givenName,
        RAW.familyName,
        RAW.accountId,
        RAW.handle,
      ];
      const found = raws.filter((raw) => {
        const bytes = Buffer.from(raw, 'utf8').toString('hex');
        return dumped.includes(raw.toLowerCase()) || dumped.includes(bytes);
      });
      expect(found).toEqual([]);
    });

    it('starts later when told, scheduled until then, and accepts the 12 months a repeat offender’s conviction allows, to the instant', async () => {
      const startsAt = new Date(clock.now().getTime() + HOUR);
      const endsAt = addMonths(startsAt, 12);
      const view = await orders.create(
        authority,
        input({ repeatOffender: true, startsAt: startsAt.toISOString(), durationDays: undefined, endsAt: endsAt.toISOString() }),
      );
      expect(view).toMatchObject({ status: 'scheduled', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() });
      expect((await rowsOf(view.id)).directives.map((d: any) => d.due_at)).toEqual([startsAt]);
    });

    it('refuses what the law or the signals forbid, with the rule’s code and where, before anything is written', async () => {
      const now = clock.now();
      const today = isoDate(now);
      const refusals: [string, Record<string, unknown>, string[]?][] = [
        // Code pénal 131-35-1: 6 months for a first conviction, 6 for pre-trial bans even for a repeat offender.
        ['ORDER.DURATION_EXCEEDED', { durationDays: 200 }, ['durationDays']],
        ['ORDER.DURATION_EXCEEDED', { legalBasis: 'pretrial_supervision', repeatOffender: true, durationDays: 300 }],
        [
          'ORDER.DURATION_EXCEEDED',
          { repeatOffender: true, durationDays: undefined, endsAt: new Date(addMonths(now, 12).getTime() + 1000).toISOString() },
        ],
        ['ORDER.DECISION_IN_FUTURE', { decisionDate: parisDate(daysFrom(now, 1)) }, ['decisionDate']],
        // Loi n° 2024-449, in force on 2024-05-23.
        ['ORDER.DECISION_BEFORE_LAW', { decisionDate: '2024-05-22' }, ['decisionDate']],
        ['ORDER.START_BEFORE_DECISION', { decisionDate: today, startsAt: daysFrom(now, -2).toISOString() }, ['startsAt']],
        ['ORDER.START_TOO_FAR', { startsAt: daysFrom(now, 367).toISOString() }, ['startsAt']],
        [
          'ORDER.ALREADY_ENDED',
          {
            decisionDate: isoDate(daysFrom(now, -10)),
            startsAt: daysFrom(now, -5).toISOString(),
            durationDays: undefined,
            endsAt: daysFrom(now, -1).toISOString(),
          },
          ['endsAt'],
        ],
        ['ORDER.UNKNOWN_OFFENCE', { offence: 'jaywalking' }, ['offence']],
        [
          'ORDER.UNKNOWN_PLATFORM',
          {
            platforms: [
              { platform: push, accounts: [{ accountId: 'a' }] },
              { platform: 'nowhere', accounts: [{ accountId: 'a' }] },
            ],
          },
          ['platforms[1].platform'],
        ],
        [
          'SIGNAL.INVALID',
          {
            subject: {
              signals: [
                { type: 'email', value: 'no-at-sign.example.fr' },
                { type: 'email', value: RAW.email },
                { type: 'phone', value: '12' },
              ],
            },
          },
          ['subject.signals[0]', 'subject.signals[2]'],
        ],
        [
          'SIGNAL.DUPLICATE',
          {
            subject: {
              signals: [
                { type: 'email', value: RAW.email },
                { type: 'email', value: RAW.email.toUpperCase() },
              ],
            },
          },
          ['subject.signals[1]'],
        ],
        [
          'ORDER.DEVICE_PLATFORM_NOT_NAMED',
          { subject: { signals: [{ type: 'device', value: 'dev-1', platform: pull }] } },
          ['subject.signals[0].platform'],
        ],
      ];
      const before = await count(`SELECT count(*) AS n FROM audit_events WHERE type = 'order.created'`);
      const references: string[] = [];
      const outcomes = [];
      for (const [, overrides, paths] of refusals) {
        const courtReference = uniqueReference();
        references.push(courtReference);
        const error = await orders.create(authority, input({ ...overrides, courtReference })).then(
          () => ({ code: 'created' }),
          (e) => e,
        );
        outcomes.push([error.code, paths ? error.errors?.map((f: { path: string }) => f.path) : undefined]);
        // No refusal repeats a raw value (docs/errors.md).
        expect(JSON.stringify([error.detail, error.errors])).not.toContain(RAW.email);
      }
      expect(outcomes).toEqual(refusals.map(([code, , paths]) => [code, paths]));
      expect(await count(`SELECT count(*) AS n FROM ban_orders WHERE court_reference = ANY($1)`, [references])).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM audit_events WHERE type = 'order.created'`)).toBe(before);
    });

    it('completes the Idempotency-Key record in the order’s transaction: with the order, or not at all', async () => {
      const store = new IdempotencyStore(dataSource);
      const key = idempotencyKey();
      const requestHash = Buffer.alloc(32, 7);
      expect(await store.claim(authority.id, key, requestHash, 30)).toMatchObject({ outcome: 'claimed' });
      const body = input();

      // The transaction fails after the record was completed and the audit event written (the
      // private sets' step, its last, refused by PostgreSQL): none of it stays.
      let failed: string | undefined;
      await asOwner(async (owner) => {
        await owner.query(
          `CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
        );
        await owner.query(`CREATE TRIGGER test_refuse BEFORE INSERT ON private_set_entries FOR EACH ROW EXECUTE FUNCTION test_refuse()`);
      }, lib.db.ownerUrl);
      const requests = context.get(OrderRequestRecord) as RecordedRequests;
      try {
        await expect(orders.create(authority, body, { idempotencyKey: key })).rejects.toThrow('refused by the test');
        failed = requests.lastOrderId;
      } finally {
        await asOwner(async (owner) => {
          await owner.query(`DROP TRIGGER test_refuse ON private_set_entries`);
          await owner.query(`DROP FUNCTION test_refuse()`);
        }, lib.db.ownerUrl);
      }
      expect(failed).toBeDefined();
      expect(await rowsOf(failed!)).toEqual({ orders: [], signals: [], platforms: [], directives: [], events: [] });
      expect(await store.claim(authority.id, key, requestHash, 30)).toEqual({ outcome: 'in_flight' });

      // The same work succeeding: the key replays the order's view, once the order exists.
      const view = await orders.create(authority, body, { idempotencyKey: key });
      expect(await store.claim(authority.id, key, requestHash, 30)).toEqual({
        outcome: 'replay',
        status: 201,
        body: JSON.parse(JSON.stringify(view)),
      });
      expect((await rowsOf(view.id)).events.map((e) => e.type)).toEqual(['order.created']);
    });
  });

  describe('reads', () => {
    it('shows an order to its organisation and to auditors, each read audited; anyone else is told it does not exist, unaudited', async () => {
      const view = await orders.create(authority, input());
      const colleague = authorityOf(authority.organisationId);

      expect(await orders.get(colleague, view.id)).toMatchObject({ id: view.id, status: 'active' });
      expect(await orders.get(auditor, view.id)).toMatchObject({ id: view.id });
      for (const [who, id] of [
        [otherAuthority, view.id],
        [authority, randomUUID()],
        [authority, 'not-a-uuid'],
      ] as const) {
        await expect(orders.get(who, id)).rejects.toMatchObject({ code: 'ORDER.NOT_FOUND' });
      }
      expect((await eventsOf(view.id)).map((e) => [e.type, e.actor])).toEqual([
        ['order.created', `client:${authority.id}`],
        ['order.read', `client:${colleague.id}`],
        ['order.read', `client:${auditor.id}`],
      ]);

      const query = listOrdersQuerySchema.parse({ courtReference: view.courtReference });
      expect((await orders.list(otherAuthority, query)).items).toEqual([]);
      expect((await orders.list(authority, query)).items.map((o) => o.id)).toEqual([view.id]);
      expect((await orders.list(auditor, query)).items.map((o) => o.id)).toEqual([view.id]);
      expect(await orders.auditScope(otherAuthority)).toEqual({ orderIds: [] });
    });

    it('finds an organisation’s orders by the start of their reference whatever the case, through its index', async () => {
      const stem = uniqueReference('SEARCH');
      const a = await orders.create(authority, input({ courtReference: `${stem}-A` }));
      const b = await orders.create(authority, input({ courtReference: `${stem}_B` }));
      const found = async (courtReference: string) =>
        (await orders.list(authority, listOrdersQuerySchema.parse({ courtReference }))).items.map((o) => o.id);
      expect(await found(stem.toLowerCase())).toEqual([b.id, a.id]);
      expect(await found(`${stem.toLowerCase()}_`)).toEqual([b.id]);
      expect(await found(`${stem}%`)).toEqual([]);
      // The plans PostgreSQL makes of the list's condition, with the values bound as node-postgres binds them:
      // across organisations (an auditor), a range of the prefix index; in one, an index (on so few rows,
      // the organisation's own is as cheap as the composite one).
      const plan = (scoped: boolean) =>
        dataSource.transaction(async (em) => {
          await em.query(`SET LOCAL enable_seqscan = off`);
          const rows: { 'QUERY PLAN': unknown }[] = await em.query(
            `EXPLAIN (FORMAT JSON) SELECT id FROM ban_orders o
             WHERE ($1::uuid IS NULL OR o.organisation_id = $1) AND lower(o.court_reference) LIKE lower($2) || '%' ESCAPE '\\'`,
            [scoped ? authority.organisationId : null, stem.toLowerCase()],
          );
          return JSON.stringify(rows[0]!['QUERY PLAN']);
        });
      const everywhere = await plan(false);
      expect(everywhere).toContain('"Index Name":"idx_ban_orders_reference_prefix"');
      expect(everywhere).toMatch(/"Index Cond":"[^"]*~>=~[^"]*~<~/);
      expect(await plan(true)).toMatch(/"Index Name":"idx_ban_orders_organisation_(reference|id)"/);

      // A reference the organisation already has is refused unless confirmed, whatever its case; another organisation may use it.
      await expect(orders.create(authority, input({ courtReference: `${stem}-a`.toLowerCase() }))).rejects.toMatchObject({
        code: 'ORDER.DUPLICATE_REFERENCE',
      });
      await expect(orders.create(otherAuthority, input({ courtReference: `${stem}-A` }))).resolves.toMatchObject({
        courtReference: `${stem}-A`,
      });
      const again = await orders.create(authority, input({ courtReference: `${stem}-A`, duplicateReferenceConfirmed: true }));
      expect(await found(`${stem}-a`)).toEqual([again.id, a.id]);
    });
  });

  describe('revoke', () => {
    const revocation = { reason: 'Relèvement de la peine', decisionReference: 'TJ-REL-1' };

    it('revokes an active order once: the reason kept, the platforms told (a suspend never sent is cancelled), audited', async () => {
      const view = await orders.create(authority, input(both()));
      clock.advance(60_000);

      const revoked = await orders.revoke(authority, view.id, revocation);
      expect(revoked).toMatchObject({ status: 'revoked', revokedAt: clock.now().toISOString(), revocation });
      // Nothing was relayed yet: neither platform ever hears of the order.
      expect(revoked.platforms.map((p) => [p.platform, p.status, p.outcome]).sort()).toEqual(
        [
          [pull, 'lifted', 'cancelled_before_delivery'],
          [push, 'lifted', 'cancelled_before_delivery'],
        ].sort(),
      );
      const events = await eventsOf(view.id);
      expect(events.map((e) => e.type).sort()).toEqual(['directive.cancelled', 'directive.cancelled', 'order.created', 'order.revoked']);
      expect(events.find((e) => e.type === 'order.revoked')).toMatchObject({
        actor: `client:${authority.id}`,
        data: { decisionReference: 'TJ-REL-1', previousStatus: 'active' },
      });

      await expect(orders.revoke(authority, view.id, revocation)).rejects.toMatchObject({ code: 'ORDER.NOT_REVOCABLE' });
      expect(await eventsOf(view.id)).toHaveLength(4);
      expect(await orders.get(authority, view.id)).toMatchObject({ status: 'revoked', revocation });
    });

    it('revokes a scheduled order; refuses an ended one, and another authority’s, changing nothing', async () => {
      const scheduled = await orders.create(authority, input({ startsAt: daysFrom(clock.now(), 2).toISOString() }));
      expect(await orders.revoke(authority, scheduled.id, revocation)).toMatchObject({ status: 'revoked' });
      expect((await eventsOf(scheduled.id)).find((e) => e.type === 'order.revoked')).toMatchObject({
        data: { previousStatus: 'scheduled' },
      });

      const active = await orders.create(authority, input({ durationDays: 10 }));
      await expect(orders.revoke(otherAuthority, active.id, revocation)).rejects.toMatchObject({ code: 'ORDER.NOT_FOUND' });
      clock.advance(10 * DAY);
      await expect(orders.revoke(authority, active.id, revocation)).rejects.toMatchObject({ code: 'ORDER.NOT_REVOCABLE' });
      expect((await rowsOf(active.id)).orders[0]).toMatchObject({ revoked_at: null, revocation_reason: null });
      expect((await eventsOf(active.id)).map((e) => e.type)).toEqual(['order.created']);
    });
  });

  describe('lifecycle', () => {
    const stamps = async (id: string) =>
      (await dataSource.query(`SELECT activated_at, expired_at, purged_at FROM ban_orders WHERE id = $1`, [id]))[0];
    const typesOf = async (id: string) => (await eventsOf(id)).map((e) => e.type);

    it('activates a scheduled order at its start and expires it at its end, each once, telling the platforms to lift', async () => {
      const startsAt = new Date(clock.now().getTime() + HOUR);
      const view = await orders.create(authority, input({ ...both(), startsAt: startsAt.toISOString(), durationDays: 30 }));

      await lifecycle.tick();
      expect(await stamps(view.id)).toMatchObject({ activated_at: null });
      clock.set(startsAt);
      await lifecycle.tick();
      await lifecycle.tick();
      expect(await stamps(view.id)).toMatchObject({ activated_at: startsAt, expired_at: null });
      expect(await typesOf(view.id)).toEqual(['order.created', 'order.activated']);

      // Both suspends went out (the relay's work): at the end, each platform is told to lift.
      await dataSource.transaction((em) => context.get(EnforcementStore).queueDue(em, clock.now(), 10_000));

      clock.set(new Date(view.endsAt));
      await lifecycle.tick();
      await lifecycle.tick();
      expect(await stamps(view.id)).toMatchObject({ expired_at: new Date(view.endsAt), purged_at: null });
      expect(await typesOf(view.id)).toEqual(['order.created', 'order.activated', 'order.expired']);
      const after = await orders.get(auditor, view.id);
      expect(after.status).toBe('expired');
      expect(after.platforms.map((p) => [p.platform, p.status]).sort()).toEqual(
        [
          [pull, 'lifting'],
          [push, 'lifting'],
        ].sort(),
      );
      expect(
        (await rowsOf(view.id)).directives
          .filter((d: any) => d.type === 'lift')
          .map((d: any) => d.platform_id)
          .sort(),
      ).toEqual([pull, push].sort());
    });

    it('never activates nor expires a revoked order', async () => {
      const view = await orders.create(authority, input({ startsAt: daysFrom(clock.now(), 1).toISOString(), durationDays: 5 }));
      await orders.revoke(authority, view.id, { reason: 'Appel', decisionReference: 'CA-1' });
      clock.set(daysFrom(start, 7));
      await lifecycle.tick();
      expect(await stamps(view.id)).toEqual({ activated_at: null, expired_at: null, purged_at: null });
      expect((await typesOf(view.id)).sort()).toEqual(['directive.cancelled', 'order.created', 'order.revoked']);
    });

    it('purges an ended order’s signal digests and sealed accounts once its retention has passed, counting from a revocation too', async () => {
      const retention = config.retention.days;
      const expiring = await orders.create(authority, input({ ...both(), durationDays: 10 }));
      const revoked = await orders.create(authority, input({ durationDays: 100 }));
      clock.advance(DAY);
      await orders.revoke(authority, revoked.id, { reason: 'Relèvement', decisionReference: 'TJ-REL-2' });

      // The revoked order's retention ends first (it ended nine days earlier); the expired one's
      // is a minute short.
      clock.set(new Date(new Date(expiring.endsAt).getTime() + retention * DAY - 60_000));
      await lifecycle.tick();
      expect((await stamps(revoked.id)).purged_at).toEqual(clock.now());
      expect((await stamps(expiring.id)).purged_at).toBeNull();
      expect((await rowsOf(expiring.id)).signals).toHaveLength(3);

      clock.advance(60_000);
      await lifecycle.tick();
      await lifecycle.tick();
      const rows = await rowsOf(expiring.id);
      expect(rows.signals).toEqual([]);
      expect(rows.platforms.map((p: any) => p.accounts_enc)).toEqual([null, null]);
      // What is not identifying stays, for the audit: the order's terms and counts.
      expect(rows.orders[0]).toMatchObject({ court_reference: expiring.courtReference, signal_count: 3, purged_at: clock.now() });
      expect(rows.events.filter((e) => e.type === 'order.purged')).toEqual([
        {
          type: 'order.purged',
          actor: 'system:lifecycle',
          platform_id: null,
          data: { signalDigestsDeleted: 3, retentionDays: retention },
        },
      ]);
      expect((await eventsOf(revoked.id)).filter((e) => e.type === 'order.purged')).toHaveLength(1);
    });
  });
});

/** The request stage as the API's IdempotencyRecord does it, remembering the last order it saw. */
class RecordedRequests extends OrderRequestRecord {
  lastOrderId?: string;

  async onOrderChange(em: EntityManager, change: OrderChange): Promise<void> {
    if (change.type !== 'created' || change.request.idempotencyKey === undefined) return;
    this.lastOrderId = change.order.id;
    await new IdempotencyStore(em.connection).complete(em, change.request.caller.id, change.request.idempotencyKey, 201, change.view);
  }
}
