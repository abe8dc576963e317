import type { AppConfig } from '@ostracon/config';
import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** The one description of the connection, shared by the apps and the migration command. */
export function dataSourceOptions(
  config: Pick<AppConfig, 'database'>,
  extra: { applicationName: string; migrations?: MigrationClass[] },
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    poolSize: config.database.poolSize,
    applicationName: extra.applicationName,
    migrations: extra.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // Every session in UTC, whatever the server's default: the law's months are counted on the UTC
    // calendar by the order rules (libs/orders order-terms.ts) and, in the session's time zone, by
    // the check ck_ban_orders_max_duration; on a server set to Europe/Paris the check's 12 months
    // were shorter across a daylight-saving change or a 29 February, and valid orders failed.
    extra: { connectionTimeoutMillis: 5000, options: '-c TimeZone=UTC' },
  };
}

/** Migrations run as the schema's owner (`MIGRATION_DATABASE_URL`), never as the application's role. */
function migrationOptions(config: Pick<AppConfig, 'database'>, migrations: MigrationClass[]): DataSourceOptions {
  const owner = { database: { ...config.database, url: config.database.migrationUrl, poolSize: 1 } };
  return dataSourceOptions(owner, { applicationName: 'ostracon-migrate', migrations });
}

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(config: Pick<AppConfig, 'database'>, migrations: MigrationClass[]): Promise<string[]> {
  const dataSource = new DataSource(migrationOptions(config, migrations));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

export async function revertLastMigration(config: Pick<AppConfig, 'database'>, migrations: MigrationClass[]): Promise<void> {
  const dataSource = new DataSource(migrationOptions(config, migrations));
  await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
