import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { DomainError, parseOrThrow, platformIdSchema, text, type Actor, ROLES } from '@ostracon/common';
import { isForeignKeyViolation } from '@ostracon/database';
import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiClient } from './api-client.entity';
import { ApiKeyIndex } from './api-key-index';
import { generateApiKey, hashApiKey } from './api-keys';
import { AuthErrors } from './auth.errors';
import type { ClientView, CreatedClient } from './auth.schemas';
import { OrganisationsService } from './organisations.service';

/**
 * A key for an existing organisation (`organisation`: role and platform are the organisation's),
 * or, as before organisations existed, a key with a role, in a new organisation of its name.
 */
/** A key's own sign-up check rate (checks a second) and burst (at least a full batch); null: the global setting. */
const signupRate = z.number().min(0.01).max(10_000_000);
const signupBurst = z.number().int().min(1000).max(100_000_000);

export const createClientSchema = z.strictObject({
  name: text().trim().min(1).max(200),
  organisation: z.uuid().optional(),
  role: z.enum(ROLES).optional(),
  platform: platformIdSchema.optional(),
  signupRatePerSecond: signupRate.optional().meta({ description: 'sign-up checks a second for this key; default: SIGNUP_RATE_PER_SECOND' }),
  signupRateBurst: signupBurst.optional().meta({ description: 'checks this key may make at once; default: SIGNUP_RATE_BURST' }),
});

/** A key's limits changed: a number sets it, null goes back to the global setting, absent leaves it. */
export const updateClientLimitsSchema = z
  .strictObject({ signupRatePerSecond: signupRate.nullable().optional(), signupRateBurst: signupBurst.nullable().optional() })
  .refine((v) => v.signupRatePerSecond !== undefined || v.signupRateBurst !== undefined, 'give signupRatePerSecond or signupRateBurst');
export type UpdateClientLimitsInput = z.input<typeof updateClientLimitsSchema>;
export type CreateClientInput = z.input<typeof createClientSchema>;

@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keys: ApiKeyIndex,
    private readonly organisations: OrganisationsService,
  ) {}

  async create(input: CreateClientInput, actor: Actor): Promise<CreatedClient> {
    const c = parseOrThrow(createClientSchema, input);
    if (c.organisation === undefined && c.role === undefined) {
      throw new DomainError(AuthErrors.organisationRoleMismatch, 'Name the key’s organisation, or a role for a new one');
    }
    const apiKey = generateApiKey();
    const created = await this.dataSource.transaction(async (em) => {
      const organisation =
        c.organisation !== undefined
          ? await this.organisations.get(c.organisation, em)
          : await this.organisations.createIn(em, { name: c.name, role: c.role!, platform: c.platform }, actor);
      if ((c.role !== undefined && c.role !== organisation.role) || (c.platform !== undefined && c.platform !== organisation.platform)) {
        throw new DomainError(AuthErrors.organisationRoleMismatch, `This organisation’s keys act as ${organisation.role}`);
      }
      const client = em.create(ApiClient, {
        id: uuidv7(),
        name: c.name,
        organisationId: organisation.id,
        role: organisation.role,
        platformId: organisation.platform,
        keyHash: hashApiKey(apiKey),
        revokedAt: null,
        signupRatePerSecond: c.signupRatePerSecond ?? null,
        signupRateBurst: c.signupRateBurst ?? null,
      });
      // insert, not save: save would turn a clash on the key into a silent update. The foreign
      // key says whether the platform exists.
      await em.insert(ApiClient, client).catch((error: unknown) => {
        if (isForeignKeyViolation(error, 'fk_api_clients_platform')) {
          throw new DomainError(AuthErrors.platformNotFound, 'No platform with this id; create it first');
        }
        throw error;
      });
      await this.audit.record(em, {
        type: 'client.created',
        actor,
        platformId: client.platformId ?? undefined,
        data: {
          clientId: client.id,
          organisationId: organisation.id,
          role: client.role,
          ...(c.signupRatePerSecond !== undefined ? { signupRatePerSecond: c.signupRatePerSecond } : {}),
          ...(c.signupRateBurst !== undefined ? { signupRateBurst: c.signupRateBurst } : {}),
        },
      });
      return {
        id: client.id,
        name: client.name,
        organisation: organisation.id,
        role: client.role,
        platform: client.platformId,
        apiKey,
      };
    });
    // Usable on this process at once; other processes hear of it by NOTIFY.
    this.keys.noteCreated(
      {
        kind: 'client',
        id: created.id,
        name: created.name,
        role: created.role,
        organisationId: created.organisation,
        platformId: created.platform,
        signupLimit: { ratePerSecond: c.signupRatePerSecond ?? null, burst: c.signupRateBurst ?? null },
      },
      hashApiKey(apiKey),
    );
    return created;
  }

  /** Every client, newest first: who it is, its role and platform, whether revoked; never its key. */
  async list(): Promise<ClientView[]> {
    const clients = await this.dataSource.getRepository(ApiClient).find({ order: { id: 'DESC' } });
    return clients.map((c) => ({
      id: c.id,
      name: c.name,
      organisation: c.organisationId,
      role: c.role,
      platform: c.platformId,
      createdAt: c.createdAt.toISOString(),
      revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
      signupRatePerSecond: c.signupRatePerSecond,
      signupRateBurst: c.signupRateBurst,
    }));
  }

  /**
   * Sets an active key's own sign-up check limits (audited: client.limits_changed). Every API
   * process hears of it by NOTIFY and applies it to the key's next check.
   */
  async setLimits(id: string, input: UpdateClientLimitsInput, actor: Actor): Promise<ClientView> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.clientNotFound);
    const limits = parseOrThrow(updateClientLimitsSchema, input);
    await this.dataSource.transaction(async (em) => {
      const result = await em.update(
        ApiClient,
        { id, revokedAt: IsNull() },
        {
          ...(limits.signupRatePerSecond !== undefined ? { signupRatePerSecond: limits.signupRatePerSecond } : {}),
          ...(limits.signupRateBurst !== undefined ? { signupRateBurst: limits.signupRateBurst } : {}),
        },
      );
      if (!result.affected) throw new DomainError(AuthErrors.clientNotFound, 'No active client with this id');
      await this.audit.record(em, { type: 'client.limits_changed', actor, data: { clientId: id, ...limits } });
    });
    return (await this.list()).find((c) => c.id === id)!;
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.clientNotFound);
    await this.dataSource.transaction(async (em) => {
      const result = await em.update(ApiClient, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (!result.affected) throw new DomainError(AuthErrors.clientNotFound, 'No active client with this id');
      await this.audit.record(em, { type: 'client.revoked', actor, data: { clientId: id } });
    });
    this.keys.noteRevoked(id);
  }
}
