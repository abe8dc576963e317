import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { DomainError, parseOrThrow, platformIdSchema, text, type Actor, ROLES, type Role } from '@ostracon/common';
import { isForeignKeyViolation, type OrganisationsRow, queryRows } from '@ostracon/database';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { AuthErrors } from './auth.errors';
import type { OrganisationView } from './auth.schemas';

export const createOrganisationSchema = z.strictObject({
  name: text().trim().min(1).max(200),
  role: z.enum(ROLES),
  platform: platformIdSchema.optional(),
});
export type CreateOrganisationInput = z.input<typeof createOrganisationSchema>;

const view = (row: OrganisationsRow): OrganisationView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  platform: row.platform_id,
  createdAt: row.created_at.toISOString(),
});

/**
 * Organisations: a parquet, a CNIL team, a platform, the operator. Each holds one role, in which
 * its API keys and its people act; the only owner of the `organisations` table.
 */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateOrganisationInput, actor: Actor): Promise<OrganisationView> {
    return this.dataSource.transaction((em) => this.createIn(em, input, actor));
  }

  /** Inside the caller's transaction (ClientsService creates a key's organisation with it). */
  async createIn(em: EntityManager, input: CreateOrganisationInput, actor: Actor): Promise<OrganisationView> {
    const o = parseOrThrow(createOrganisationSchema, input);
    if ((o.role === 'platform') !== (o.platform !== undefined)) throw new DomainError(AuthErrors.platformRequired);
    const rows: OrganisationsRow[] = await em
      .query(`INSERT INTO organisations (id, name, role, platform_id) VALUES ($1, $2, $3, $4) RETURNING *`, [
        uuidv7(),
        o.name,
        o.role,
        o.platform ?? null,
      ])
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error, 'fk_organisations_platform')) {
          throw new DomainError(AuthErrors.platformNotFound, 'No platform with this id; create it first');
        }
        throw error;
      });
    const created = view(rows[0]!);
    await this.audit.record(em, {
      type: 'organisation.created',
      actor,
      platformId: created.platform ?? undefined,
      data: { organisationId: created.id, role: created.role },
    });
    return created;
  }

  async list(): Promise<OrganisationView[]> {
    const rows = await queryRows<OrganisationsRow>(this.dataSource, `SELECT * FROM organisations ORDER BY id DESC`);
    return rows.map(view);
  }

  /** The organisation, or ORGANISATION.NOT_FOUND (also for an id that is not a uuid). */
  async get(id: string, em: EntityManager = this.dataSource.manager): Promise<OrganisationView> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.organisationNotFound);
    const rows = await queryRows<OrganisationsRow>(em, `SELECT * FROM organisations WHERE id = $1`, [id]);
    if (!rows[0]) throw new DomainError(AuthErrors.organisationNotFound);
    return view(rows[0]);
  }

  /** The first organisation of this name and role (demo data is seeded by name), if any. */
  async findByName(name: string, role: Role): Promise<OrganisationView | null> {
    const rows = await queryRows<OrganisationsRow>(
      this.dataSource,
      `SELECT * FROM organisations WHERE name = $1 AND role = $2 ORDER BY id LIMIT 1`,
      [name, role],
    );
    return rows[0] ? view(rows[0]) : null;
  }
}
