import { randomBytes } from 'node:crypto';
import { KeyRingCipher } from '@ostracon/common';
import type { AppConfig } from '@ostracon/config';
import type { DeliveryResult, DirectivePayload, PlatformAdapter, PlatformTarget } from './adapters/platform-adapter';
import type { DeliveryRecorder } from './delivery-recorder';
import { DeliveryService } from './delivery.service';
import type { EnforcementReads } from './enforcement.reads';
import type { DirectiveToSend } from './enforcement.types';

/** A batch opens its platform's secrets once, the previous one too while a rotation's overlap lasts. */
describe('DeliveryService.deliverBatch: the platform’s secrets', () => {
  const keys = [{ keyId: 'k1', key: randomBytes(32) }];
  const cipher = new KeyRingCipher(keys);
  const config = {
    accounts: { encryptionKeys: keys },
    delivery: { breakerFailures: 5, breakerHalfOpenMs: 30_000, concurrency: 4 },
  } as unknown as AppConfig;
  const secret = (n: number) => `whsec_${Buffer.alloc(32, n).toString('base64')}`;
  const sealed = (s: string) => cipher.seal(Buffer.from(s, 'utf8'), 'platform:p');

  const row = (i: number, webhookSecret: ReturnType<typeof sealed>, previous?: ReturnType<typeof sealed>): DirectiveToSend => ({
    id: `d${i}`,
    orderId: `o${i}`,
    platformId: 'p',
    type: 'suspend',
    linkedReportId: null,
    status: 'queued',
    attempts: 0,
    queuedAt: new Date(),
    nextAttemptAt: null,
    effectiveFrom: new Date(),
    effectiveUntil: new Date(),
    slaDeadline: null,
    webhookUrl: 'https://platform.example/hook',
    webhookSecretEnc: webhookSecret.data,
    webhookSecretKeyId: webhookSecret.keyId,
    webhookSecretPreviousEnc: previous?.data ?? null,
    webhookSecretPreviousKeyId: previous?.keyId ?? null,
    webhookSecretPreviousUntil: previous ? new Date(Date.now() + 3_600_000) : null,
    slaHours: 24,
    accountsEnc: null,
    accountsKeyId: null,
  });

  const deliver = async (rows: DirectiveToSend[]) => {
    const targets: { directive: string; target: PlatformTarget }[] = [];
    const adapter: PlatformAdapter = {
      name: 'fake',
      handles: () => true,
      deliver: (target: PlatformTarget, payload: DirectivePayload): Promise<DeliveryResult> => {
        targets.push({ directive: payload.id, target });
        return Promise.resolve({ kind: 'delivered', status: 200 });
      },
    };
    const reads = { toSend: () => Promise.resolve(rows) } as unknown as EnforcementReads;
    const recorder = { recordDelivered: () => Promise.resolve(true) } as unknown as DeliveryRecorder;
    const service = new DeliveryService(reads, recorder, [adapter], config, { now: () => new Date() });
    const outcomes = await service.deliverBatch(rows.map((r) => r.id));
    return { outcomes, targets };
  };

  it('opens the secret once for a batch sealed alike: every directive gets the same target', async () => {
    const s = sealed(secret(1));
    const { outcomes, targets } = await deliver([row(1, s), row(2, s), row(3, s)]);
    expect(outcomes).toEqual([1, 2, 3].map(() => ({ kind: 'done', note: 'delivered' })));
    expect(targets.map((t) => t.target.webhookSecret)).toEqual([secret(1), secret(1), secret(1)]);
    expect(new Set(targets.map((t) => t.target)).size).toBe(1);
  });

  it('opens the previous secret once as well while the rotation overlaps: every directive is signed by both', async () => {
    const s = sealed(secret(2));
    const previous = sealed(secret(1));
    const { targets } = await deliver([row(1, s, previous), row(2, s, previous)]);
    expect(targets.map((t) => [t.target.webhookSecret, t.target.previousWebhookSecret])).toEqual([
      [secret(2), secret(1)],
      [secret(2), secret(1)],
    ]);
    expect(new Set(targets.map((t) => t.target)).size).toBe(1);
  });
});
