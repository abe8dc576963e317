import { createHash, randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { ManualClock } from '@ostracon/common';
import { type AppConfig } from '@ostracon/config';
import { type LibContext, libContext, platformRow, waitFor } from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import { ApiKeyIndex } from './api-key-index';
import { AuthModule } from './auth.module';
import { ClientsService } from './clients.service';
import { OrganisationsService } from './organisations.service';
import { PeopleService, type SignInIdentity } from './people.service';
import { SessionStore } from './session.store';

const MINUTE = 60_000;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * libs/auth's services against the real PostgreSQL, the lib alone: organisations, their keys and
 * people, sessions (docs/people.md, docs/security.md § API keys). Each change is audited in its
 * own transaction without a key or an e-mail; a key and a session cookie are stored only as
 * their SHA-256; a revocation or a removal takes effect at once, on every process.
 */
describe('auth: organisations, API keys, people and sessions', () => {
  let lib: LibContext;
  let config: AppConfig;
  let context: INestApplicationContext;
  let dataSource: DataSource;
  let organisations: OrganisationsService;
  let clients: ClientsService;
  let people: PeopleService;
  let sessions: SessionStore;
  let keys: ApiKeyIndex;
  let platform: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    lib = await libContext('auth', { imports: [AuthModule], clock });
    ({ context, config, dataSource } = lib);
    organisations = context.get(OrganisationsService);
    clients = context.get(ClientsService);
    people = context.get(PeopleService);
    sessions = context.get(SessionStore);
    keys = context.get(ApiKeyIndex);
    platform = await platformRow(dataSource, 'pull');
  });
  afterAll(() => lib?.close());

  const events = (type: string): Promise<{ actor: string; platform_id: string | null; data: any }[]> =>
    dataSource.query(`SELECT actor, platform_id, data FROM audit_events WHERE type = $1 ORDER BY seq`, [type]);
  const eventsAbout = async (type: string, key: string, id: string) => (await events(type)).filter((e) => e.data[key] === id);
  const codeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'done',
      (e: { code?: string; message: string }) => e.code ?? e.message,
    );
  const count = async (sql: string, params: unknown[]) => Number((await dataSource.query(sql, params))[0].n);

  describe('organisations', () => {
    it('registers an organisation in one role, a platform’s bound to its platform, each audited', async () => {
      const parquet = await organisations.create({ name: 'Parquet de Lille', role: 'authority' }, 'cli');
      expect(parquet).toMatchObject({ name: 'Parquet de Lille', role: 'authority', platform: null });
      expect(await organisations.get(parquet.id)).toEqual(parquet);
      const network = await organisations.create({ name: 'Réseau', role: 'platform', platform }, 'cli');
      expect(network).toMatchObject({ role: 'platform', platform });

      expect(await eventsAbout('organisation.created', 'organisationId', parquet.id)).toEqual([
        { actor: 'cli', platform_id: null, data: { organisationId: parquet.id, role: 'authority' } },
      ]);
      expect((await eventsAbout('organisation.created', 'organisationId', network.id))[0]).toMatchObject({ platform_id: platform });
      expect((await organisations.findByName('Parquet de Lille', 'authority'))?.id).toBe(parquet.id);
    });

    it('refuses a platform organisation without its platform, another role with one, an unknown platform; and reads no unknown id', async () => {
      const before = await count(`SELECT count(*) AS n FROM organisations`, []);
      expect(await codeOf(organisations.create({ name: 'Sans plateforme', role: 'platform' }, 'cli'))).toBe('CLIENT.PLATFORM_REQUIRED');
      expect(await codeOf(organisations.create({ name: 'Parquet', role: 'authority', platform }, 'cli'))).toBe('CLIENT.PLATFORM_REQUIRED');
      expect(await codeOf(organisations.create({ name: 'Inconnue', role: 'platform', platform: 'nowhere' }, 'cli'))).toBe(
        'PLATFORM.NOT_FOUND',
      );
      expect(await codeOf(organisations.create({ name: '', role: 'admin' }, 'cli'))).toBe('VALIDATION.FAILED');
      expect(await count(`SELECT count(*) AS n FROM organisations`, [])).toBe(before);
      expect(await codeOf(organisations.get(randomUUID()))).toBe('ORGANISATION.NOT_FOUND');
      expect(await codeOf(organisations.get('not-a-uuid'))).toBe('ORGANISATION.NOT_FOUND');
    });
  });

  describe('API keys', () => {
    it('creates a key for an organisation: shown once, stored as its SHA-256 only, usable at once, audited without it', async () => {
      const parquet = await organisations.create({ name: 'Parquet de Nantes', role: 'authority' }, 'cli');
      const created = await clients.create({ name: 'Greffe', organisation: parquet.id }, 'system:test');

      expect(created).toEqual({
        id: expect.any(String),
        name: 'Greffe',
        organisation: parquet.id,
        role: 'authority',
        platform: null,
        apiKey: expect.stringMatching(/^ost_[A-Za-z0-9_-]{43}$/),
      });
      const [row] = await dataSource.query(`SELECT * FROM api_clients WHERE id = $1`, [created.id]);
      expect(row.key_hash).toEqual(sha256(created.apiKey));
      const event = await eventsAbout('client.created', 'clientId', created.id);
      expect(event).toEqual([
        { actor: 'system:test', platform_id: null, data: { clientId: created.id, organisationId: parquet.id, role: 'authority' } },
      ]);
      expect(JSON.stringify([row, event])).not.toContain(created.apiKey.slice(4));

      const caller = { kind: 'client', id: created.id, name: 'Greffe', role: 'authority', organisationId: parquet.id, platformId: null };
      expect(keys.find(created.apiKey)).toEqual(caller);
      expect(await keys.lookup(created.apiKey)).toEqual(caller);
      const forged = created.apiKey.slice(0, -1) + (created.apiKey.endsWith('A') ? 'B' : 'A');
      expect(keys.find(forged)).toBeUndefined();
      expect(await keys.lookup(forged)).toBeNull();
      expect(await keys.lookup('ost_short')).toBeNull();
      expect((await clients.list()).find((c) => c.id === created.id)).toMatchObject({ organisation: parquet.id, revokedAt: null });
      expect(JSON.stringify(await clients.list())).not.toContain(created.apiKey);
    });

    it('makes a key with a role an organisation of its own, in the same transaction; a platform key acts for its platform', async () => {
      const created = await clients.create(
        { name: 'Réseau social', role: 'platform', platform, signupRatePerSecond: 50, signupRateBurst: 2000 },
        'cli',
      );
      const organisation = await organisations.get(created.organisation);
      expect(organisation).toMatchObject({ name: 'Réseau social', role: 'platform', platform });
      expect(keys.find(created.apiKey)).toMatchObject({
        role: 'platform',
        platformId: platform,
        signupLimit: { ratePerSecond: 50, burst: 2000 },
      });
      expect(await eventsAbout('organisation.created', 'organisationId', organisation.id)).toHaveLength(1);
      expect((await eventsAbout('client.created', 'clientId', created.id))[0]).toMatchObject({
        platform_id: platform,
        data: { role: 'platform', signupRatePerSecond: 50, signupRateBurst: 2000 },
      });
    });

    it('refuses a key whose role or platform is not its organisation’s, or for no organisation, or an unknown one, writing nothing', async () => {
      const parquet = await organisations.create({ name: 'Parquet de Rennes', role: 'authority' }, 'cli');
      const before = await count(`SELECT count(*) AS n FROM api_clients`, []);
      const organisationsBefore = await count(`SELECT count(*) AS n FROM organisations`, []);
      expect(await codeOf(clients.create({ name: 'Admin?', organisation: parquet.id, role: 'admin' }, 'cli'))).toBe('CLIENT.ROLE_MISMATCH');
      expect(await codeOf(clients.create({ name: 'Plateforme?', organisation: parquet.id, platform }, 'cli'))).toBe('CLIENT.ROLE_MISMATCH');
      expect(await codeOf(clients.create({ name: 'Personne' }, 'cli'))).toBe('CLIENT.ROLE_MISMATCH');
      expect(await codeOf(clients.create({ name: 'Orpheline', organisation: randomUUID() }, 'cli'))).toBe('ORGANISATION.NOT_FOUND');
      expect(await codeOf(clients.create({ name: 'Inconnue', role: 'platform', platform: 'nowhere' }, 'cli'))).toBe('PLATFORM.NOT_FOUND');
      expect(await codeOf(clients.create({ name: 'Petite', role: 'platform', platform, signupRateBurst: 10 }, 'cli'))).toBe(
        'VALIDATION.FAILED',
      );
      expect(await count(`SELECT count(*) AS n FROM api_clients`, [])).toBe(before);
      expect(await count(`SELECT count(*) AS n FROM organisations`, [])).toBe(organisationsBefore);
    });

    it('revokes a key once: it stops working at once here, and on another process as soon as the notification arrives', async () => {
      // Another API process on the same database, following the keys as the API does.
      const other = await lib.another('auth-test-other');
      try {
        const otherKeys = other.get(ApiKeyIndex);
        await otherKeys.start();
        const created = await clients.create({ name: 'Plateforme', role: 'platform', platform }, 'cli');
        await waitFor(() => otherKeys.find(created.apiKey), 'the other process to know the new key');

        const limited = await clients.setLimits(created.id, { signupRatePerSecond: 20, signupRateBurst: 1500 }, 'cli');
        expect(limited).toMatchObject({ signupRatePerSecond: 20, signupRateBurst: 1500 });
        await waitFor(() => otherKeys.find(created.apiKey)?.signupLimit?.burst === 1500, 'the other process to apply the new limit');
        expect(await clients.setLimits(created.id, { signupRateBurst: null }, 'cli')).toMatchObject({
          signupRatePerSecond: 20,
          signupRateBurst: null,
        });
        expect((await eventsAbout('client.limits_changed', 'clientId', created.id)).map((e) => e.data)).toEqual([
          { clientId: created.id, signupRatePerSecond: 20, signupRateBurst: 1500 },
          { clientId: created.id, signupRateBurst: null },
        ]);

        await clients.revoke(created.id, 'cli');
        expect(keys.find(created.apiKey)).toBeUndefined();
        expect(await keys.lookup(created.apiKey)).toBeNull();
        await waitFor(() => otherKeys.find(created.apiKey) === undefined, 'the other process to drop the revoked key');
        expect(await otherKeys.lookup(created.apiKey)).toBeNull();

        expect(await codeOf(clients.revoke(created.id, 'cli'))).toBe('CLIENT.NOT_FOUND');
        expect(await codeOf(clients.setLimits(created.id, { signupRatePerSecond: 1 }, 'cli'))).toBe('CLIENT.NOT_FOUND');
        expect(await codeOf(clients.revoke('not-a-uuid', 'cli'))).toBe('CLIENT.NOT_FOUND');
        expect(await codeOf(clients.revoke(randomUUID(), 'cli'))).toBe('CLIENT.NOT_FOUND');
        expect(await eventsAbout('client.revoked', 'clientId', created.id)).toEqual([
          { actor: 'cli', platform_id: null, data: { clientId: created.id } },
        ]);
        expect((await clients.list()).find((c) => c.id === created.id)?.revokedAt).not.toBeNull();
      } finally {
        await other.close();
      }
    });
  });

  describe('people and sessions', () => {
    let parquet: string;
    let email: string;
    const issuer = 'https://idp.example.fr';

    beforeAll(async () => {
      parquet = (await organisations.create({ name: 'Parquet de Paris', role: 'authority' }, 'cli')).id;
    });
    beforeEach(() => {
      clock.set(new Date());
      email = `greffier.${randomUUID().slice(0, 8)}@justice.example.fr`;
    });

    const identity = (overrides: Partial<SignInIdentity> = {}): SignInIdentity => ({
      issuer,
      subject: randomUUID(),
      email,
      emailVerified: true,
      displayName: 'Jean Greffier',
      ...overrides,
    });
    const signIn = (who: SignInIdentity) => dataSource.transaction((em) => people.matchSignIn(em, who));
    const sessionOf = (personId: string) => dataSource.transaction((em) => sessions.start(em, personId, 'id-token'));

    it('invites a person by e-mail into an organisation’s role, audited by id alone; the same e-mail twice is refused', async () => {
      const invited = await people.invite({ email: email.toUpperCase(), organisation: parquet }, 'cli');
      expect(invited).toMatchObject({ organisation: parquet, role: 'authority', email, signedInAt: null, removedAt: null });
      expect(await eventsAbout('person.invited', 'personId', invited.id)).toEqual([
        { actor: 'cli', platform_id: null, data: { personId: invited.id, organisationId: parquet, role: 'authority' } },
      ]);
      expect(JSON.stringify(await events('person.invited'))).not.toContain('justice.example.fr');

      expect(await codeOf(people.invite({ email, organisation: parquet }, 'cli'))).toBe('PERSON.ALREADY_INVITED');
      const network = await organisations.create({ name: 'Réseau', role: 'platform', platform }, 'cli');
      expect(await codeOf(people.invite({ email: `x.${email}`, organisation: network.id }, 'cli'))).toBe('PERSON.ROLE_NOT_ALLOWED');
      expect(await codeOf(people.invite({ email: `y.${email}`, organisation: randomUUID() }, 'cli'))).toBe('ORGANISATION.NOT_FOUND');
      expect(await codeOf(people.invite({ email: 'not an e-mail', organisation: parquet }, 'cli'))).toBe('VALIDATION.FAILED');
      expect((await people.list(parquet)).filter((p) => p.email.endsWith(email))).toEqual([invited]);
      expect(await people.list(network.id)).toEqual([]);
    });

    it('binds a first sign-in to the invited e-mail when the provider vouches for it, then knows the person by the provider’s subject alone', async () => {
      const invited = await people.invite({ email, organisation: parquet }, 'cli');
      const subject = randomUUID();

      expect(await signIn(identity({ subject, emailVerified: false }))).toEqual({
        ok: false,
        reason: 'email_not_verified',
        personId: invited.id,
      });
      const first = await signIn(identity({ subject, email: email.toUpperCase() }));
      expect(first).toEqual({
        ok: true,
        person: { id: invited.id, organisationId: parquet, organisationName: 'Parquet de Paris', role: 'authority' },
      });
      // The provider's subject binds from now on, whatever e-mail it later gives.
      expect(await signIn(identity({ subject, email: 'changed@example.fr', emailVerified: false }))).toMatchObject({ ok: true });
      // Another account claiming the bound e-mail does not take the person over.
      expect(await signIn(identity())).toEqual({ ok: false, reason: 'unknown_person' });
      expect(await signIn(identity({ email: 'nobody@example.fr' }))).toEqual({ ok: false, reason: 'unknown_person' });
      expect((await people.list(parquet)).find((p) => p.id === invited.id)?.signedInAt).not.toBeNull();

      const resolved = await people.resolve(invited.id, 'system:test');
      expect(resolved).toMatchObject({ id: invited.id, email, displayName: 'Jean Greffier', organisationName: 'Parquet de Paris' });
      expect(await eventsAbout('person.resolved', 'personId', invited.id)).toEqual([
        { actor: 'system:test', platform_id: null, data: { personId: invited.id } },
      ]);
      expect(await codeOf(people.resolve(randomUUID(), 'cli'))).toBe('PERSON.NOT_FOUND');
    });

    it('keeps sessions as the SHA-256 of their cookie, ending them after idle time, at their lifetime, and at sign-out', async () => {
      const person = await people.invite({ email, organisation: parquet }, 'cli');
      const { idleMs, lifetimeMs } = config.signIn.session;

      const started = await sessionOf(person.id);
      expect(started.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await dataSource.query(`SELECT * FROM sessions WHERE person_id = $1`, [person.id]);
      expect(row.id_hash).toEqual(sha256(started.cookie));
      expect(JSON.stringify(row)).not.toContain(started.cookie);
      expect(await sessions.find(started.cookie)).toEqual({
        caller: { kind: 'person', id: person.id, name: 'Parquet de Paris', role: 'authority', organisationId: parquet, platformId: null },
        csrfToken: started.csrfToken,
        expiresAt: started.expiresAt,
        idToken: 'id-token',
      });
      expect(await sessions.find('not-a-cookie')).toBeNull();

      // Used just within the idle time, it lives on; left idle for it, it ends.
      clock.advance(idleMs - MINUTE);
      expect(await sessions.find(started.cookie)).not.toBeNull();
      clock.advance(idleMs);
      expect(await sessions.find(started.cookie)).toBeNull();
      clock.advance(-idleMs);
      expect(await sessions.find(started.cookie)).toBeNull();

      // Used all along, it still ends at its lifetime.
      const busy = await sessionOf(person.id);
      const end = clock.now().getTime() + lifetimeMs;
      while (clock.now().getTime() + idleMs / 2 < end) {
        clock.advance(idleMs / 2);
        expect(await sessions.find(busy.cookie)).not.toBeNull();
      }
      clock.set(new Date(end));
      expect(await sessions.find(busy.cookie)).toBeNull();

      const signedOut = await sessionOf(person.id);
      expect(await sessions.end(signedOut.cookie, 'signed_out')).toBe(true);
      expect(await sessions.end(signedOut.cookie, 'signed_out')).toBe(false);
      expect(await sessions.find(signedOut.cookie)).toBeNull();
      expect(
        (await dataSource.query(`SELECT end_reason FROM sessions WHERE person_id = $1 ORDER BY created_at`, [person.id])).map(
          (r: { end_reason: string }) => r.end_reason,
        ),
      ).toEqual(['expired', 'expired', 'signed_out']);

      // A day past their end, sessions are deleted; the others stay.
      clock.set(new Date(end + lifetimeMs + 24 * 60 * MINUTE + MINUTE));
      const current = await sessionOf(person.id);
      expect(await sessions.purge()).toBeGreaterThanOrEqual(3);
      expect(await count(`SELECT count(*) AS n FROM sessions WHERE person_id = $1`, [person.id])).toBe(1);
      expect(await sessions.find(current.cookie)).not.toBeNull();
    });

    it('removes a person: their sessions end in the same transaction, they cannot sign in, and may be invited again as a new member', async () => {
      const person = await people.invite({ email, organisation: parquet }, 'cli');
      const subject = randomUUID();
      await signIn(identity({ subject }));
      const one = await sessionOf(person.id);
      const two = await sessionOf(person.id);

      await people.remove(person.id, 'cli');
      expect(await sessions.find(one.cookie)).toBeNull();
      expect(await sessions.find(two.cookie)).toBeNull();
      expect(await count(`SELECT count(*) AS n FROM sessions WHERE person_id = $1 AND end_reason = 'removed'`, [person.id])).toBe(2);
      expect(await eventsAbout('person.removed', 'personId', person.id)).toEqual([
        { actor: 'cli', platform_id: null, data: { personId: person.id, organisationId: parquet, sessionsEnded: 2 } },
      ]);
      expect(await signIn(identity({ subject }))).toEqual({ ok: false, reason: 'removed_person', personId: person.id });
      expect(await codeOf(people.remove(person.id, 'cli'))).toBe('PERSON.NOT_FOUND');
      expect(await codeOf(people.remove('not-a-uuid', 'cli'))).toBe('PERSON.NOT_FOUND');

      const again = await people.invite({ email, organisation: parquet }, 'cli');
      expect(again.id).not.toBe(person.id);
      expect(await signIn(identity({ subject }))).toMatchObject({ ok: true, person: { id: again.id } });
    });
  });
});
