export { loadConfig, loadMigrationConfig, ConfigError, type AppConfig, type KeyRingEntry } from './config';
export { ConfigModule, APP_CONFIG } from './config.module';
