import { randomBytes, randomUUID } from 'node:crypto';
import { SignupMatchesModule } from '@ostracon/screening';
import { type INestApplicationContext } from '@nestjs/common';

import { ManualClock, type AuthenticatedClient } from '@ostracon/common';
import { type AppConfig } from '@ostracon/config';
import { EnforcementModule } from '@ostracon/enforcement';
import { type SignalInput, prepareSignal } from '@ostracon/identity';
import { OrderLifecycle, type OrderView, OrdersModule, OrdersService, createOrderSchema } from '@ostracon/orders';
import { voprf } from '@ostracon/platform-sdk';
import {
  type LibContext,
  libContext,
  asOwner,
  authorityRow,
  daysFrom,
  orderBody,
  platformClient,
  platformRow,
} from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import { EvaluationCounts } from './evaluation-counts';
import { PrivateChecksModule } from './private-checks.module';
import { PrivateChecksService } from './private-checks.service';

const DAY = 86_400_000;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The private mode's service side against the real PostgreSQL (docs/private-checks.md): keys,
 * evaluations, a platform's set and its changes, match reports. The sets are driven by the order's
 * transactions, so orders are made, revoked and aged through libs/orders, as the API and the worker
 * do. The platform's side is done here by hand with the SDK's protocol (blind, verify, unblind, tag),
 * as `PrivateScreener` does it.
 */
describe('private checks: PrivateChecksService', () => {
  let lib: LibContext;
  let config: AppConfig;
  let context: INestApplicationContext;
  let dataSource: DataSource;
  let service: PrivateChecksService;
  let orders: OrdersService;
  let authority: AuthenticatedClient;
  const clock = new ManualClock();
  const start = clock.now();

  beforeAll(async () => {
    lib = await libContext('private', {
      clock,
      // The enforcement stage of order changes (the private sets' is PrivateChecksModule's).
      imports: [PrivateChecksModule, OrdersModule, EnforcementModule, SignupMatchesModule],
      // Batches are worked on the event loop, a chunk at a time (the threads have their e2e test).
      config: (base) => ({ ...base, screening: { ...base.screening, evaluationThreads: 0 } }),
    });
    ({ context, config, dataSource } = lib);
    service = context.get(PrivateChecksService);
    orders = context.get(OrdersService);
    authority = {
      kind: 'client',
      id: randomUUID(),
      name: 'Parquet',
      role: 'authority',
      organisationId: await authorityRow(dataSource),
      platformId: null,
    };
    await voprf.loadVoprf();
    await service.publishKeys();
  });
  afterAll(() => lib?.close());
  beforeEach(() => clock.set(start));

  const keyId = () => service.keysView().keys[0]!.keyId;
  const publicKey = () => Buffer.from(service.keysView().keys[0]!.publicKey, 'hex');
  /** A platform of its own, and its key: each test reads a set nobody else's orders touch. */
  const newPlatform = async () => platformClient(dataSource, await platformRow(dataSource, 'pull'));
  const uniqueEmail = () => `banned.${randomUUID().slice(0, 8)}@example.fr`;
  const uniqueName = () => Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');

  async function order(platforms: string[], signals: unknown[], overrides: Record<string, unknown> = {}): Promise<OrderView> {
    const body = orderBody(platforms[0]!, clock.now(), {
      subject: { signals },
      platforms: platforms.map((platform) => ({ platform, accounts: [{ accountId: 'acct-1' }] })),
      ...overrides,
    });
    return orders.create(authority, createOrderSchema.parse(body));
  }

  /**
   * What the SDK does for a sign-up: prehash, blind, have the service evaluate, verify the proof
   * against the published key (an answer that does not verify is refused), unblind, tag.
   */
  async function evaluateAs(caller: AuthenticatedClient, signals: SignalInput[]) {
    const inputs = signals.map((s) => {
      const prepared = prepareSignal(s, { defaultCountry: 'FR', today: '2026-01-01', platform: caller.platformId! });
      if (!prepared.ok) throw new Error(prepared.reason);
      return voprf.blind(Buffer.from(prepared.signal.prehash, 'hex'));
    });
    const blinded = inputs.map((i) => i.blindedElement);
    const answer = await service.evaluate(caller, { keyId: keyId(), blindedElements: blinded.map(hex) });
    const evaluated = answer.evaluatedElements.map((e) => Buffer.from(e, 'hex'));
    if (!voprf.verifyBatch(publicKey(), blinded, evaluated, Buffer.from(answer.proof, 'hex'))) throw new Error('the proof does not verify');
    const elements = inputs.map((i, n) => voprf.unblind(i.blind, evaluated[n]!));
    return { elements: elements.map(hex), tags: elements.map((e) => voprf.tagOf(e).toString('hex')) };
  }

  /** The whole set as a download gives it, and the cursor that follows it from there. */
  async function download(caller: AuthenticatedClient, limit = 1000) {
    const entries: { op: string; tag: string; strength: string }[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await service.setPage(caller, { cursor, limit, wait: 0 });
      entries.push(...page.entries);
      cursor = page.cursor;
      if (!page.more) return { entries, cursor };
    }
  }
  const matchRows = (orderId: string): Promise<{ decision: string; signal_types: string[]; client_id: string }[]> =>
    dataSource.query(`SELECT decision, signal_types, client_id FROM signup_matches WHERE order_id = $1`, [orderId]);
  const matchEvents = (orderId: string): Promise<{ data: any }[]> =>
    dataSource.query(`SELECT data FROM audit_events WHERE type = 'signup.matched' AND order_id = $1 ORDER BY seq`, [orderId]);
  const codeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'done',
      (e: { code?: string; message: string }) => e.code ?? e.message,
    );

  describe('keys', () => {
    it('serves every configured key, and records each public key once in the audit log', async () => {
      const keys = service.keysView().keys;
      expect(keys.map((k) => k.keyId)).toEqual(config.signals.oprfKeys.map((k) => k.keyId));
      expect(keys.every((k) => k.suite === 'ristretto255-SHA512' && k.mode === 'voprf' && /^[0-9a-f]{64}$/.test(k.publicKey))).toBe(true);

      await service.publishKeys();
      const rows: { key_id: string; public_key: Buffer }[] = await dataSource.query(
        `SELECT key_id, public_key FROM oprf_keys ORDER BY key_id`,
      );
      expect(rows.map((r) => [r.key_id, hex(r.public_key)])).toEqual(keys.map((k) => [k.keyId, k.publicKey]).sort());
      const published: { actor: string; data: any }[] = await dataSource.query(
        `SELECT actor, data FROM audit_events WHERE type = 'private_key.published' ORDER BY seq`,
      );
      expect(published).toEqual(
        keys.map((k) => ({ actor: 'system:api', data: { keyId: k.keyId, suite: k.suite, mode: k.mode, publicKey: k.publicKey } })),
      );
    });

    it('refuses to serve a key whose public key is not the one the audit log recorded for its id', async () => {
      const recorded: { public_key: Buffer }[] = await dataSource.query(`SELECT public_key FROM oprf_keys WHERE key_id = $1`, [keyId()]);
      const other = voprf.deriveKeyPair(randomBytes(32), new TextEncoder().encode('another key')).publicKey;
      const record = (key: Uint8Array) =>
        asOwner(
          (owner) => owner.query(`UPDATE oprf_keys SET public_key = $2 WHERE key_id = $1`, [keyId(), Buffer.from(key)]),
          lib.db.ownerUrl,
        );
      await record(other);
      try {
        await expect(service.publishKeys()).rejects.toThrow(/does not match the public key the audit log recorded/);
      } finally {
        await record(recorded[0]!.public_key);
      }
      await service.publishKeys();
    });
  });

  describe('evaluations and matches', () => {
    it('evaluates blinded elements under the served key with a proof that verifies; a banned identity’s tag is in its platform’s set', async () => {
      const platform = await newPlatform();
      const email = uniqueEmail();
      await order([platform.platformId!], [{ type: 'email', value: email }]);

      const { tags } = await evaluateAs(platform, [
        { type: 'email', value: email.toUpperCase() },
        { type: 'email', value: uniqueEmail() },
      ]);
      const set = (await download(platform)).entries;
      expect(set).toEqual([{ op: 'add', tag: tags[0], strength: 'strong' }]);
      expect(set.map((e) => e.tag)).not.toContain(tags[1]);

      // A batch of more than one chunk still gets one proof over every element.
      const many = Array.from({ length: 33 }, () => ({ type: 'email' as const, value: uniqueEmail() }));
      expect((await evaluateAs(platform, many)).tags).toHaveLength(33);
    });

    it('refuses a key that does not serve, and an element that is not a valid ristretto255 encoding, naming it', async () => {
      const platform = await newPlatform();
      const valid = hex(voprf.blind(randomBytes(32)).blindedElement);
      expect(await codeOf(service.evaluate(platform, { keyId: 'retired', blindedElements: [valid] }))).toBe('PRIVATE.KEY_UNKNOWN');
      const refused = await service
        .evaluate(platform, { keyId: keyId(), blindedElements: [valid, '00'.repeat(32), 'ff'.repeat(32)] })
        .catch((e) => e);
      expect([refused.code, refused.errors.map((e: { path: string }) => e.path)]).toEqual([
        'PRIVATE.ELEMENT_INVALID',
        ['blindedElements[1]', 'blindedElements[2]'],
      ]);
      expect(await codeOf(service.match(platform, { keyId: keyId(), elements: ['00'.repeat(32)] }))).toBe('PRIVATE.ELEMENT_INVALID');
    });

    it('counts evaluations per platform and hour, never one by one, and audits each past hour once', async () => {
      const platform = await newPlatform();
      const eventsBefore = Number((await dataSource.query(`SELECT count(*) AS n FROM audit_events`))[0].n);
      await evaluateAs(platform, [{ type: 'email', value: uniqueEmail() }]);
      await evaluateAs(platform, [
        { type: 'email', value: uniqueEmail() },
        { type: 'phone', value: '06 12 34 56 78' },
      ]);
      expect(Number((await dataSource.query(`SELECT count(*) AS n FROM audit_events`))[0].n)).toBe(eventsBefore);

      await service.flushCounts();
      const hour = new Date(Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000);
      expect(
        await dataSource.query(`SELECT hour, requests, elements FROM private_evaluation_counts WHERE platform_id = $1`, [
          platform.platformId,
        ]),
      ).toEqual([{ hour, requests: '2', elements: '3' }]);
      const counts = context.get(EvaluationCounts);
      await counts.auditCompleted(new Date(hour.getTime() + 2 * 3_600_000));
      await counts.auditCompleted(new Date(hour.getTime() + 3 * 3_600_000));
      const audited: { data: any }[] = await dataSource.query(
        `SELECT data FROM audit_events WHERE type = 'private_evaluations.counted' AND platform_id = $1`,
        [platform.platformId],
      );
      expect(audited.map((e) => e.data)).toEqual([{ hour: hour.toISOString(), requests: 2, elements: 3 }]);
    });

    it('decides a match report as the plain check does, and records it with its event in mode "private"', async () => {
      const platform = await newPlatform();
      const email = uniqueEmail();
      const person = { givenName: 'Paul', familyName: uniqueName(), birthDate: '1985-06-15' };
      const byEmail = await order([platform.platformId!], [{ type: 'email', value: email }], { durationDays: 30 });
      const byName = await order([platform.platformId!], [{ type: 'name_dob', value: person }], { durationDays: 60 });
      const { elements } = await evaluateAs(platform, [
        { type: 'email', value: email },
        { type: 'name_dob', value: person },
      ]);

      clock.advance(5000);
      const block = await service.match(platform, { keyId: keyId(), elements });
      expect(block).toEqual({ decision: 'block', matchId: expect.any(String), banEndsAt: byEmail.endsAt });
      const review = await service.match(platform, { keyId: keyId(), elements: [elements[1]!] });
      expect(review).toEqual({ decision: 'review', matchId: expect.any(String), banEndsAt: byName.endsAt });

      expect(await matchRows(byEmail.id)).toEqual([{ decision: 'block', signal_types: ['email'], client_id: platform.id }]);
      expect(await matchRows(byName.id)).toEqual([{ decision: 'review', signal_types: ['name_dob'], client_id: platform.id }]);
      expect((await matchEvents(byEmail.id)).map((e) => e.data)).toEqual([
        { matchId: block.matchId, decision: 'block', signalTypes: ['email'], mode: 'private' },
      ]);
    });

    it('answers allow, recording nothing, for an element no live order naming the caller holds', async () => {
      const platform = await newPlatform();
      const elsewhere = await newPlatform();
      const email = uniqueEmail();
      const other = await order([elsewhere.platformId!], [{ type: 'email', value: email }]);
      const later = uniqueEmail();
      const scheduled = await order([platform.platformId!], [{ type: 'email', value: later }], {
        startsAt: daysFrom(start, 1).toISOString(),
        durationDays: 5,
      });
      const revokedEmail = uniqueEmail();
      const revoked = await order([platform.platformId!], [{ type: 'email', value: revokedEmail }]);
      await orders.revoke(authority, revoked.id, { reason: 'Relèvement', decisionReference: 'TJ-REL-3' });

      const { elements } = await evaluateAs(platform, [
        { type: 'email', value: email },
        { type: 'email', value: later },
        { type: 'email', value: revokedEmail },
      ]);
      const random = hex(voprf.blind(randomBytes(32)).blindedElement);
      for (const element of [...elements, random]) {
        expect(await service.match(platform, { keyId: keyId(), elements: [element] })).toEqual({ decision: 'allow' });
      }
      // Another platform's banned element is no match for this one, but is for its own.
      expect(await service.match(elsewhere, { keyId: keyId(), elements: [elements[0]!] })).toMatchObject({ decision: 'block' });

      // Its window decides by the clock, before any lifecycle tick: from its start, until its end.
      clock.set(new Date(scheduled.startsAt));
      expect(await service.match(platform, { keyId: keyId(), elements: [elements[1]!] })).toMatchObject({ decision: 'block' });
      clock.set(new Date(scheduled.endsAt));
      expect(await service.match(platform, { keyId: keyId(), elements: [elements[1]!] })).toEqual({ decision: 'allow' });

      expect(await matchRows(revoked.id)).toEqual([]);
      expect((await matchRows(other.id)).map((r) => r.client_id)).toEqual([elsewhere.id]);
    });
  });

  describe('the set', () => {
    it('downloads a platform’s set page by page, then follows its changes in order: additions, and removals at a revocation', async () => {
      const platform = await newPlatform();
      const emails = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
      const first = await order(
        [platform.platformId!],
        [
          { type: 'email', value: emails[0] },
          { type: 'email', value: emails[1] },
        ],
      );
      const person = { givenName: 'Lou', familyName: uniqueName(), birthDate: '2000-02-29' };
      await order([platform.platformId!], [{ type: 'name_dob', value: person }]);
      const { tags } = await evaluateAs(platform, [
        { type: 'email', value: emails[0]! },
        { type: 'email', value: emails[1]! },
        { type: 'name_dob', value: person },
        { type: 'email', value: emails[2]! },
      ]);

      const pages = await download(platform, 1);
      expect(pages.entries.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual(
        [
          { op: 'add', tag: tags[0], strength: 'strong' },
          { op: 'add', tag: tags[1], strength: 'strong' },
          { op: 'add', tag: tags[2], strength: 'possible' },
        ].sort((a, b) => a.tag!.localeCompare(b.tag!)),
      );
      // Nothing new since: an empty page, and the same place in the set.
      const idle = await service.setPage(platform, { cursor: pages.cursor, limit: 10, wait: 0 });
      expect(idle).toMatchObject({ entries: [], more: false });

      await order([platform.platformId!], [{ type: 'email', value: emails[2] }]);
      await orders.revoke(authority, first.id, { reason: 'Appel', decisionReference: 'CA-3' });
      const changes = await service.setPage(platform, { cursor: idle.cursor, limit: 10, wait: 0 });
      // In the order they happened: the new order's tag, then the revoked order's two.
      const [added, ...removed] = changes.entries.map((e) => `${e.op} ${e.tag}`);
      expect([added, removed.sort()]).toEqual([`add ${tags[3]}`, [`remove ${tags[0]}`, `remove ${tags[1]}`].sort()]);
      // A platform following from there sees nothing twice.
      expect((await service.setPage(platform, { cursor: changes.cursor, limit: 10, wait: 0 })).entries).toEqual([]);
    });

    it('holds a long poll until the set changes, at most four per key', async () => {
      const platform = await newPlatform();
      const { cursor } = await download(platform);
      const email = uniqueEmail();
      const polls = [1, 2, 3, 4].map(() => service.setPage(platform, { cursor, limit: 10, wait: 20 }));
      // Let the polls start waiting before the fifth and the change.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await codeOf(service.setPage(platform, { cursor, limit: 10, wait: 20 }))).toBe('RATE_LIMIT.EXCEEDED');
      const began = Date.now();
      await order([platform.platformId!], [{ type: 'email', value: email }]);
      const { tags } = await evaluateAs(platform, [{ type: 'email', value: email }]);
      for (const page of await Promise.all(polls)) expect(page.entries).toEqual([{ op: 'add', tag: tags[0], strength: 'strong' }]);
      expect(Date.now() - began).toBeLessThan(10_000);
      // The four are over: a fifth may wait again.
      expect((await service.setPage(platform, { cursor, limit: 10, wait: 1 })).entries).toHaveLength(1);
    });

    it('takes a scheduled order in when the lifecycle activates it, and out when it expires', async () => {
      const platform = await newPlatform();
      const email = uniqueEmail();
      const scheduled = await order([platform.platformId!], [{ type: 'email', value: email }], {
        startsAt: new Date(start.getTime() + 3_600_000).toISOString(),
        durationDays: 2,
      });
      const { tags } = await evaluateAs(platform, [{ type: 'email', value: email }]);
      const { entries, cursor } = await download(platform);
      expect(entries).toEqual([]);

      const lifecycle = context.get(OrderLifecycle);
      clock.set(new Date(scheduled.startsAt));
      await lifecycle.tick();
      const activated = await service.setPage(platform, { cursor, limit: 10, wait: 0 });
      expect(activated.entries).toEqual([{ op: 'add', tag: tags[0], strength: 'strong' }]);
      clock.set(new Date(scheduled.endsAt));
      await lifecycle.tick();
      expect((await service.setPage(platform, { cursor: activated.cursor, limit: 10, wait: 0 })).entries).toEqual([
        { op: 'remove', tag: tags[0], strength: 'strong' },
      ]);
    });

    it('refuses a cursor it did not issue; after a purge, a cursor from before it is told to download again', async () => {
      const platform = await newPlatform();
      expect(await codeOf(service.setPage(platform, { cursor: 'not-a-cursor', limit: 10, wait: 0 }))).toBe('PRIVATE.CURSOR_INVALID');

      const email = uniqueEmail();
      const ended = await order([platform.platformId!], [{ type: 'email', value: email }], { durationDays: 1 });
      const before = await download(platform);
      expect(before.entries).toHaveLength(1);
      await orders.revoke(authority, ended.id, { reason: 'Relèvement', decisionReference: 'TJ-REL-4' });
      const removal = await service.setPage(platform, { cursor: before.cursor, limit: 10, wait: 0 });
      expect(removal.entries.map((e) => e.op)).toEqual(['remove']);

      // Retention over: the order purged, its removal forgotten a day later by the lifecycle.
      clock.set(new Date(start.getTime() + (config.retention.days + 2) * DAY));
      await context.get(OrderLifecycle).tick();
      expect(await codeOf(service.setPage(platform, { cursor: before.cursor, limit: 10, wait: 0 }))).toBe('PRIVATE.CURSOR_STALE');
      // A new download starts past what was forgotten, and can be followed.
      const again = await download(platform);
      expect(again.entries).toEqual([]);
      await order([platform.platformId!], [{ type: 'email', value: uniqueEmail() }]);
      expect((await service.setPage(platform, { cursor: again.cursor, limit: 10, wait: 0 })).entries.map((e) => e.op)).toEqual(['add']);
    });
  });
});
