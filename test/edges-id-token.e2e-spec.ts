import { createHash, randomBytes } from 'node:crypto';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { Browser } from './support/browser';
import { freePort } from './support/isolated';
import { type TestApp, startTestApp } from './support/test-app';

/**
 * Issue 29 § 5: `sessions.id_token` was kept in plain text for the sign-out hint. It is sealed at
 * rest (AES-256-GCM, ACCOUNT_ENCRYPTION_KEYS), bound to its row, and still gives the hint.
 */
describe('edges: the ID token kept for sign-out is encrypted at rest', () => {
  let api: TestApp;
  let base: string;
  const email = `greffe.${randomBytes(4).toString('hex')}@example.fr`;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, PORT: String(port) });
    api = await startTestApp({ config });
    await api.app.listen(port, '127.0.0.1');
    const organisation = (await api.app.get(OrganisationsService).create({ name: `Parquet ${email}`, role: 'authority' }, 'cli')).id;
    await api.app.get(PeopleService).invite({ email, organisation }, 'cli');
  });
  afterAll(() => api?.close());

  it('stores no ID token in clear, and still sends it as the sign-out hint', async () => {
    const browser = new Browser(base);
    expect((await browser.signIn(email)).status).toBe(303);
    const cookie = browser.cookie('ostracon_session')!;
    const session: any = await (await browser.fetch('/v1/session')).json();
    const [row] = (await api.dataSource.query(`SELECT id_token FROM sessions WHERE id_hash = $1`, [
      createHash('sha256').update(cookie).digest(),
    ])) as { id_token: string }[];
    expect(row!.id_token).toMatch(/^enc:v1:/);
    // Nothing of a JWT (base64url of '{"' is "eyJ"), nor the person's e-mail, in the column.
    expect(row!.id_token).not.toContain('eyJ');
    expect(Buffer.from(row!.id_token.split(':').pop()!, 'base64url').toString('latin1')).not.toContain(email);

    const signOut = await browser.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': session.csrfToken, origin: base } });
    expect(signOut.status).toBe(200);
    const hint = new URL(((await signOut.json()) as any).endSessionUrl).searchParams.get('id_token_hint');
    expect(hint).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(hint!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.aud).toBeDefined();
  });

  it('opens a sealed token only in its own row', async () => {
    const first = new Browser(base);
    const second = new Browser(base);
    expect((await first.signIn(email)).status).toBe(303);
    expect((await second.signIn(email)).status).toBe(303);
    const hashes = [first, second].map((b) => createHash('sha256').update(b.cookie('ostracon_session')!).digest());
    // The first session's sealed token moved into the second's row: it no longer opens, and sign-out goes without a hint.
    await api.dataSource.query(
      `UPDATE sessions SET id_token = (SELECT id_token FROM sessions WHERE id_hash = $1) WHERE id_hash = $2`,
      hashes,
    );
    const session: any = await (await second.fetch('/v1/session')).json();
    const signOut = await second.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': session.csrfToken, origin: base } });
    expect(signOut.status).toBe(200);
    const url = ((await signOut.json()) as any).endSessionUrl;
    expect(url === null || new URL(url).searchParams.get('id_token_hint') === null).toBe(true);
  });
});
