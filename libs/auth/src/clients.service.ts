import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Actor, AuditService } from '@ostracon/audit';
import { DomainError, parseOrThrow } from '@ostracon/common';
import { PlatformErrors, PlatformsService, platformIdSchema } from '@ostracon/platforms';
import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiClient } from './api-client.entity';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './api-keys';
import { AuthErrors } from './auth.errors';
import { ROLES, type AuthenticatedClient } from './roles';

export const createClientSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
  platform: platformIdSchema.optional(),
});
export type CreateClientInput = z.input<typeof createClientSchema>;

export interface CreatedClient {
  id: string;
  name: string;
  role: AuthenticatedClient['role'];
  platform: string | null;
  /** Shown once, here; only its hash is stored. */
  apiKey: string;
}

const CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;

@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly platforms: PlatformsService,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateClientInput, actor: Actor): Promise<CreatedClient> {
    const c = parseOrThrow(createClientSchema, input);
    if ((c.role === 'platform') !== (c.platform !== undefined)) throw new DomainError(AuthErrors.platformRequired);
    if (c.platform && !(await this.platforms.exists(c.platform))) {
      throw new DomainError(PlatformErrors.notFound, `No platform ${c.platform}; create it first`);
    }
    const apiKey = generateApiKey();
    return this.dataSource.transaction(async (em) => {
      const client = em.create(ApiClient, {
        id: uuidv7(),
        name: c.name,
        role: c.role,
        platformId: c.platform ?? null,
        keyHash: hashApiKey(apiKey),
        revokedAt: null,
      });
      // insert, not save: save would turn a clash on the key into a silent update.
      await em.insert(ApiClient, client);
      await this.audit.record(em, {
        type: 'client.created',
        actor,
        platformId: client.platformId ?? undefined,
        data: { clientId: client.id, role: client.role },
      });
      return { id: client.id, name: client.name, role: client.role, platform: client.platformId, apiKey };
    });
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.clientNotFound);
    await this.dataSource.transaction(async (em) => {
      const result = await em.update(ApiClient, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (!result.affected) throw new DomainError(AuthErrors.clientNotFound, `No active client ${id}`);
      await this.audit.record(em, { type: 'client.revoked', actor, data: { clientId: id } });
    });
  }

  /** The client a bearer key belongs to, or null for an unknown, malformed or revoked key. */
  /**
   * `authenticate` behind a one-second cache, for the sign-up hot path: one query per key per
   * second at most, so a revoked key stops working there within a second. Bounded in size, so a
   * flood of made-up keys cannot grow it.
   */
  async authenticateCached(apiKey: string): Promise<AuthenticatedClient | null> {
    if (!isWellFormedApiKey(apiKey)) return null;
    const now = Date.now();
    const hit = this.cache.get(apiKey);
    if (hit && hit.until > now) return hit.client;
    // Concurrent requests with an expired entry share one query.
    const client = this.authenticate(apiKey);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(apiKey, { client, until: now + CACHE_TTL_MS });
    client.catch(() => this.cache.delete(apiKey));
    return client;
  }

  private readonly cache = new Map<string, { client: Promise<AuthenticatedClient | null>; until: number }>();

  async authenticate(apiKey: string): Promise<AuthenticatedClient | null> {
    if (!isWellFormedApiKey(apiKey)) return null;
    const client = await this.dataSource.getRepository(ApiClient).findOne({ where: { keyHash: hashApiKey(apiKey), revokedAt: IsNull() } });
    if (!client) return null;
    return { id: client.id, name: client.name, role: client.role, platformId: client.platformId };
  }
}
