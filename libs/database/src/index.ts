export { dataSourceOptions, runMigrations, revertLastMigration } from './data-source';
export { DatabaseModule } from './database.module';
export { isForeignKeyViolation, isUniqueViolation } from './pg-errors';
export { IdempotencyStore } from './idempotency.store';
export { RedisModule, REDIS, redisReady } from './redis.module';
export { pingDatabase, queryRows } from './query-rows';
export { CHANNELS } from './channels';
export { PgListener } from './pg-listener';
// The row types of the migrated schema (npm run db:types), as far as other libs read them.
export type {
  AuditCheckpointNotesRow,
  AuditCheckpointsRow,
  AuditCosignaturesRow,
  AuditEventsRow,
  AuditTreeTilesRow,
  AuditWitnessesRow,
  ApiClientsRow,
  BanOrdersRow,
  DirectivesRow,
  LinkedAccountReportsRow,
  OprfKeysRow,
  OrderPlatformsRow,
  OrderSignalsRow,
  OrganisationsRow,
  OutboxRow,
  PeopleRow,
  PlatformsRow,
  PrivateElementsRow,
  PrivateEvaluationCountsRow,
  PrivateSetEntriesRow,
  PrivateSetHorizonsRow,
  SessionsRow,
  SignInAttemptsRow,
  SignupMatchesRow,
} from './schema.generated';
