import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import { ConfigError, loadConfig } from '@ostracon/config';
import { Browser } from './support/browser';
import { freePort, waitFor } from './support/isolated';
import { PROCONNECT_AUTHORIZE_PARAMETERS, type ProConnectProvider, startProConnectProvider } from './support/proconnect-provider';
import { type TestApp, startTestApp } from './support/test-app';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/**
 * Ready for ProConnect (docs/people.md § ProConnect): the migrate step without the OpenID secret,
 * the provider checked at start and shown in readiness, and a full sign-in and sign-out against a
 * standalone OpenID provider with ProConnect's rules.
 */
describe('proconnect: the provider at start, and its rules', () => {
  it('migrates with only the database settings, as start-prod does: no OIDC_ISSUER, client secret nor key ring', () => {
    const env = {
      PATH: process.env.PATH!,
      NODE_ENV: 'production',
      DATABASE_URL: process.env.DATABASE_URL!,
      ...(process.env.MIGRATION_DATABASE_URL ? { MIGRATION_DATABASE_URL: process.env.MIGRATION_DATABASE_URL } : {}),
    };
    // The service itself still refuses to start so.
    expect(() => loadConfig(env)).toThrow(ConfigError);
    const run = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toContain('database schema up to date');
    expect(run.status).toBe(0);
    // A database setting that is wrong is still refused, by name.
    const bad = spawnSync(process.execPath, [CLI, 'migrate'], { env: { ...env, DATABASE_URL: 'mysql://x' }, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('DATABASE_URL');
  });

  describe('a wrong provider shows at start', () => {
    async function apiWithIssuer(issuer: string): Promise<TestApp> {
      const config = loadConfig({
        ...process.env,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'ostracon',
        OIDC_CLIENT_SECRET: 'secret-never-logged',
      });
      const started = Date.now();
      const api = await startTestApp({ config });
      // The start does not wait for the provider.
      expect(Date.now() - started).toBeLessThan(15_000);
      return api;
    }

    async function readiness(api: TestApp, wanted: string) {
      let last: any;
      await waitFor(async () => {
        last = await api.request({ method: 'GET', url: '/health/ready' });
        return last.status === 200 && last.body.checks.signIn === wanted;
      }, `readiness to say signIn: ${wanted}`);
      return last;
    }

    it('with an unreachable issuer: a log line at start, signIn unavailable in readiness, still ready for sign-up checks', async () => {
      const closed = await freePort();
      const issuer = `http://127.0.0.1:${closed}/api/v2`;
      const api = await apiWithIssuer(issuer);
      try {
        const ready = await readiness(api, 'unavailable');
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe('ok');
        expect(ready.body.checks).toMatchObject({ postgres: 'ok', redis: 'ok', index: 'ok', keys: 'ok', signIn: 'unavailable' });
        await waitFor(() => api.logs.text().includes(`OpenID provider ${issuer} unavailable`), 'the log line');
        expect(api.logs.text()).toContain('retrying the discovery of the OpenID provider');
        expect(api.logs.text()).not.toContain('secret-never-logged');
        // Sign-up checks go on; sign-in says why it cannot.
        const platform = await api.client('platform', await api.platform('pc'));
        const check = await api.request({
          method: 'POST',
          url: '/v1/signup-checks',
          key: platform.apiKey,
          body: { signals: [{ type: 'email', value: `x.${randomBytes(3).toString('hex')}@example.fr` }] },
        });
        expect(check.status).toBe(200);
        const signIn = await api.request({ method: 'GET', url: '/auth/sign-in' });
        expect([signIn.status, signIn.body.code]).toEqual([503, 'SIGN_IN.PROVIDER_UNAVAILABLE']);
      } finally {
        await api.close();
      }
    });

    it('with a wrong issuer (a discovery document naming another issuer): unavailable, and the log says so', async () => {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}/api/v2`;
      const impostor: Server = createServer((_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ issuer: 'https://auth.other.example/api/v2', authorization_endpoint: 'https://auth.other.example/authorize' }),
          );
      });
      await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
      const api = await apiWithIssuer(issuer);
      try {
        const ready = await readiness(api, 'unavailable');
        expect(ready.body.status).toBe('ok');
        await waitFor(() => api.logs.text().includes(`OpenID provider ${issuer} unavailable`), 'the log line');
        expect(api.logs.text()).toMatch(/unavailable: [^\n]*issuer/);
      } finally {
        await api.close();
        await new Promise((resolve) => impostor.close(resolve));
      }
    });
  });

  describe.each([
    { pkce: true, name: 'advertising PKCE (S256)' },
    { pkce: false, name: 'not advertising PKCE' },
  ])('against a provider with ProConnect’s rules, $name', ({ pkce }) => {
    let api: TestApp;
    let provider: ProConnectProvider;
    let base: string;
    const unique = randomBytes(4).toString('hex');
    const email = `agent.${unique}@example.fr`;

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      provider = await startProConnectProvider({
        port: await freePort(),
        redirectUri: `${base}/auth/callback`,
        postLogoutRedirectUri: `${base}/auth/signed-out`,
        pkce,
      });
      const config = loadConfig({
        ...process.env,
        PUBLIC_URL: base,
        PORT: String(port),
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.client.id,
        OIDC_CLIENT_SECRET: provider.client.secret,
        OIDC_SCOPES: 'openid given_name usual_name email uid siret idp_id',
        OIDC_ID_TOKEN_SIGNING_ALG: 'ES256',
        OIDC_EMAILS_VERIFIED: 'true',
        OIDC_ACR_VALUES: 'eidas1',
      });
      api = await startTestApp({ config });
      await api.app.listen(port, '127.0.0.1');
      const organisation = (await api.app.get(OrganisationsService).create({ name: `DGCCRF ${unique}`, role: 'authority' }, 'cli')).id;
      await api.app.get(PeopleService).invite({ email, organisation }, 'cli');
    });

    afterAll(async () => {
      await api?.close();
      await provider?.close();
    });

    /** To the provider and back to the callback; the callback's answer. */
    async function signIn(browser: Browser): Promise<Response> {
      const back = await browser.follow('/auth/sign-in', (u) => u.pathname === '/auth/callback');
      expect(back.url.pathname).toBe('/auth/callback');
      return browser.fetch(back.url);
    }

    it('signs in sending only the parameters ProConnect accepts, PKCE as advertised, acr eidas1 asked for and checked', async () => {
      await waitFor(async () => (await api.request({ method: 'GET', url: '/health/ready' })).body.checks?.signIn === 'ok', 'signIn: ok');
      provider.nextLogin = { email, acr: 'eidas1' };
      const browser = new Browser(base);
      const answer = await signIn(browser);
      expect(answer.status).toBe(303);
      const session: any = await (await browser.fetch('/v1/session')).json();
      expect(session).toMatchObject({ kind: 'person', role: 'authority' });
      expect(session.person).toMatchObject({ name: 'Camille Martin', email });

      const sent = provider.authorizeRequests.at(-1)!;
      const names = [...sent.keys()].sort();
      const expected = ['client_id', 'claims', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state'];
      expect(names).toEqual((pkce ? [...expected, 'code_challenge', 'code_challenge_method'] : expected).sort());
      expect(names.every((n) => [...PROCONNECT_AUTHORIZE_PARAMETERS, 'code_challenge', 'code_challenge_method'].includes(n))).toBe(true);
      if (pkce) expect(sent.get('code_challenge_method')).toBe('S256');
      expect(JSON.parse(sent.get('claims')!)).toEqual({ id_token: { acr: { essential: true, value: 'eidas1' } } });
      expect(sent.get('state')!.length).toBeGreaterThanOrEqual(32);
      expect(sent.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    });

    it('refuses an ID token whose acr is not the one required', async () => {
      provider.honourClaims = false; // a provider that ignores the claims request
      provider.nextLogin = { email, acr: 'eidas2' };
      try {
        const answer = await signIn(new Browser(base));
        expect(answer.status).toBe(403);
        expect(await answer.text()).not.toContain('eidas2');
        const rows: { data: any }[] = await api.dataSource.query(
          `SELECT data FROM audit_events WHERE type = 'person.sign_in_refused' ORDER BY seq DESC LIMIT 1`,
        );
        expect(rows[0]!.data).toMatchObject({ reason: 'protocol_error', error: 'acr_not_accepted' });
      } finally {
        provider.honourClaims = true;
        provider.nextLogin = { email, acr: 'eidas1' };
      }
    });

    it('signs out at the provider with id_token_hint, state and post_logout_redirect_uri, and checks the state on the way back', async () => {
      provider.nextLogin = { email, acr: 'eidas1' };
      const browser = new Browser(base);
      expect((await signIn(browser)).status).toBe(303);
      const csrf = ((await (await browser.fetch('/v1/session')).json()) as any).csrfToken;
      const out = await browser.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': csrf, origin: base } });
      expect(out.status).toBe(200);
      const body = (await out.json()) as any;
      expect(Object.keys(body)).toEqual(['endSessionUrl']);
      const end = new URL(body.endSessionUrl);
      expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/auth/signed-out`);
      expect(end.searchParams.get('id_token_hint')).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
      const state = end.searchParams.get('state')!;
      expect(state.length).toBeGreaterThanOrEqual(32);
      expect(browser.cookie('ostracon_sign_out')).toBe(state);

      // At the provider: its confirmation form, then back to the service with the state.
      const form = await browser.fetch(end);
      expect(form.status).toBe(200);
      const html = await form.text();
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      const action = /action="([^"]+)"/.exec(html)?.[1];
      expect(xsrf && action).toBeTruthy();
      const confirmed = await browser.fetch(new URL(action!, end), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
      });
      const back = new URL(confirmed.headers.get('location')!, end);
      expect(back.origin + back.pathname).toBe(`${base}/auth/signed-out`);
      expect(back.searchParams.get('state')).toBe(state);
      const page = await browser.fetch(back);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Vous êtes déconnecté');
      expect(browser.cookie('ostracon_sign_out')).toBeUndefined();
      expect((await browser.fetch('/v1/session')).status).toBe(401);
    });

    it('claims nothing on a return with a missing or wrong state, and leaks no error', async () => {
      const browser = new Browser(base);
      browser.setCookie('ostracon_sign_out', 'k'.repeat(43));
      for (const query of ['', '?state=', `?state=${'x'.repeat(43)}`, `?state=${'k'.repeat(42)}`, '?state=a&state=b', '?state=%00']) {
        const page = await browser.fetch(`/auth/signed-out${query}`);
        expect(page.status).toBe(200);
        const text = await page.text();
        expect(text).not.toContain('Vous êtes déconnecté');
        expect(text).not.toMatch(/error|exception|stack/i);
        browser.setCookie('ostracon_sign_out', 'k'.repeat(43));
      }
      // Without any sign-out of this browser either.
      expect(await (await new Browser(base).fetch(`/auth/signed-out?state=${'k'.repeat(43)}`)).text()).not.toContain(
        'Vous êtes déconnecté',
      );
    });
  });
});
