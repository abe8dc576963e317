import { randomBytes } from 'node:crypto';
import { OrganisationsService, PeopleService, SessionStore } from '@ostracon/auth';
import { ManualClock } from '@ostracon/common';
import { type AppConfig, loadConfig } from '@ostracon/config';
import { Browser } from './support/browser';
import { orderBody } from './support/builders';
import { freePort } from './support/isolated';
import { type TestApp, startTestApp } from './support/test-app';

/**
 * People signing in with OpenID Connect (docs/people.md), through the real authorization-code
 * flow with PKCE against the local provider the API mounts at /oidc, over real HTTP, with the
 * real PostgreSQL and Redis.
 */
describe('people: sign-in, sessions, who did what', () => {
  let api: TestApp;
  let config: AppConfig;
  let base: string;
  const clock = new ManualClock();
  const unique = randomBytes(4).toString('hex');
  const email = (who: string) => `${who}.${unique}@example.fr`;
  let paris: string;
  let lyon: string;
  let cnil: string;
  let people: PeopleService;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, PORT: String(port) });
    api = await startTestApp({ config, clock });
    await api.app.listen(port, '127.0.0.1');
    const organisations = api.app.get(OrganisationsService);
    people = api.app.get(PeopleService);
    paris = (await organisations.create({ name: `Parquet de Paris ${unique}`, role: 'authority' }, 'cli')).id;
    lyon = (await organisations.create({ name: `Parquet de Lyon ${unique}`, role: 'authority' }, 'cli')).id;
    cnil = (await organisations.create({ name: `CNIL ${unique}`, role: 'auditor' }, 'cli')).id;
    await people.invite({ email: email('clerk'), organisation: paris }, 'cli');
    await people.invite({ email: email('deputy'), organisation: paris }, 'cli');
    await people.invite({ email: email('lyon'), organisation: lyon }, 'cli');
    await people.invite({ email: email('inspector'), organisation: cnil }, 'cli');
  });

  afterAll(async () => {
    await api?.close();
  });

  /** Signs in as `login` in a new browser; fails the test unless a session starts. */
  async function signedIn(login: string): Promise<{ browser: Browser; csrf: string; id: string }> {
    const browser = new Browser(base);
    const answer = await browser.signIn(login);
    expect(answer.status).toBe(303);
    const session: any = await (await browser.fetch('/v1/session')).json();
    return { browser, csrf: session.csrfToken, id: session.id };
  }

  const json = (browser: Browser, method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    browser.fetch(path, {
      method,
      headers: { 'content-type': 'application/json', 'idempotency-key': `k-${randomBytes(6).toString('hex')}`, ...headers },
      body: JSON.stringify(body),
    });

  it('signs a person in through the authorization-code flow with PKCE, into a session cookie', async () => {
    const browser = new Browser(base);
    const start = await browser.fetch('/auth/sign-in?returnTo=%2Fv1%2Forders');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.pathname).toBe('/oidc/auth');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(authorize.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(start.headers.get('set-cookie')).toMatch(/^ostracon_sign_in=[^;]+;.*HttpOnly.*SameSite=Lax/i);

    const callback = await browser.toCallback(email('clerk'), '/v1/orders');
    const answer = await browser.fetch(callback);
    // An API path is reached from a page of this site (issue 29: a redirect would be marked cross-site).
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('content="0;url=/v1/orders"');
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('ostracon_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http in development; __Host- and Secure over https

    const session: any = await (await browser.fetch('/v1/session')).json();
    expect(session).toMatchObject({ kind: 'person', role: 'authority', organisation: { id: paris } });
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await browser.fetch('/v1/orders')).status).toBe(200);

    // The session cookie never reaches the log.
    const value = browser.cookie('ostracon_session')!;
    expect(api.logs.text()).not.toContain(value);
    expect(api.logs.text()).not.toContain(email('clerk'));
    // Nor does the one-time code (or the state) of the way back from the provider.
    expect(api.logs.text()).toContain('/auth/callback?[redacted]');
    expect(api.logs.text()).not.toContain(callback.searchParams.get('code')!);
  });

  it('applies the role rules to sessions: an auditor reads orders but cannot submit one', async () => {
    const { browser, csrf } = await signedIn(email('inspector'));
    expect((await browser.fetch('/v1/orders')).status).toBe(200);
    const refused = await json(browser, 'POST', '/v1/orders', orderBody('tiktok'), { 'x-csrf-token': csrf, origin: base });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).code).toBe('AUTH.FORBIDDEN');
  });

  it('refuses a cross-site change made with the cookie, and one without the CSRF token', async () => {
    const { browser, csrf } = await signedIn(email('clerk'));
    const platform = await api.platform('people');
    const body = orderBody(platform);
    for (const headers of <Record<string, string>[]>[
      {},
      { origin: base },
      { 'x-csrf-token': 'x'.repeat(43), origin: base },
      { 'x-csrf-token': csrf, origin: 'https://evil.example' },
      { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' },
      { 'x-csrf-token': csrf, 'sec-fetch-site': 'same-site' },
    ]) {
      const refused = await json(browser, 'POST', '/v1/orders', body, headers);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).code).toBe('SESSION.CSRF_REJECTED');
    }
    const accepted = await json(browser, 'POST', '/v1/orders', body, { 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' });
    expect(accepted.status).toBe(201);
  });

  it('records who submitted and revoked an order; the parquet sees it, another parquet does not', async () => {
    const clerk = await signedIn(email('clerk'));
    const platform = await api.platform('people');
    const created = await json(clerk.browser, 'POST', '/v1/orders', orderBody(platform), {
      'x-csrf-token': clerk.csrf,
      origin: base,
    });
    expect(created.status).toBe(201);
    const order: any = await created.json();

    const deputy = await signedIn(email('deputy'));
    expect((await deputy.browser.fetch(`/v1/orders/${order.id}`)).status).toBe(200);
    const listed: any = await (await deputy.browser.fetch('/v1/orders')).json();
    expect(listed.items.map((o: { id: string }) => o.id)).toContain(order.id);

    const other = await signedIn(email('lyon'));
    const hidden = await other.browser.fetch(`/v1/orders/${order.id}`);
    expect(hidden.status).toBe(404);
    expect(((await (await other.browser.fetch('/v1/orders')).json()) as any).items.map((o: { id: string }) => o.id)).not.toContain(
      order.id,
    );

    const revoked = await json(
      deputy.browser,
      'POST',
      `/v1/orders/${order.id}/revoke`,
      { reason: 'Appeal granted', decisionReference: 'CA-PARIS-2026-42' },
      { 'x-csrf-token': deputy.csrf, origin: base },
    );
    expect(revoked.status).toBe(200);

    // "Who revoked this order?" The log answers with the person and their organisation.
    const inspector = await signedIn(email('inspector'));
    const events: any = await (await inspector.browser.fetch(`/v1/audit/events?orderId=${order.id}`)).json();
    const actorOf = (type: string) => events.items.find((e: { type: string }) => e.type === type)?.actor;
    // Reading the log is an event too, naming the inspector, not a key.
    const [read] = await api.dataSource.query(`SELECT actor FROM audit_events WHERE type = 'audit.read' ORDER BY seq DESC LIMIT 1`);
    expect(read.actor).toBe(`person:${inspector.id}@${cnil}`);
    expect(actorOf('order.created')).toBe(`person:${clerk.id}@${paris}`);
    expect(actorOf('order.revoked')).toBe(`person:${deputy.id}@${paris}`);

    // Only an audited read turns the id into a name.
    const resolved = await inspector.browser.fetch(`/v1/people/${deputy.id}`);
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ id: deputy.id, email: email('deputy'), organisation: paris });
    const reads: { data: { personId: string } }[] = await api.dataSource.query(
      `SELECT data FROM audit_events WHERE type = 'person.resolved' AND actor = $1`,
      [`person:${inspector.id}@${cnil}`],
    );
    expect(reads.map((r) => r.data.personId)).toContain(deputy.id);
    // An authority cannot resolve people.
    expect((await clerk.browser.fetch(`/v1/people/${deputy.id}`)).status).toBe(403);
  });

  it('refuses a wrong state, a replayed callback, a replayed code and a tampered ID token, auditing each', async () => {
    const refusalsBefore = await countRefusals();

    // Wrong state: the attempt is consumed, the library refuses the mismatch.
    const wrongState = new Browser(base);
    const callback = await wrongState.toCallback(email('clerk'));
    callback.searchParams.set('state', 'x'.repeat(43));
    const refused = await wrongState.fetch(callback);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/text\/html/);
    expect(await refused.text()).toContain('protocol_error');

    // A replayed callback, with the attempt's cookie as it was (the browser itself dropped it): the attempt was read once.
    const browser = new Browser(base);
    const good = await browser.toCallback(email('clerk'));
    const attempt = browser.cookie('ostracon_sign_in')!;
    expect((await browser.fetch(good)).status).toBe(303);
    expect(browser.cookie('ostracon_sign_in')).toBeUndefined();
    browser.setCookie('ostracon_sign_in', attempt);
    const replayed = await browser.fetch(good);
    expect(replayed.status).toBe(403);
    expect(await replayed.text()).toContain('attempt_unknown');

    // A replayed code under a fresh attempt of another browser: the provider refuses it.
    const thief = new Browser(base);
    const start = await thief.fetch('/auth/sign-in');
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const stolen = new URL(good);
    stolen.searchParams.set('state', state);
    const reused = await thief.fetch(stolen);
    expect(reused.status).toBe(403);
    expect(await reused.text()).toContain('protocol_error');

    // An ID token altered on its way, its signature kept: a higher assurance level claimed. Nothing
    // but the signature betrays it (a changed subject would also fail the userinfo check).
    const tampered = new Browser(base);
    const tamperedCallback = await tampered.toCallback(email('clerk'));
    const realFetch = globalThis.fetch;
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/oidc/token')) return response;
      const body: any = await response.json();
      const [header, payload, signature] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      claims.acr = 'eidas3';
      body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    });
    try {
      const answer = await realFetch(tamperedCallback, {
        redirect: 'manual',
        headers: { cookie: `ostracon_sign_in=${tampered.cookie('ostracon_sign_in')}` },
      });
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('protocol_error');
    } finally {
      spy.mockRestore();
    }
    expect(await countRefusals()).toBe(refusalsBefore + 4);
  });

  it('refuses an unknown person and a removed one with a clear page; removal ends their sessions at once', async () => {
    // A return from the provider without any sign-in of this browser is nobody's: refused, not logged.
    const refusals = await countRefusals();
    const bare = await new Browser(base).fetch('/auth/callback?code=x&state=y');
    expect(bare.status).toBe(403);
    expect(await countRefusals()).toBe(refusals);

    const stranger = await new Browser(base).signIn(email('stranger'));
    expect(stranger.status).toBe(403);
    const page = await stranger.text();
    expect(page).toContain('Vous n’êtes pas membre d’Ostracon');
    expect(page).not.toContain(email('stranger'));

    await people.invite({ email: email('leaver'), organisation: paris }, 'cli');
    const leaver = await signedIn(email('leaver'));
    expect((await leaver.browser.fetch('/v1/orders')).status).toBe(200);
    await people.remove(leaver.id, 'cli');
    expect((await leaver.browser.fetch('/v1/orders')).status).toBe(401);
    const again = await new Browser(base).signIn(email('leaver'));
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('Votre accès a été retiré');

    const audit: { type: string; data: Record<string, unknown> }[] = await api.dataSource.query(
      `SELECT type, data FROM audit_events WHERE type IN ('person.removed', 'person.sign_in_refused') AND data->>'personId' = $1`,
      [leaver.id],
    );
    expect(audit.map((e) => e.type).sort()).toEqual(['person.removed', 'person.sign_in_refused']);
  });

  it('lets a removed person invited again sign in as the new member, and refuses an e-mail the provider does not vouch for', async () => {
    const who = email('returning');
    const first = await people.invite({ email: who, organisation: paris }, 'cli');
    const before = await signedIn(who);
    expect(before.id).toBe(first.id);
    await people.remove(first.id, 'cli');
    const second = await people.invite({ email: who, organisation: lyon }, 'cli');
    const after = await signedIn(who);
    expect(after.id).toBe(second.id);
    expect(((await (await after.browser.fetch('/v1/session')).json()) as any).organisation.id).toBe(lyon);

    const unverified = `unverified.${email('x')}`;
    const invited = await people.invite({ email: unverified, organisation: paris }, 'cli');
    const refused = await new Browser(base).signIn(unverified);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('email_not_verified');
    const audit: { data: { reason: string; personId: string } }[] = await api.dataSource.query(
      `SELECT data FROM audit_events WHERE type = 'person.sign_in_refused' AND data->>'personId' = $1`,
      [invited.id],
    );
    expect(audit.map((e) => e.data.reason)).toEqual(['email_not_verified']);
  });

  it('lands on a page saying who is signed in, refuses reads another site leads to, and drops an ended session’s cookie', async () => {
    const browser = new Browser(base);
    const answer = await browser.signIn(email('clerk'));
    expect(answer.headers.get('location')).toBe('/auth/signed-in');
    const landing = await browser.fetch('/auth/signed-in');
    expect(landing.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await landing.text()).toContain(`Parquet de Paris ${unique}`);
    expect((await new Browser(base).fetch('/auth/signed-in')).status).toBe(303);

    // A link on another site (or a sign-in that returns there) must not write an audited read in this person's name.
    const lured = await browser.fetch('/v1/orders', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect([lured.status, ((await lured.json()) as any).code]).toEqual([403, 'SESSION.CSRF_REJECTED']);
    expect((await browser.fetch('/v1/orders', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);

    const csrf = ((await (await browser.fetch('/v1/session')).json()) as any).csrfToken;
    await browser.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': csrf } });
    browser.setCookie('ostracon_session', 'x'.repeat(43));
    const ended = await browser.fetch('/v1/orders');
    expect(ended.status).toBe(401);
    expect(ended.headers.getSetCookie().some((c) => /^ostracon_session=;/.test(c))).toBe(true);
    expect(browser.cookie('ostracon_session')).toBeUndefined();
  });

  it('ends a session on sign-out, after inactivity, and at its absolute lifetime', async () => {
    const out = await signedIn(email('clerk'));
    const refused = await out.browser.fetch('/auth/sign-out', { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    const signOut = await out.browser.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': out.csrf, origin: base } });
    expect(signOut.status).toBe(200);
    const { endSessionUrl } = (await signOut.json()) as any;
    expect(new URL(endSessionUrl).pathname).toBe('/oidc/session/end');
    expect(new URL(endSessionUrl).searchParams.get('post_logout_redirect_uri')).toBe(`${base}/auth/signed-out`);
    expect(out.browser.cookie('ostracon_session')).toBeUndefined();

    const idle = await signedIn(email('clerk'));
    const kept = idle.browser.cookie('ostracon_session')!;
    clock.advance(config.signIn.session.idleMs + 1000);
    const expired = await idle.browser.fetch('/v1/orders');
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as any).code).toBe('AUTH.UNAUTHENTICATED');

    // In use all along, a session still ends at its absolute lifetime.
    const long = await signedIn(email('clerk'));
    const step = config.signIn.session.idleMs / 2;
    for (let t = 0; t < config.signIn.session.lifetimeMs - step; t += step) {
      clock.advance(step);
      expect((await long.browser.fetch('/v1/session')).status).toBe(200);
    }
    clock.advance(step * 2);
    expect((await long.browser.fetch('/v1/session')).status).toBe(401);
    const ended: { end_reason: string }[] = await api.dataSource.query(
      `SELECT end_reason FROM sessions s JOIN people p ON p.id = s.person_id WHERE p.email = $1 AND s.ended_at IS NOT NULL`,
      [email('clerk')],
    );
    expect(ended.map((s) => s.end_reason)).toEqual(expect.arrayContaining(['signed_out', 'expired']));
    expect(kept).not.toBe(long.browser.cookie('ostracon_session'));

    // A day past their absolute end, the worker's lifecycle deletes them (the log keeps the sign-ins).
    const before = await sessionsOf(email('clerk'));
    clock.advance(config.signIn.session.lifetimeMs + 86_400_000);
    expect(await api.app.get(SessionStore).purge()).toBeGreaterThanOrEqual(before);
    expect(await sessionsOf(email('clerk'))).toBe(0);
  });

  async function sessionsOf(who: string): Promise<number> {
    const rows: { n: string }[] = await api.dataSource.query(
      `SELECT count(*) AS n FROM sessions s JOIN people p ON p.id = s.person_id WHERE p.email = $1`,
      [who],
    );
    return Number(rows[0]!.n);
  }

  async function countRefusals(): Promise<number> {
    const rows: { n: string }[] = await api.dataSource.query(
      `SELECT count(*) AS n FROM audit_events WHERE type = 'person.sign_in_refused'`,
    );
    return Number(rows[0]!.n);
  }
});
