import { randomBytes } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { AuditService } from '@ostracon/audit';
import { type AppConfig } from '@ostracon/config';
import { type LibContext, libContext } from '@ostracon/test-support';
import type { DataSource } from 'typeorm';
import { Platform } from './platform.entity';
import { PlatformsModule } from './platforms.module';
import { PlatformsService } from './platforms.service';

const HOUR = 3_600_000;

/**
 * PlatformsService against the real PostgreSQL, the lib alone: push and pull platforms, their
 * changes and webhook secret rotations, each audited in its own transaction without the secret,
 * and each refusal with its stable code, changing nothing (docs/enforcement.md § Push delivery).
 */
describe('PlatformsService: registering platforms, changing them, rotating their webhook secrets', () => {
  let lib: LibContext;
  let context: INestApplicationContext;
  let config: AppConfig;
  let dataSource: DataSource;
  let platforms: PlatformsService;

  beforeAll(async () => {
    lib = await libContext('platforms', { imports: [PlatformsModule] });
    ({ context, config, dataSource } = lib);
    platforms = context.get(PlatformsService);
  });
  afterAll(() => lib?.close());

  const newId = () => `p-${randomBytes(4).toString('hex')}`;
  const secret = (fill: number) => `whsec_${Buffer.alloc(32, fill).toString('base64')}`;
  const rowOf = (id: string) => dataSource.getRepository(Platform).findOneByOrFail({ id });
  const eventsOf = (id: string): Promise<{ type: string; actor: string; data: any }[]> =>
    dataSource.query(`SELECT type, actor, data FROM audit_events WHERE platform_id = $1 ORDER BY seq`, [id]);
  const codeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'done',
      (e: { code?: string; message: string }) => e.code ?? e.message,
    );

  it('registers a push platform: its generated secret shown once, sealed at rest, and audited without it, by the webhook’s origin only', async () => {
    const id = newId();
    const view = await platforms.create(
      { id, name: 'Réseau', webhookUrl: 'https://hooks.example.fr/ostracon?token=s3cr3t', slaHours: 24 },
      'cli',
    );

    expect(view).toMatchObject({
      id,
      name: 'Réseau',
      deliveryMode: 'push',
      slaHours: 24,
      webhookUrl: 'https://hooks.example.fr/ostracon?token=s3cr3t',
    });
    expect(view.webhookSecret).toMatch(/^whsec_/);
    const row = await rowOf(id);
    // What signs deliveries is the secret shown, and the table holds it only sealed.
    expect(platforms.webhookSecret(row)).toBe(view.webhookSecret);
    expect(row.webhookSecretEnc!.includes(Buffer.from(view.webhookSecret!))).toBe(false);
    expect(row.webhookSecretEnc!.includes(Buffer.from(view.webhookSecret!.slice('whsec_'.length), 'base64'))).toBe(false);
    expect(await eventsOf(id)).toEqual([
      { type: 'platform.created', actor: 'cli', data: { deliveryMode: 'push', slaHours: 24, webhookOrigin: 'https://hooks.example.fr' } },
    ]);
    const listed = (await platforms.list()).find((p) => p.id === id);
    expect(listed).toEqual({ ...view, webhookSecret: undefined });
    expect(JSON.stringify(await platforms.list())).not.toContain('whsec_');
  });

  it('registers a pull platform with no secret, and a push platform with its own secret, which it does not send back', async () => {
    const pull = newId();
    const own = newId();
    const pulled = await platforms.create({ id: pull, name: 'Forum' }, 'cli');
    expect(pulled).toEqual({
      id: pull,
      name: 'Forum',
      deliveryMode: 'pull',
      webhookUrl: null,
      slaHours: 48,
      createdAt: expect.any(String),
    });
    expect(platforms.webhookSecret(await rowOf(pull))).toBeNull();

    const pushed = await platforms.create(
      { id: own, name: 'Vidéos', webhookUrl: 'https://v.example.fr/h', webhookSecret: secret(1) },
      'cli',
    );
    expect(pushed.webhookSecret).toBeUndefined();
    expect(platforms.webhookSecret(await rowOf(own))).toBe(secret(1));
    expect(await platforms.unknownIds([pull, 'nowhere', own])).toEqual(['nowhere']);
    expect([await platforms.exists(own), await platforms.exists('nowhere')]).toEqual([true, false]);
  });

  it('refuses a second platform with the same id, and input its schema refuses, writing nothing', async () => {
    const id = newId();
    await platforms.create({ id, name: 'Premier', webhookUrl: 'https://a.example.fr/h', webhookSecret: secret(2) }, 'cli');
    expect(await codeOf(platforms.create({ id, name: 'Second' }, 'cli'))).toBe('PLATFORM.ALREADY_EXISTS');
    expect(await codeOf(platforms.create({ id: newId(), name: 'Sans webhook', webhookSecret: secret(3) }, 'cli'))).toBe(
      'VALIDATION.FAILED',
    );
    expect(await codeOf(platforms.create({ id: 'Not An Id', name: 'x' }, 'cli'))).toBe('VALIDATION.FAILED');
    // The first one stands as it was: a clash is never a silent update.
    expect(await rowOf(id)).toMatchObject({ name: 'Premier', webhookUrl: 'https://a.example.fr/h' });
    expect(platforms.webhookSecret(await rowOf(id))).toBe(secret(2));
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['platform.created']);
  });

  it('changes a platform’s name, SLA and webhook, audited with what changed; a pull platform gets no webhook, an unknown one is not found', async () => {
    const id = newId();
    await platforms.create({ id, name: 'Avant', webhookUrl: 'https://old.example.fr/h' }, 'cli');
    const changed = await platforms.update(id, { slaHours: 12, webhookUrl: 'https://new.example.fr/path?key=k' }, 'system:test');
    expect(changed).toMatchObject({
      id,
      name: 'Avant',
      slaHours: 12,
      webhookUrl: 'https://new.example.fr/path?key=k',
      deliveryMode: 'push',
    });
    expect(await rowOf(id)).toMatchObject({ slaHours: 12, webhookUrl: 'https://new.example.fr/path?key=k' });
    expect((await eventsOf(id))[1]).toEqual({
      type: 'platform.updated',
      actor: 'system:test',
      data: { fields: ['slaHours', 'webhookUrl'], slaHours: 12, webhookOrigin: 'https://new.example.fr' },
    });
    expect(await platforms.update(id, { name: 'Après' }, 'cli')).toMatchObject({ name: 'Après', slaHours: 12 });
    expect((await eventsOf(id))[2]).toMatchObject({ data: { fields: ['name'], slaHours: 12 } });

    const pull = newId();
    await platforms.create({ id: pull, name: 'Forum' }, 'cli');
    expect(await codeOf(platforms.update(pull, { webhookUrl: 'https://f.example.fr/h', slaHours: 5 }, 'cli'))).toBe('PLATFORM.NOT_PUSH');
    expect(await rowOf(pull)).toMatchObject({ webhookUrl: null, slaHours: 48 });
    expect(await codeOf(platforms.update(newId(), { name: 'x' }, 'cli'))).toBe('PLATFORM.NOT_FOUND');
    expect(await codeOf(platforms.update(pull, {}, 'cli'))).toBe('VALIDATION.FAILED');
    expect((await eventsOf(pull)).map((e) => e.type)).toEqual(['platform.created']);
  });

  it('rotates a webhook secret with an overlap: the old secret still signs until it ends, a second rotation meanwhile is refused unless forced', async () => {
    const id = newId();
    await platforms.create({ id, name: 'Push', webhookUrl: 'https://p.example.fr/h', webhookSecret: secret(4) }, 'cli');
    const before = await rowOf(id);
    const now = new Date();

    const rotated = await platforms.rotateWebhookSecret(id, { overlapHours: 2 }, 'cli', now);
    const until = new Date(now.getTime() + 2 * HOUR);
    expect(rotated).toEqual({
      platform: id,
      webhookSecret: expect.stringMatching(/^whsec_/),
      previousSecretSignsUntil: until.toISOString(),
    });
    let row = await rowOf(id);
    expect(platforms.webhookSecret(row)).toBe(rotated.webhookSecret);
    // The secret it replaced moves, sealed as it was, beside it until the overlap ends.
    expect(row.webhookSecretPreviousEnc).toEqual(before.webhookSecretEnc);
    expect(row.webhookSecretPreviousUntil).toEqual(until);

    // Within the overlap the platform may still verify with secret(4): rotating again would drop it.
    const later = new Date(now.getTime() + HOUR);
    expect(await codeOf(platforms.rotateWebhookSecret(id, { webhookSecret: secret(5) }, 'cli', later))).toBe(
      'PLATFORM.ROTATION_IN_PROGRESS',
    );
    expect(platforms.webhookSecret(await rowOf(id))).toBe(rotated.webhookSecret);
    const forced = await platforms.rotateWebhookSecret(id, { webhookSecret: secret(5), overlapHours: 1, force: true }, 'cli', later);
    expect(forced).toEqual({ platform: id, previousSecretSignsUntil: new Date(later.getTime() + HOUR).toISOString() });
    row = await rowOf(id);
    expect(platforms.webhookSecret(row)).toBe(secret(5));
    expect(row.webhookSecretPreviousEnc).not.toEqual(before.webhookSecretEnc);

    // Once the overlap is over, a rotation needs no force.
    const after = new Date(later.getTime() + HOUR);
    expect(await platforms.rotateWebhookSecret(id, { webhookSecret: secret(6) }, 'cli', after)).toMatchObject({ platform: id });

    const events = await eventsOf(id);
    expect(events.map((e) => [e.type, e.data.generated])).toEqual([
      ['platform.created', undefined],
      ['platform.webhook_secret_rotated', true],
      ['platform.webhook_secret_rotated', false],
      ['platform.webhook_secret_rotated', false],
    ]);
    expect(JSON.stringify(events)).not.toContain('whsec_');
  });

  it('refuses to rotate the secret of a pull platform or of an unknown one', async () => {
    const pull = newId();
    await platforms.create({ id: pull, name: 'Forum' }, 'cli');
    expect(await codeOf(platforms.rotateWebhookSecret(pull, {}, 'cli', new Date()))).toBe('PLATFORM.NOT_PUSH');
    expect(await codeOf(platforms.rotateWebhookSecret(newId(), {}, 'cli', new Date()))).toBe('PLATFORM.NOT_FOUND');
    expect(await rowOf(pull)).toMatchObject({ webhookSecretEnc: null, webhookSecretPreviousEnc: null });
    expect((await eventsOf(pull)).map((e) => e.type)).toEqual(['platform.created']);
  });

  it('in production, sends directives to https webhooks only', async () => {
    const production = new PlatformsService(dataSource, context.get(AuditService), { ...config, env: 'production' });
    const id = newId();
    expect(await codeOf(production.create({ id, name: 'Clair', webhookUrl: 'http://p.example.fr/h' }, 'cli'))).toBe('VALIDATION.FAILED');
    await production.create({ id, name: 'Chiffré', webhookUrl: 'https://p.example.fr/h' }, 'cli');
    expect(await codeOf(production.update(id, { webhookUrl: 'http://p.example.fr/h' }, 'cli'))).toBe('VALIDATION.FAILED');
    expect(await rowOf(id)).toMatchObject({ webhookUrl: 'https://p.example.fr/h' });
  });
});
