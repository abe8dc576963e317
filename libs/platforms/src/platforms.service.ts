import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CommonErrors, DomainError, KeyRingCipher, parseOrThrow, type Actor } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { isUniqueViolation } from '@ostracon/database';
import { DataSource, In } from 'typeorm';
import { deliveryMode } from './delivery-mode';
import { Platform } from './platform.entity';
import { PlatformErrors } from './platforms.errors';
import {
  createPlatformSchema,
  type CreatePlatformInput,
  type RotateWebhookSecretInput,
  rotateWebhookSecretSchema,
  type PlatformView,
  type UpdatePlatformInput,
  updatePlatformSchema,
  type WebhookRotation,
} from './platforms.schemas';

@Injectable()
export class PlatformsService {
  private readonly cipher: KeyRingCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cipher = new KeyRingCipher(config.accounts.encryptionKeys);
    this.production = config.env === 'production';
    this.allowPrivateAddresses = config.delivery.allowPrivateAddresses;
  }

  private readonly production: boolean;
  private readonly allowPrivateAddresses: boolean;

  /**
   * What a webhook URL may be (docs/security.md § Webhooks): https in production (directives carry
   * account ids); no credentials (they would sit in clear where the URL is stored, listed and
   * audited); no loopback, private or link-local host unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES.
   * A name is checked again on the address the worker connects to (DNS may change). The URL is
   * never repeated in the refusal.
   */
  private checkWebhookUrl(url: string | undefined, path: string): void {
    if (url === undefined) return;
    const parsed = new URL(url);
    if (this.production && parsed.protocol !== 'https:') {
      throw new DomainError(CommonErrors.validation, 'Webhooks are https in production', [{ path, message: 'must be an https URL' }]);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new DomainError(PlatformErrors.webhookCredentials, 'A webhook URL may not carry a user name or password');
    }
    if (!this.allowPrivateAddresses && !isPublicHost(parsed.hostname)) {
      throw new DomainError(PlatformErrors.webhookAddressForbidden, 'The webhook host is a loopback, private or link-local address');
    }
  }

  async create(input: CreatePlatformInput, actor: Actor): Promise<PlatformView> {
    const p = parseOrThrow(createPlatformSchema, input);
    this.checkWebhookUrl(p.webhookUrl, 'webhookUrl');
    // A push platform without a secret of its own gets one, shown once in the answer.
    const webhookSecret = p.webhookUrl ? (p.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`) : undefined;
    const sealed = webhookSecret ? this.cipher.seal(Buffer.from(webhookSecret, 'utf8'), `platform:${p.id}`) : null;
    try {
      return await this.dataSource.transaction(async (em) => {
        const platform = em.create(Platform, {
          id: p.id,
          name: p.name,
          webhookUrl: p.webhookUrl ?? null,
          webhookSecretEnc: sealed?.data ?? null,
          webhookSecretKeyId: sealed?.keyId ?? null,
          slaHours: p.slaHours,
        });
        // insert, not save: save would turn a clash on the key into a silent update.
        await em.insert(Platform, platform);
        await this.audit.record(em, {
          type: 'platform.created',
          actor,
          platformId: platform.id,
          data: { deliveryMode: deliveryMode(platform), slaHours: platform.slaHours, ...webhookOrigin(platform.webhookUrl) },
        });
        return { ...toView(platform), ...(webhookSecret && !p.webhookSecret ? { webhookSecret } : {}) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError(PlatformErrors.alreadyExists, 'A platform with this id exists already');
      throw error;
    }
  }

  /** Every platform, by id. */
  async list(): Promise<PlatformView[]> {
    return (await this.dataSource.getRepository(Platform).find({ order: { id: 'ASC' } })).map(toView);
  }

  /** An operator's change of name, SLA or webhook URL; audited with what changed. */
  async update(id: string, input: UpdatePlatformInput, actor: Actor): Promise<PlatformView> {
    const u = parseOrThrow(updatePlatformSchema, input);
    this.checkWebhookUrl(u.webhookUrl, 'webhookUrl');
    return this.dataSource.transaction(async (em) => {
      const platform = await em.findOne(Platform, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!platform) throw new DomainError(PlatformErrors.notFound, 'No platform with this id');
      if (u.webhookUrl !== undefined && deliveryMode(platform) === 'pull') {
        throw new DomainError(PlatformErrors.notPush, 'A pull platform has no webhook to move');
      }
      const changes = {
        ...(u.name !== undefined ? { name: u.name } : {}),
        ...(u.slaHours !== undefined ? { slaHours: u.slaHours } : {}),
        ...(u.webhookUrl !== undefined ? { webhookUrl: u.webhookUrl } : {}),
      };
      await em.update(Platform, { id }, changes);
      await this.audit.record(em, {
        type: 'platform.updated',
        actor,
        platformId: id,
        // The fields that changed, the SLA (an auditor's figure) and where directives now go (the
        // webhook's origin: they carry account ids); never a path or query, which may hold a token.
        data: {
          fields: Object.keys(changes).sort(),
          slaHours: changes.slaHours ?? platform.slaHours,
          ...webhookOrigin(changes.webhookUrl ?? null),
        },
      });
      return toView({ ...platform, ...changes });
    });
  }

  /**
   * A new webhook secret for a push platform, with an overlap: until `now + overlapHours` every
   * delivery is signed with both secrets (Standard Webhooks puts both signatures in one header),
   * so the platform can switch its verifier whenever it likes within the overlap. Generated when
   * not given, and then shown once, here.
   */
  async rotateWebhookSecret(id: string, input: RotateWebhookSecretInput, actor: Actor, now: Date): Promise<WebhookRotation> {
    const r = parseOrThrow(rotateWebhookSecretSchema, input);
    const secret = r.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const sealed = this.cipher.seal(Buffer.from(secret, 'utf8'), `platform:${id}`);
    const until = new Date(now.getTime() + r.overlapHours * 3600_000);
    return this.dataSource.transaction(async (em) => {
      const platform = await em.findOne(Platform, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!platform) throw new DomainError(PlatformErrors.notFound, 'No platform with this id');
      if (!platform.webhookSecretEnc || !platform.webhookSecretKeyId) {
        throw new DomainError(PlatformErrors.notPush, 'A pull platform has no webhook secret to rotate');
      }
      // The platform may still verify with the secret the last rotation replaced: dropping it now
      // would make it refuse every delivery (a 4xx, final). Only an explicit `force` does that.
      if (platform.webhookSecretPreviousUntil && platform.webhookSecretPreviousUntil.getTime() > now.getTime() && !r.force) {
        throw new DomainError(
          PlatformErrors.rotationInProgress,
          `The previous secret signs until ${platform.webhookSecretPreviousUntil.toISOString()}; rotate after that, or with force`,
        );
      }
      // The current secret, sealed as it is, becomes the previous one; the one it replaced (if still
      // in its overlap) is dropped: two secrets at most sign at once.
      await em.update(
        Platform,
        { id },
        {
          webhookSecretEnc: sealed.data,
          webhookSecretKeyId: sealed.keyId,
          webhookSecretPreviousEnc: platform.webhookSecretEnc,
          webhookSecretPreviousKeyId: platform.webhookSecretKeyId,
          webhookSecretPreviousUntil: until,
        },
      );
      await this.audit.record(em, {
        type: 'platform.webhook_secret_rotated',
        actor,
        platformId: id,
        data: { previousSecretSignsUntil: until.toISOString(), generated: r.webhookSecret === undefined },
      });
      return {
        platform: id,
        ...(r.webhookSecret === undefined ? { webhookSecret: secret } : {}),
        previousSecretSignsUntil: until.toISOString(),
      };
    });
  }

  /** The ids among `ids` that name no platform. */
  async unknownIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.dataSource.getRepository(Platform).find({ select: { id: true }, where: { id: In(ids) } });
    const known = new Set(found.map((p) => p.id));
    return ids.filter((id) => !known.has(id));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.unknownIds([id])).length === 0;
  }

  /** The webhook secret in clear, for signing deliveries. */
  webhookSecret(platform: Platform): string | null {
    if (!platform.webhookSecretEnc || !platform.webhookSecretKeyId) return null;
    return this.cipher
      .open({ keyId: platform.webhookSecretKeyId, data: platform.webhookSecretEnc }, `platform:${platform.id}`)
      .toString('utf8');
  }
}

/** Where a webhook sends directives, as the audit log records it: its origin only. */
function webhookOrigin(url: string | null): { webhookOrigin?: string } {
  return url ? { webhookOrigin: new URL(url).origin } : {};
}

/**
 * False for `localhost` (and `*.localhost`, RFC 6761) and for a literal address that is not public
 * unicast (loopback, private, link-local, unique-local, CGNAT, unspecified, reserved). Other names
 * pass here: what they resolve to is checked when the worker connects.
 */
export function isPublicHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  if (!ipaddr.isValid(host)) return true;
  // ipaddr.isValid also takes the short and octal IPv4 forms (127.1, 0177.0.0.1) that WHATWG URLs normalise anyway.
  return ipaddr.process(host).range() === 'unicast';
}

function toView(p: Platform): PlatformView {
  return {
    id: p.id,
    name: p.name,
    deliveryMode: deliveryMode(p),
    webhookUrl: p.webhookUrl,
    slaHours: p.slaHours,
    createdAt: p.createdAt.toISOString(),
  };
}
