import { loadConfig } from '@ostracon/config';
import { runCli } from '../apps/cli/src/cli';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/isolated';
import { randomBytes } from 'node:crypto';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, loadConfig());
  return { code, stdout, stderr };
}

describe('CLI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates a platform and clients whose keys work at once, shown once and stored hashed', async () => {
    const id = `cli-${randomBytes(4).toString('hex')}`;
    const platform = await cli(
      'platforms:create',
      '--id',
      id,
      '--name',
      'CLI Platform',
      '--webhook-url',
      'https://hooks.example/ostracon',
      '--webhook-secret',
      SECRET,
      '--sla-hours',
      '24',
      '--json',
    );
    expect(platform.code).toBe(0);
    expect(JSON.parse(platform.stdout)).toMatchObject({ id, deliveryMode: 'push', slaHours: 24 });
    const [stored] = await t.dataSource.query(`SELECT webhook_secret_enc::text AS enc FROM platforms WHERE id = $1`, [id]);
    expect(stored.enc).not.toContain(Buffer.from(SECRET).toString('hex'));

    const created = await cli('clients:create', '--role', 'authority', '--name', 'Parquet de Lyon', '--json');
    expect(created.code).toBe(0);
    const out = JSON.parse(created.stdout);
    expect(Object.keys(out).sort()).toEqual(['apiKey', 'id', 'organisation']);
    expect(out.apiKey).toMatch(/^ost_[A-Za-z0-9_-]{43}$/);
    const [row] = await t.dataSource.query(`SELECT key_hash FROM api_clients WHERE id = $1`, [out.id]);
    expect(row.key_hash.toString('hex')).not.toContain(Buffer.from(out.apiKey).toString('hex'));
    expect((await t.request({ method: 'GET', url: '/v1/orders', key: out.apiKey })).status).toBe(200);

    const platformClient = await cli('clients:create', '--role', 'platform', '--platform', id, '--name', 'CLI Platform bot', '--json');
    expect(platformClient.code).toBe(0);
    // A key with its own sign-up check limits, changed later, then back to the global setting.
    const limited = await cli(
      'clients:create',
      '--role',
      'platform',
      '--platform',
      id,
      '--name',
      'Small forum',
      '--signup-rate',
      '2',
      '--signup-burst',
      '1000',
      '--json',
    );
    const limitedId = JSON.parse(limited.stdout).id as string;
    const [limits] = await t.dataSource.query(
      `SELECT signup_rate_per_second AS rate, signup_rate_burst AS burst FROM api_clients WHERE id = $1`,
      [limitedId],
    );
    expect(limits).toEqual({ rate: 2, burst: 1000 });
    const raised = await cli('clients:set-limits', limitedId, '--signup-rate', '50');
    expect([raised.code, raised.stdout]).toEqual([0, `client ${limitedId}: 50 checks/s, burst 1000\n`]);
    const reset = await cli('clients:set-limits', limitedId, '--signup-rate', 'default', '--signup-burst', 'default', '--json');
    expect(JSON.parse(reset.stdout)).toMatchObject({ signupRatePerSecond: null, signupRateBurst: null });
    const bad = await cli('clients:set-limits', limitedId, '--signup-burst', '10');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/VALIDATION\.FAILED/)]);

    const revoked = await cli('clients:revoke', out.id);
    expect(revoked.code).toBe(0);
    // Another process revoked it: this API hears of it by NOTIFY, within milliseconds (docs/security.md).
    await waitFor(
      async () => (await t.request({ method: 'GET', url: '/v1/orders', key: out.apiKey })).status === 401,
      'the key refused',
      5000,
    );
  });

  it('rotates a push platform’s webhook secret, showing the new one once, and refuses a pull platform', async () => {
    const id = `rot-${randomBytes(4).toString('hex')}`;
    expect(
      (await cli('platforms:create', '--id', id, '--name', 'Rot', '--webhook-url', 'https://hooks.example/o', '--webhook-secret', SECRET))
        .code,
    ).toBe(0);
    const rotated = await cli('platforms:rotate-secret', '--id', id, '--overlap-hours', '2', '--json');
    expect(rotated.code).toBe(0);
    const out = JSON.parse(rotated.stdout);
    expect(out.webhookSecret).toMatch(/^whsec_/);
    expect(new Date(out.previousSecretSignsUntil).getTime() - Date.now()).toBeGreaterThan(3600_000);
    const [row] = await t.dataSource.query(
      `SELECT webhook_secret_enc::text AS enc, webhook_secret_previous_enc::text AS prev FROM platforms WHERE id = $1`,
      [id],
    );
    expect(row.prev).not.toBeNull();
    expect(`${row.enc}${row.prev}`).not.toContain(Buffer.from(out.webhookSecret).toString('hex'));
    const pull = `rotpull-${randomBytes(4).toString('hex')}`;
    expect((await cli('platforms:create', '--id', pull, '--name', 'Pull')).code).toBe(0);
    expect((await cli('platforms:rotate-secret', '--id', pull)).stderr).toMatch(/PLATFORM\.NOT_PUSH/);
    expect((await cli('platforms:rotate-secret', '--id', 'no-such-platform')).stderr).toMatch(/PLATFORM\.NOT_FOUND/);
  });

  it.each([
    [['clients:create', '--role', 'wizard', '--name', 'x', '--json'], /VALIDATION\.FAILED/],
    [['clients:create', '--role', 'platform', '--name', 'x'], /CLIENT\.PLATFORM_REQUIRED/],
    [['clients:create', '--role', 'authority', '--platform', 'tiktok', '--name', 'x'], /CLIENT\.PLATFORM_REQUIRED/],
    [['clients:create', '--role', 'platform', '--platform', 'no-such-platform', '--name', 'x'], /PLATFORM\.NOT_FOUND/],
    [['clients:create', '--role', 'authority'], /required option/],
    [['clients:revoke', 'not-a-uuid'], /CLIENT\.NOT_FOUND/],
    [['platforms:create', '--id', 'Bad Id', '--name', 'x'], /VALIDATION\.FAILED/],
    [
      ['platforms:create', '--id', 'half-webhook', '--name', 'x', '--webhook-secret', 'whsec_' + 'A'.repeat(44)],
      /a webhookSecret needs a webhookUrl/,
    ],
    [
      ['platforms:create', '--id', 'weak-secret', '--name', 'x', '--webhook-url', 'https://h.example/x', '--webhook-secret', 'hunter2'],
      /whsec_/,
    ],
    [['platforms:create', '--id', 'bad-sla', '--name', 'x', '--sla-hours', 'soon'], /whole number/],
    [['no-such-command'], /unknown command/],
  ])('refuses %j with a clear message and exit code 2', async (argv, message) => {
    const res = await cli(...(argv as string[]));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });

  it('generates a webhook secret for a push platform that gives none, and shows it once', async () => {
    const id = `gen-${randomBytes(4).toString('hex')}`;
    const res = await cli('platforms:create', '--id', id, '--name', 'Gen', '--webhook-url', 'https://hooks.example/x', '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses a platform id that exists', async () => {
    const id = `dup-${randomBytes(4).toString('hex')}`;
    expect((await cli('platforms:create', '--id', id, '--name', 'A')).code).toBe(0);
    const again = await cli('platforms:create', '--id', id, '--name', 'B');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/PLATFORM\.ALREADY_EXISTS/);
  });

  it('seeds a demo whose keys can try every route', async () => {
    const res = await cli('demo:seed', '--json');
    expect(res.code).toBe(0);
    const seed = JSON.parse(res.stdout);
    expect(seed.clients.map((c: { role: string }) => c.role)).toEqual(['authority', 'platform', 'auditor', 'admin']);
    expect(seed.orders.map((o: { status: string }) => o.status)).toEqual(['active', 'scheduled', 'active']);
    const authorityKey = seed.clients[0].apiKey;
    const list = await t.request({ method: 'GET', url: '/v1/orders', key: authorityKey });
    expect(list.body.items).toHaveLength(3);
    expect(seed.people.map((p: { email: string }) => p.email)).toEqual([
      'clerk@parquet-paris.example.fr',
      'deputy@parquet-paris.example.fr',
      'clerk@parquet-lyon.example.fr',
      'inspector@cnil.example.fr',
      'operator@ostracon.example.fr',
    ]);
    // Seeding twice works: platforms, organisations and people are kept, new keys and orders are added.
    const again = await cli('demo:seed', '--json');
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.people).toEqual(seed.people);
    expect(second.organisations).toEqual(seed.organisations);
    // An order belongs to its parquet: the new Paris key sees the first run's orders too.
    expect((await t.request({ method: 'GET', url: '/v1/orders', key: second.clients[0].apiKey })).body.items).toHaveLength(6);
  });

  it('registers an organisation, a key for it, and invites, lists and removes its people', async () => {
    const org = JSON.parse(
      (await cli('organisations:create', '--role', 'auditor', '--name', 'CNIL, service des contrôles', '--json')).stdout,
    );
    expect(org).toMatchObject({ role: 'auditor', platform: null });
    const key = await cli('clients:create', '--organisation', org.id, '--name', 'CNIL export', '--json');
    expect(JSON.parse(key.stdout).organisation).toBe(org.id);
    const email = `controle.${randomBytes(3).toString('hex')}@cnil.example.fr`;
    const invited = await cli('people:invite', '--email', email, '--organisation', org.id, '--json');
    expect(invited.code).toBe(0);
    const person = JSON.parse(invited.stdout);
    expect(person).toMatchObject({ email, role: 'auditor', organisation: org.id });
    expect((await cli('people:invite', '--email', email, '--organisation', org.id)).stderr).toContain('PERSON.ALREADY_INVITED');
    expect((await cli('people:list', '--organisation', org.id)).stdout).toContain(`${person.id} auditor   ${email}`);
    const removed = await cli('people:remove', person.id);
    expect([removed.code, removed.stderr]).toEqual([0, `person ${person.id} removed\n`]);
    expect((await cli('people:list', '--organisation', org.id)).stdout).toContain('(removed)');
    expect((await cli('people:remove', person.id)).code).toBe(2);
  });
});
