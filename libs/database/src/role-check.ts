import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Says so, at start, when this process connects as a superuser or as the schema's owner: the
 * grants that keep the audit log append-only (docs/security.md) do not bind those roles, and a
 * deployment that kept one URL for migrations and the application would not notice otherwise.
 */
@Injectable()
export class DatabaseRoleCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows: { superuser: boolean; owner: boolean }[] = await this.dataSource
      .query(
        `SELECT r.rolsuper AS superuser,
                EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'audit_events' AND tableowner = current_user) AS owner
         FROM pg_roles r WHERE r.rolname = current_user`,
      )
      .catch(() => []);
    const role = rows[0];
    if (role?.superuser || role?.owner) {
      this.logger.warn(
        `connected to PostgreSQL as ${role.superuser ? 'a superuser' : 'the owner of the schema'}: run the application as a member of ostracon_app and keep the owner for migrations (MIGRATION_DATABASE_URL, docs/security.md)`,
      );
    }
  }
}
