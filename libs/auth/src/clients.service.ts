import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Actor, AuditService } from '@ostracon/audit';
import { DomainError, parseOrThrow, platformIdSchema, text } from '@ostracon/common';
import { isForeignKeyViolation } from '@ostracon/database';
import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiClient } from './api-client.entity';
import { ApiKeyIndex } from './api-key-index';
import { generateApiKey, hashApiKey } from './api-keys';
import { AuthErrors } from './auth.errors';
import { ROLES, type AuthenticatedClient } from './roles';

export const createClientSchema = z.strictObject({
  name: text().trim().min(1).max(200),
  role: z.enum(ROLES),
  platform: platformIdSchema.optional(),
});
export type CreateClientInput = z.input<typeof createClientSchema>;

export interface ClientView {
  id: string;
  name: string;
  role: AuthenticatedClient['role'];
  platform: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedClient {
  id: string;
  name: string;
  role: AuthenticatedClient['role'];
  platform: string | null;
  /** Shown once, here; only its hash is stored. */
  apiKey: string;
}

@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keys: ApiKeyIndex,
  ) {}

  async create(input: CreateClientInput, actor: Actor): Promise<CreatedClient> {
    const c = parseOrThrow(createClientSchema, input);
    if ((c.role === 'platform') !== (c.platform !== undefined)) throw new DomainError(AuthErrors.platformRequired);
    const apiKey = generateApiKey();
    const created = await this.dataSource.transaction(async (em) => {
      const client = em.create(ApiClient, {
        id: uuidv7(),
        name: c.name,
        role: c.role,
        platformId: c.platform ?? null,
        keyHash: hashApiKey(apiKey),
        revokedAt: null,
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
        data: { clientId: client.id, role: client.role },
      });
      return { id: client.id, name: client.name, role: client.role, platform: client.platformId, apiKey };
    });
    // Usable on this process at once; other processes hear of it by NOTIFY.
    this.keys.noteCreated({ id: created.id, name: created.name, role: created.role, platformId: created.platform }, hashApiKey(apiKey));
    return created;
  }

  /** Every client, newest first: who it is, its role and platform, whether revoked; never its key. */
  async list(): Promise<ClientView[]> {
    const clients = await this.dataSource.getRepository(ApiClient).find({ order: { id: 'DESC' } });
    return clients.map((c) => ({
      id: c.id,
      name: c.name,
      role: c.role,
      platform: c.platformId,
      createdAt: c.createdAt.toISOString(),
      revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
    }));
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
