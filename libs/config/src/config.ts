import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { envSchema, SECRET_NAMES, SECRET_SPECS, type Env, type SecretName } from './config.schema';

export interface KeyRingEntry {
  keyId: string;
  key: Buffer;
}

export interface AppConfig {
  env: Env['NODE_ENV'];
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    trustProxy: false | string;
    /** API processes sharing the port (Node's cluster): API_PROCESSES, one per core in production, 1 otherwise. */
    processes: number;
  };
  /** Prometheus metrics, on a listener of their own (operators only: docs/security.md). */
  metrics: { host: string; port: number };
  /** Failed authentications per source address, limited in Redis across processes. */
  authFailures: { ratePerMinute: number; burst: number };
  /** What people cost per source address before they are known (sign-in starts, dead session cookies): a budget of its own. */
  signInAttempts: { ratePerMinute: number; burst: number };
  /** `url` is the application's role; `migrationUrl` the schema owner's, for migrations only. */
  database: { url: string; migrationUrl: string; poolSize: number };
  redis: { url: string };
  /** `format` pretty: pino-pretty, for a person at a terminal; JSON lines when absent. */
  log: { level: Env['LOG_LEVEL']; format?: 'json' | 'pretty' };
  signals: { defaultPhoneCountry: string; peppers: KeyRingEntry[]; oprfKeys: KeyRingEntry[] };
  accounts: { encryptionKeys: KeyRingEntry[] };
  idempotency: { lockSeconds: number };
  delivery: {
    timeoutMs: number;
    /** Webhooks may reach loopback and private addresses (development, tests); never by default in production. */
    allowPrivateAddresses: boolean;
    giveUpMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    concurrency: number;
    breakerFailures: number;
    breakerHalfOpenMs: number;
    queueLockMs: number;
  };
  worker: { relaySweepMs: number; relayRequeueAfterMs: number; lifecycleIntervalMs: number; watchdogIntervalMs: number };
  retention: { days: number };
  /** Sign-up checks: index reconciliation, and the per-key rate limit in checks (a batch costs one per check). */
  screening: { reconcileMs: number; ratePerSecond: number; rateBurst: number; evaluationThreads: number };
  /**
   * The verifiable log: tree extension, checkpoint cadence, Ed25519 seeds (first signs), the origin
   * of its C2SP checkpoints, the witnesses asked to cosign them and how many make a quorum.
   */
  audit: {
    treeIntervalMs: number;
    checkpointIntervalMs: number;
    signingKeys: KeyRingEntry[];
    origin: string;
    witnesses: { name: string; vkey: string; url: string }[];
    witnessQuorum: number;
    witnessTimeoutMs: number;
  };
  /**
   * People signing in (docs/people.md): the public URL, the OpenID provider (null: sign-in is not
   * configured), whether the development provider is mounted at /oidc, session lifetimes.
   */
  signIn: {
    publicUrl: string;
    secureCookies: boolean;
    oidc: {
      issuer: string;
      clientId: string;
      clientSecret: string;
      scopes: string;
      idTokenSigningAlg: Env['OIDC_ID_TOKEN_SIGNING_ALG'];
      /** OIDC_ACR_VALUES: asked for as an essential claim, and the ID token's acr must be one of them (none: not checked). */
      acrValues: string[];
      emailsVerified: boolean;
    } | null;
    localProvider: boolean;
    session: { idleMs: number; lifetimeMs: number };
  };
  /**
   * E-mails (docs/attempts.md § E-mails): the SMTP server (null: none), the sender, how often the
   * worker's sender looks for mails due; `keep`: no server outside production, mails are kept in
   * PostgreSQL and shown on the development page /dev/mails.
   */
  mail: { smtpUrl: string | null; from: string; sweepMs: number; keep: boolean };
  /** Secrets generated for development during this load (names only), so the caller can say so. */
  generatedSecrets: SecretName[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Where `npm start` runs its own PostgreSQL and Redis (scripts/services.sh uses the same settings,
 * ports and roles): the API and the worker connect as `ostracon_service`, a member of the
 * application role `ostracon_app`; migrations run as `ostracon`, the schema's owner. LOCAL_PG_PORT
 * and LOCAL_REDIS_PORT move them, for a second instance from the same checkout.
 */
export function localUrls(env: RawEnv): { database: string; migration: string; redis: string } {
  const port = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1 || parsed > 65535) throw new ConfigError([`${name}: expected a port number, got '${value}'`]);
    return parsed;
  };
  const pg = port('LOCAL_PG_PORT', 54329);
  return {
    database: `postgresql://ostracon_service@127.0.0.1:${pg}/ostracon`,
    migration: `postgresql://ostracon@127.0.0.1:${pg}/ostracon`,
    redis: `redis://127.0.0.1:${port('LOCAL_REDIS_PORT', 63799)}`,
  };
}
export const DEV_SECRETS_FILE = '.local/dev-secrets.json';
/** The major version of .node-version. */
export const SUPPORTED_NODE_MAJOR = 24;

type RawEnv = Record<string, string | undefined>;

/**
 * Reads and validates the environment. The only reader of `process.env` in the code base.
 * Outside production, missing secrets are generated once into a git-ignored file that every
 * local process (API, worker, CLI, tests) then shares.
 */
export function loadConfig(
  source: RawEnv = process.env,
  /** Whether standard output is a terminal (the default log format depends on it); the Node.js version. */
  options: { stdoutIsTTY?: boolean; node?: string } = { stdoutIsTTY: process.stdout.isTTY === true },
): AppConfig {
  const env: RawEnv = { ...source };
  const production = env.NODE_ENV === 'production';
  const generatedSecrets: SecretName[] = [];
  const node = options.node ?? process.versions.node;
  // Node.js 20 has had no security fixes since April 2026 (docs/decisions/0012): production runs on
  // the supported LTS the project is built and tested on (.node-version).
  if (production && Number(node.split('.')[0]) < SUPPORTED_NODE_MAJOR) {
    throw new ConfigError([`Node.js ${SUPPORTED_NODE_MAJOR} or later is required in production; this is ${node}`]);
  }

  if (!production) {
    const local = localUrls(env);
    if (!env.DATABASE_URL) {
      env.DATABASE_URL = local.database;
      env.MIGRATION_DATABASE_URL ||= local.migration;
    }
    env.REDIS_URL ||= local.redis;
    const missing = SECRET_NAMES.filter((name) => !env[name]);
    if (missing.length > 0) {
      const file = resolve(env.OSTRACON_DEV_SECRETS_FILE || DEV_SECRETS_FILE);
      const { values, generated } = developmentSecrets(file, missing);
      for (const name of missing) env[name] = values[name];
      generatedSecrets.push(...generated);
    }
  } else {
    const missing = SECRET_NAMES.filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((name) => `${name} is required in production (a secret has no default)`));
    }
  }

  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Never print the offending value: several of these are secrets.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const signIn = signInConfig(e);
  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      trustProxy: e.TRUST_PROXY,
      processes: e.API_PROCESSES ?? (e.NODE_ENV === 'production' ? availableParallelism() : 1),
    },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    authFailures: { ratePerMinute: e.AUTH_FAILURE_RATE_PER_MINUTE, burst: e.AUTH_FAILURE_BURST },
    signInAttempts: { ratePerMinute: e.SIGN_IN_RATE_PER_MINUTE, burst: e.SIGN_IN_BURST },
    database: { url: e.DATABASE_URL, migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' && options.stdoutIsTTY ? 'pretty' : 'json') },
    signals: { defaultPhoneCountry: e.DEFAULT_PHONE_COUNTRY, peppers: e.SIGNAL_PEPPERS, oprfKeys: e.OPRF_KEYS },
    accounts: { encryptionKeys: e.ACCOUNT_ENCRYPTION_KEYS },
    idempotency: { lockSeconds: e.IDEMPOTENCY_LOCK_SECONDS },
    delivery: {
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
      // Off unless asked for, in development too (issue 29): a webhook URL was a probe of the host's ports.
      allowPrivateAddresses: e.WEBHOOK_ALLOW_PRIVATE_ADDRESSES === 'true',
      giveUpMs: e.DELIVERY_GIVE_UP_HOURS * 3600_000,
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      backoffBaseMs: e.DELIVERY_BACKOFF_BASE_MS,
      backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS,
      concurrency: e.DELIVERY_CONCURRENCY,
      breakerFailures: e.BREAKER_FAILURES,
      breakerHalfOpenMs: e.BREAKER_HALF_OPEN_MS,
      queueLockMs: e.QUEUE_LOCK_MS,
    },
    worker: {
      relaySweepMs: e.RELAY_SWEEP_MS,
      relayRequeueAfterMs: e.RELAY_REQUEUE_AFTER_MS,
      lifecycleIntervalMs: e.LIFECYCLE_INTERVAL_MS,
      watchdogIntervalMs: e.WATCHDOG_INTERVAL_MS,
    },
    retention: { days: e.RETENTION_DAYS },
    audit: {
      treeIntervalMs: e.AUDIT_TREE_INTERVAL_MS,
      checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
      signingKeys: e.AUDIT_SIGNING_KEYS,
      ...witnessing(e),
    },
    screening: {
      reconcileMs: e.SCREENING_RECONCILE_MS,
      ratePerSecond: e.SIGNUP_RATE_PER_SECOND,
      rateBurst: e.SIGNUP_RATE_BURST,
      evaluationThreads: e.PRIVATE_EVALUATION_THREADS ?? availableParallelism(),
    },
    signIn,
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM, sweepMs: e.MAIL_SWEEP_MS, keep: !e.SMTP_URL && e.NODE_ENV !== 'production' },
    generatedSecrets,
  };
}

/** What the migrate step needs: the database, nothing else (docs/operations.md § Migrations). */
export type MigrationConfig = Pick<AppConfig, 'env' | 'database'>;

/**
 * The configuration of `migrate` and `migrate:revert`: only the database settings are read and
 * checked, so the step that runs before the service (scripts/start-prod.sh, a deployment job)
 * needs neither the OpenID client's secret nor the service's key rings, which then stay with the
 * processes that use them.
 */
export function loadMigrationConfig(source: RawEnv = process.env): MigrationConfig {
  const env: RawEnv = { ...source };
  if (env.NODE_ENV !== 'production' && !env.DATABASE_URL) {
    const local = localUrls(env);
    env.DATABASE_URL = local.database;
    env.MIGRATION_DATABASE_URL ||= local.migration;
  }
  const parsed = envSchema
    .pick({ NODE_ENV: true, DATABASE_URL: true, MIGRATION_DATABASE_URL: true, DATABASE_POOL_SIZE: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    database: { url: e.DATABASE_URL, migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
  };
}

/** The log's origin (required in production), and its witnesses with a quorum no larger than their number. */
function witnessing(e: Env): Pick<AppConfig['audit'], 'origin' | 'witnesses' | 'witnessQuorum' | 'witnessTimeoutMs'> {
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.AUDIT_LOG_ORIGIN)
    problems.push("AUDIT_LOG_ORIGIN is required in production (the log's name for its witnesses)");
  const witnesses = e.AUDIT_WITNESSES;
  const quorum = e.AUDIT_WITNESS_QUORUM ?? (witnesses.length === 0 ? 0 : Math.floor(witnesses.length / 2) + 1);
  if (quorum > witnesses.length) problems.push(`AUDIT_WITNESS_QUORUM: ${quorum} is more than the ${witnesses.length} witnesses configured`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    origin: e.AUDIT_LOG_ORIGIN ?? DEVELOPMENT_LOG_ORIGIN,
    witnesses,
    witnessQuorum: quorum,
    witnessTimeoutMs: e.AUDIT_WITNESS_TIMEOUT_MS,
  };
}

/** The log's origin outside production, when AUDIT_LOG_ORIGIN is not set. */
export const DEVELOPMENT_LOG_ORIGIN = 'ostracon.localhost/audit-log';

/** The local provider's one client (apps/api local-provider.ts): development only, so no secret to keep. */
export const LOCAL_OIDC_CLIENT = { clientId: 'ostracon-local', clientSecret: 'ostracon-local-development-only' } as const;

/**
 * Sign-in settings. Production needs a real provider and an https public URL, and refuses the local
 * provider; elsewhere LOCAL_OIDC_PROVIDER=true (what `npm start` and the tests set) signs in against
 * the provider the API mounts at /oidc.
 */
function signInConfig(e: Env): AppConfig['signIn'] {
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  const local = e.LOCAL_OIDC_PROVIDER === 'true';
  const given = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (production && local) problems.push('LOCAL_OIDC_PROVIDER: the development provider accepts any password; never in production');
  if (production && given < 3) problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required in production');
  if (!production && given > 0 && given < 3) problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together');
  if (local && given > 0) problems.push('LOCAL_OIDC_PROVIDER and OIDC_ISSUER are exclusive: choose one provider');
  if (production && !e.PUBLIC_URL?.startsWith('https://')) problems.push('PUBLIC_URL is required in production, as an https:// URL');
  // Its signing keys are fetched from the issuer: over plain http anyone on the way could swap them.
  if (production && e.OIDC_ISSUER && !e.OIDC_ISSUER.startsWith('https://'))
    problems.push('OIDC_ISSUER must be an https:// URL in production');
  // Any password signs in there: a deployment that forgot NODE_ENV must not expose it either.
  if (local && e.PUBLIC_URL && !/^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(e.PUBLIC_URL)) {
    problems.push('LOCAL_OIDC_PROVIDER: the development provider serves only a localhost PUBLIC_URL');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const oidc = local
    ? {
        issuer: `${publicUrl}/oidc`,
        ...LOCAL_OIDC_CLIENT,
        scopes: 'openid email profile',
        idTokenSigningAlg: 'ES256' as const,
        acrValues: [],
        emailsVerified: false,
      }
    : e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          scopes: e.OIDC_SCOPES,
          idTokenSigningAlg: e.OIDC_ID_TOKEN_SIGNING_ALG,
          acrValues: e.OIDC_ACR_VALUES,
          emailsVerified: e.OIDC_EMAILS_VERIFIED === 'true',
        }
      : null;
  return {
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    oidc,
    localProvider: local,
    session: { idleMs: e.SESSION_IDLE_MINUTES * 60_000, lifetimeMs: e.SESSION_LIFETIME_HOURS * 3600_000 },
  };
}

const secretsFileSchema = z.record(z.string(), z.string());

function developmentSecrets(file: string, wanted: SecretName[]): { values: Record<string, string>; generated: SecretName[] } {
  const existing = readSecretsFile(file);
  const generated = wanted.filter((name) => !existing[name]);
  if (generated.length === 0) return { values: existing, generated };

  const values = { ...existing };
  for (const name of generated) {
    const spec = SECRET_SPECS[name];
    values[name] = `${spec.keyIdPrefix}-dev1:${randomBytes(spec.bytes).toString('base64')}`;
  }
  mkdirSync(dirname(file), { recursive: true });
  try {
    // 'wx' fails if another process wrote the file first; then everyone uses that one.
    writeFileSync(file, JSON.stringify(values, null, 2) + '\n', { mode: 0o600, flag: existing === EMPTY ? 'wx' : 'w' });
    return { values, generated };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { values: readSecretsFile(file), generated: [] };
  }
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

function readSecretsFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw err;
  }
  const parsed = secretsFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ConfigError([`${file} is not a JSON object of strings`]);
  return parsed.data;
}
