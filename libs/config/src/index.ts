export { loadConfig, ConfigError, DEV_SECRETS_FILE, LOCAL_OIDC_CLIENT, type AppConfig, type KeyRingEntry } from './config';
export { ConfigModule, APP_CONFIG } from './config.module';
