import { randomBytes } from 'node:crypto';
import type { CreatedClient } from '@ostracon/auth';
import { startTestApp, type TestApp } from './support/test-app';

/** The admin API: what an operator did with the CLI and a database URL, over HTTP for admin keys. */
describe('admin API', () => {
  let t: TestApp;
  let admin: CreatedClient;
  let authority: CreatedClient;
  const as = (key: string) => ({
    get: (url: string) => t.request({ method: 'GET', url, key }),
    post: (url: string, body: unknown) => t.request({ method: 'POST', url, key, body }),
    patch: (url: string, body: unknown) => t.request({ method: 'PATCH', url, key, body }),
    delete: (url: string) => t.request({ method: 'DELETE', url, key }),
  });
  const events = async (type: string) => {
    const auditor = await t.client('auditor');
    return (await as(auditor.apiKey).get(`/v1/audit/events?type=${type}&limit=500`)).body.items as {
      actor: string;
      platform?: string;
      data: Record<string, unknown>;
    }[];
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.client('admin');
    authority = await t.client('authority');
  });
  afterAll(() => t.close());

  it('registers a push platform, showing its generated secret once, changes it, lists it, and rotates its secret', async () => {
    const id = `adm-${randomBytes(4).toString('hex')}`;
    const created = await as(admin.apiKey).post('/v1/admin/platforms', { id, name: 'Plateforme', webhookUrl: 'https://hooks.example/x' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, deliveryMode: 'push', slaHours: 48, webhookSecret: expect.stringMatching(/^whsec_/) });
    expect((await as(admin.apiKey).post('/v1/admin/platforms', { id, name: 'Encore' })).body.code).toBe('PLATFORM.ALREADY_EXISTS');

    const changed = await as(admin.apiKey).patch(`/v1/admin/platforms/${id}`, { name: 'Plateforme 2', slaHours: 24 });
    expect([changed.status, changed.body.name, changed.body.slaHours]).toEqual([200, 'Plateforme 2', 24]);
    const listed = await as(admin.apiKey).get('/v1/admin/platforms');
    expect(listed.body.find((p: { id: string }) => p.id === id)).toMatchObject({ name: 'Plateforme 2', slaHours: 24 });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const rotated = await as(admin.apiKey).post(`/v1/admin/platforms/${id}/webhook-secret`, { overlapHours: 2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhookSecret).toMatch(/^whsec_/);
    expect(rotated.headers['cache-control']).toBe('no-store');
    // A second rotation within the overlap would drop the secret the platform may still use.
    const again = await as(admin.apiKey).post(`/v1/admin/platforms/${id}/webhook-secret`, { overlapHours: 2 });
    expect([again.status, again.body.code]).toEqual([409, 'PLATFORM.ROTATION_IN_PROGRESS']);
    const mine = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const forced = await as(admin.apiKey).post(`/v1/admin/platforms/${id}/webhook-secret`, {
      webhookSecret: mine,
      overlapHours: 0,
      force: true,
    });
    expect(forced.status).toBe(200);
    expect(forced.body.webhookSecret).toBeUndefined(); // given, not generated: not sent back

    // Where directives go is in the log (the origin), never the path.
    const moved = await as(admin.apiKey).patch(`/v1/admin/platforms/${id}`, { webhookUrl: 'https://hooks2.example:8443/t/abc' });
    expect(moved.body.webhookUrl).toBe('https://hooks2.example:8443/t/abc');

    const updates = (await events('platform.updated')).filter((e) => e.platform === id);
    expect(updates.map((e) => [e.actor, e.data])).toEqual([
      [`client:${admin.id}`, { fields: ['name', 'slaHours'], slaHours: 24 }],
      [`client:${admin.id}`, { fields: ['webhookUrl'], slaHours: 24, webhookOrigin: 'https://hooks2.example:8443' }],
    ]);
    const rotations = (await events('platform.webhook_secret_rotated')).filter((e) => e.platform === id);
    expect(rotations.map((e) => e.actor)).toEqual([`client:${admin.id}`, `client:${admin.id}`]);
    expect((await events('platform.created')).find((e) => e.platform === id)?.data).toMatchObject({
      webhookOrigin: 'https://hooks.example',
    });
  });

  it('refuses what a platform cannot take, and what does not exist', async () => {
    const pull = `admpull-${randomBytes(4).toString('hex')}`;
    expect((await as(admin.apiKey).post('/v1/admin/platforms', { id: pull, name: 'Pull' })).status).toBe(201);
    const cases: [Promise<{ status: number; body: { code: string } }>, number, string][] = [
      [as(admin.apiKey).post(`/v1/admin/platforms/${pull}/webhook-secret`, {}), 409, 'PLATFORM.NOT_PUSH'],
      [as(admin.apiKey).patch(`/v1/admin/platforms/${pull}`, { webhookUrl: 'https://h.example/y' }), 409, 'PLATFORM.NOT_PUSH'],
      [as(admin.apiKey).patch('/v1/admin/platforms/no-such-platform', { name: 'x' }), 404, 'PLATFORM.NOT_FOUND'],
      [as(admin.apiKey).patch(`/v1/admin/platforms/${pull}`, { webhookUrl: null }), 400, 'VALIDATION.FAILED'],
      [as(admin.apiKey).post('/v1/admin/platforms/no-such-platform/webhook-secret', {}), 404, 'PLATFORM.NOT_FOUND'],
      [
        as(admin.apiKey).post('/v1/admin/clients', { role: 'platform', name: 'x', platform: 'no-such-platform' }),
        404,
        'PLATFORM.NOT_FOUND',
      ],
      [as(admin.apiKey).post('/v1/admin/clients', { role: 'platform', name: 'x' }), 400, 'CLIENT.PLATFORM_REQUIRED'],
      [as(admin.apiKey).delete('/v1/admin/clients/01900000-0000-7000-8000-000000000000'), 404, 'CLIENT.NOT_FOUND'],
      [as(admin.apiKey).post('/v1/admin/platforms', { id: 'Bad Id', name: 'x' }), 400, 'VALIDATION.FAILED'],
    ];
    for (const [request, status, code] of cases) {
      const res = await request;
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    const empty = await as(admin.apiKey).patch(`/v1/admin/platforms/${pull}`, {});
    expect([empty.status, empty.body.errors]).toEqual([
      400,
      [{ path: '(root)', message: 'give at least one of name, webhookUrl, slaHours' }],
    ]);
  });

  it('creates an API client whose key works at once and is shown only in that answer, lists clients without keys, and revokes one', async () => {
    const created = await as(admin.apiKey).post('/v1/admin/clients', { role: 'auditor', name: 'Inspection' });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^ost_/);
    expect((await as(created.body.apiKey).get('/v1/orders')).status).toBe(200);
    const listed = await as(admin.apiKey).get('/v1/admin/clients');
    expect(listed.body.find((c: { id: string }) => c.id === created.body.id)).toMatchObject({
      role: 'auditor',
      name: 'Inspection',
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toMatch(/ost_|key/i);
    expect((await as(admin.apiKey).delete(`/v1/admin/clients/${created.body.id}`)).status).toBe(204);
    expect((await as(created.body.apiKey).get('/v1/orders')).status).toBe(401);
    const revoked = (await events('client.revoked')).filter((e) => e.data.clientId === created.body.id);
    expect(revoked.map((e) => e.actor)).toEqual([`client:${admin.id}`]);
  });

  it('manages organisations, their keys and their people, each change audited without an e-mail', async () => {
    const admin$ = as(admin.apiKey);
    const org = await admin$.post('/v1/admin/organisations', {
      name: `Parquet de Créteil ${randomBytes(3).toString('hex')}`,
      role: 'authority',
    });
    expect(org.status).toBe(201);
    expect(org.body).toMatchObject({ role: 'authority', platform: null });
    expect((await admin$.get('/v1/admin/organisations')).body.map((o: { id: string }) => o.id)).toContain(org.body.id);

    const key = await admin$.post('/v1/admin/clients', { name: 'Greffe, intégration', organisation: org.body.id });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ organisation: org.body.id, role: 'authority' });
    expect((await as(key.body.apiKey).get('/v1/orders')).status).toBe(200);
    for (const [body, status, code] of [
      [{ name: 'x', organisation: org.body.id, role: 'auditor' }, 422, 'CLIENT.ROLE_MISMATCH'],
      [{ name: 'x', organisation: '00000000-0000-4000-8000-000000000000' }, 404, 'ORGANISATION.NOT_FOUND'],
      [{ name: 'x' }, 422, 'CLIENT.ROLE_MISMATCH'],
      [{ name: 'x', organisation: 'paris' }, 400, 'VALIDATION.FAILED'],
    ] as const) {
      const refused = await admin$.post('/v1/admin/clients', body);
      expect([refused.status, refused.body.code]).toEqual([status, code]);
    }

    const who = `Greffe.${randomBytes(3).toString('hex')}@Justice.example.fr`;
    const invited = await admin$.post('/v1/admin/people', { email: who, organisation: org.body.id });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email: who.toLowerCase(), role: 'authority', organisation: org.body.id, signedInAt: null });
    const twice = await admin$.post('/v1/admin/people', { email: who.toUpperCase(), organisation: org.body.id });
    expect([twice.status, twice.body.code]).toEqual([409, 'PERSON.ALREADY_INVITED']);
    const platformOrg = await admin$.post('/v1/admin/organisations', { name: 'TikTok T&S', role: 'platform', platform: 'nope-no-such' });
    expect([platformOrg.status, platformOrg.body.code]).toEqual([404, 'PLATFORM.NOT_FOUND']);
    const platformId = await t.platform('adm');
    const tiktok = await admin$.post('/v1/admin/organisations', { name: 'TikTok T&S', role: 'platform', platform: platformId });
    const machine = await admin$.post('/v1/admin/people', {
      email: `ts.${randomBytes(3).toString('hex')}@tiktok.example`,
      organisation: tiktok.body.id,
    });
    expect([machine.status, machine.body.code]).toEqual([422, 'PERSON.ROLE_NOT_ALLOWED']);
    expect((await admin$.post('/v1/admin/people', { email: 'not an e-mail', organisation: org.body.id })).status).toBe(400);

    const members = await admin$.get(`/v1/admin/people?organisation=${org.body.id}`);
    expect(members.body.map((p: { id: string }) => p.id)).toEqual([invited.body.id]);
    expect((await admin$.get('/v1/admin/people?organisation=paris')).status).toBe(400);
    expect((await admin$.delete(`/v1/admin/people/${invited.body.id}`)).status).toBe(204);
    expect((await admin$.delete(`/v1/admin/people/${invited.body.id}`)).body.code).toBe('PERSON.NOT_FOUND');
    expect((await admin$.get(`/v1/admin/people?organisation=${org.body.id}`)).body[0].removedAt).not.toBeNull();

    const actor = `client:${admin.id}`;
    expect((await events('organisation.created')).filter((e) => e.actor === actor).map((e) => e.data.organisationId)).toContain(
      org.body.id,
    );
    const invitedEvent = (await events('person.invited')).find((e) => e.data.personId === invited.body.id)!;
    expect(invitedEvent).toMatchObject({ actor, data: { organisationId: org.body.id, role: 'authority' } });
    expect(JSON.stringify(invitedEvent)).not.toContain(who.toLowerCase());
    expect((await events('person.removed')).find((e) => e.data.personId === invited.body.id)).toMatchObject({ actor });
  });

  it('is for admin keys only', async () => {
    for (const key of [authority.apiKey, (await t.client('auditor')).apiKey]) {
      expect((await as(key).get('/v1/admin/platforms')).status).toBe(403);
      expect((await as(key).post('/v1/admin/clients', { role: 'admin', name: 'me' })).status).toBe(403);
      expect((await as(key).get('/v1/admin/people')).status).toBe(403);
      expect((await as(key).post('/v1/admin/organisations', { role: 'admin', name: 'me' })).status).toBe(403);
    }
    expect((await t.request({ method: 'GET', url: '/v1/admin/clients' })).status).toBe(401);
  });
});
