import { randomBytes } from 'node:crypto';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import { type AppConfig, loadConfig } from '@ostracon/config';
import { runCli } from '../apps/cli/src/cli';
import { Browser } from './support/browser';
import { freePort } from './support/isolated';
import { type TestApp, startTestApp } from './support/test-app';

/**
 * Issue 29, point 3, over real HTTP against the local provider (real PostgreSQL and Redis): one
 * session per browser, a person moved to another organisation keeping their id, and a sign-in
 * whose returnTo is an API path going on from a page of this site.
 */
describe('sessions and people (issue 29)', () => {
  let api: TestApp;
  let config: AppConfig;
  let base: string;
  const unique = randomBytes(4).toString('hex');
  const email = (who: string) => `${who}.${unique}@example.fr`;
  let paris: string;
  let lyon: string;
  let cnil: string;
  let platformOrg: string;
  let people: PeopleService;
  let adminKey: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, PORT: String(port) });
    api = await startTestApp({ config });
    await api.app.listen(port, '127.0.0.1');
    const organisations = api.app.get(OrganisationsService);
    people = api.app.get(PeopleService);
    paris = (await organisations.create({ name: `Parquet de Paris ${unique}`, role: 'authority' }, 'cli')).id;
    lyon = (await organisations.create({ name: `Parquet de Lyon ${unique}`, role: 'authority' }, 'cli')).id;
    cnil = (await organisations.create({ name: `CNIL ${unique}`, role: 'auditor' }, 'cli')).id;
    const platform = await api.platform('move');
    platformOrg = (await organisations.create({ name: `Plateforme ${unique}`, role: 'platform', platform }, 'cli')).id;
    await people.invite({ email: email('clerk'), organisation: paris }, 'cli');
    await people.invite({ email: email('deputy'), organisation: paris }, 'cli');
    adminKey = (await api.client('admin')).apiKey;
  });

  afterAll(async () => {
    await api?.close();
  });

  const events = async (type: string, personId: string): Promise<{ actor: string; data: any }[]> =>
    api.dataSource.query(`SELECT actor, data FROM audit_events WHERE type = $1 AND data->>'personId' = $2 ORDER BY seq`, [type, personId]);

  const sessionOf = async (browser: Browser) => (await browser.fetch('/v1/session')).json() as Promise<any>;

  it('ends the session a browser still carried when it signs in again (audited as a sign-out)', async () => {
    const browser = new Browser(base);
    expect((await browser.signIn(email('clerk'))).status).toBe(303);
    const first = browser.cookie('ostracon_session')!;
    const clerk = await sessionOf(browser);
    expect(clerk.kind).toBe('person');

    // The same browser signs in again (the provider remembers the person: straight back): the first
    // cookie opens nothing any more.
    expect((await browser.signIn(email('deputy'))).status).toBe(303);
    const second = browser.cookie('ostracon_session')!;
    expect(second).not.toBe(first);
    expect((await sessionOf(browser)).id).toBe(clerk.id);
    const old = await fetch(`${base}/v1/session`, { headers: { cookie: `ostracon_session=${first}` } });
    expect(old.status).toBe(401);
    const [ended] = await api.dataSource.query(
      `SELECT end_reason FROM sessions WHERE person_id = $1 AND ended_at IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      [clerk.id],
    );
    expect(ended.end_reason).toBe('signed_out');
    expect(await events('person.signed_out', clerk.id)).toEqual([
      { actor: `person:${clerk.id}@${paris}`, data: { personId: clerk.id, organisationId: paris, reason: 'signed_in_again' } },
    ]);

    // Once more: still one live session, the newest.
    expect((await browser.signIn(email('clerk'))).status).toBe(303);
    const third = browser.cookie('ostracon_session')!;
    expect((await fetch(`${base}/v1/session`, { headers: { cookie: `ostracon_session=${second}` } })).status).toBe(401);
    expect((await fetch(`${base}/v1/session`, { headers: { cookie: `ostracon_session=${third}` } })).status).toBe(200);
  });

  it('takes a sign-in whose returnTo is an API path on from a page of this site, not a redirect from the callback', async () => {
    const browser = new Browser(base);
    const answer = await browser.signIn(email('clerk'), '/v1/orders?limit=5&x="<b>');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(browser.cookie('ostracon_session')).toBeDefined();
    const html = await answer.text();
    expect(html).toContain('<meta http-equiv="refresh" content="0;url=/v1/orders?limit=5&#38;x=&#34;&#60;b&#62;">');
    expect(html).not.toContain('<b>');
    // What a browser then sends from that page: a same-origin navigation, which the API answers.
    const landed = await browser.fetch('/v1/orders?limit=5', {
      headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(landed.status).toBe(200);
    // Elsewhere the callback still redirects.
    const console = await new Browser(base).signIn(email('clerk'), '/console/');
    expect([console.status, console.headers.get('location')]).toEqual([303, '/console/']);
  });

  describe('moving a person to another organisation', () => {
    const patch = (id: string, body: unknown) =>
      api.request({ method: 'PATCH', url: `/v1/admin/people/${id}`, key: adminKey, body: body as object });

    it('keeps their id, changes their role with the organisation, ends their sessions, and logs from and to', async () => {
      const who = await people.invite({ email: email('mover'), organisation: paris }, 'cli');
      const browser = new Browser(base);
      expect((await browser.signIn(email('mover'))).status).toBe(303);
      expect((await sessionOf(browser)).organisation.id).toBe(paris);

      const moved = await patch(who.id, { organisation: cnil });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: who.id, organisation: cnil, role: 'auditor', removedAt: null });
      // Their session acted for the parquet: it ends at once.
      expect((await browser.fetch('/v1/session')).status).toBe(401);
      const [session] = await api.dataSource.query(`SELECT end_reason FROM sessions WHERE person_id = $1`, [who.id]);
      expect(session.end_reason).toBe('moved');

      // They sign in again as the same person, now an auditor of the CNIL.
      const again = new Browser(base);
      expect((await again.signIn(email('mover'))).status).toBe(303);
      const now = await sessionOf(again);
      expect(now).toMatchObject({ id: who.id, role: 'auditor', organisation: { id: cnil } });

      const admin = (
        await api.dataSource.query(`SELECT actor FROM audit_events WHERE type = 'person.moved' AND data->>'personId' = $1`, [who.id])
      )[0];
      expect(admin.actor).toMatch(/^client:/);
      expect((await events('person.moved', who.id)).map((e) => e.data)).toEqual([
        {
          personId: who.id,
          from: { organisationId: paris, role: 'authority' },
          to: { organisationId: cnil, role: 'auditor' },
          sessionsEnded: 1,
        },
      ]);
      // The log keeps who they were when: the first sign-in as the parquet's, the second as the CNIL's.
      expect((await events('person.signed_in', who.id)).map((e) => e.actor)).toEqual([
        `person:${who.id}@${paris}`,
        `person:${who.id}@${cnil}`,
      ]);
    });

    it('moves a person from the CLI too (audited with the actor cli)', async () => {
      const who = await people.invite({ email: email('cli-mover'), organisation: lyon }, 'cli');
      let stdout = '';
      let stderr = '';
      const run = (...argv: string[]) => runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, loadConfig());
      expect(await run('people:move', who.id, '--organisation', paris, '--json')).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ id: who.id, organisation: paris, role: 'authority' });
      const [event] = await api.dataSource.query(`SELECT actor FROM audit_events WHERE type = 'person.moved' AND data->>'personId' = $1`, [
        who.id,
      ]);
      expect(event.actor).toBe('cli');
      expect(await run('people:move', who.id, '--organisation', paris)).not.toBe(0);
      expect(stderr).toContain('PERSON.ALREADY_IN_ORGANISATION');
    });

    it('refuses bad moves with stable codes, and changes nothing', async () => {
      const who = await people.invite({ email: email('stays'), organisation: lyon }, 'cli');
      const cases: [string, unknown, number, string][] = [
        [who.id, { organisation: lyon }, 409, 'PERSON.ALREADY_IN_ORGANISATION'],
        [who.id, { organisation: '00000000-0000-4000-8000-000000000000' }, 404, 'ORGANISATION.NOT_FOUND'],
        [who.id, { organisation: platformOrg }, 422, 'PERSON.ROLE_NOT_ALLOWED'],
        [who.id, { organisation: 'lyon' }, 400, 'VALIDATION.FAILED'],
        [who.id, {}, 400, 'VALIDATION.FAILED'],
        [who.id, { organisation: cnil, role: 'admin' }, 400, 'VALIDATION.FAILED'],
        ['00000000-0000-4000-8000-000000000000', { organisation: cnil }, 404, 'PERSON.NOT_FOUND'],
        ['not-a-uuid', { organisation: cnil }, 404, 'PERSON.NOT_FOUND'],
      ];
      for (const [id, body, status, code] of cases) {
        const refused = await patch(id, body);
        expect([refused.status, refused.body.code]).toEqual([status, code]);
      }
      const removed = await people.invite({ email: email('gone'), organisation: lyon }, 'cli');
      await people.remove(removed.id, 'cli');
      expect((await patch(removed.id, { organisation: paris })).body.code).toBe('PERSON.NOT_FOUND');
      // An auditor's key may not move anyone.
      const auditor = (await api.client('auditor')).apiKey;
      expect(
        (await api.request({ method: 'PATCH', url: `/v1/admin/people/${who.id}`, key: auditor, body: { organisation: paris } })).status,
      ).toBe(403);
      expect((await people.list(lyon)).find((p) => p.id === who.id)).toMatchObject({ organisation: lyon, role: 'authority' });
      expect(await events('person.moved', who.id)).toEqual([]);
    });
  });
});
