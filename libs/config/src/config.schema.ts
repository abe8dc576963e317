import { COSIGNATURE_V1, isKeyName, parseVerifierKey, rawEd25519 } from '@ostracon/platform-sdk/transparency';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** `keyId:base64key[,keyId:base64key…]`; the first entry is the one new data is written with. */
const keyRing = (bytes: number) =>
  z
    .string()
    .trim()
    .min(1)
    .transform((raw, ctx) => {
      const keys: { keyId: string; key: Buffer }[] = [];
      for (const part of raw.split(',')) {
        const [keyId, material, extra] = part.trim().split(':');
        const key = Buffer.from(material ?? '', 'base64');
        if (extra !== undefined || !keyId || !/^[A-Za-z0-9_-]{1,32}$/.test(keyId) || key.length !== bytes) {
          ctx.addIssue({
            code: 'custom',
            message: `expected "keyId:base64" entries with ${bytes}-byte keys and key ids of [A-Za-z0-9_-]{1,32}`,
          });
          return z.NEVER;
        }
        if (keys.some((k) => k.keyId === keyId)) {
          ctx.addIssue({ code: 'custom', message: `key id ${keyId} appears twice` });
          return z.NEVER;
        }
        keys.push({ keyId, key });
      }
      return keys;
    });

/** Witnesses of the audit log: `<cosignature verifier key> <submission URL prefix>` entries, comma-separated. */
const witnessList = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const witnesses: { name: string; vkey: string; url: string }[] = [];
    const keys = new Set<string>();
    for (const entry of raw
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [vkey, url, extra] = entry.split(/\s+/);
      let problem: string | null = null;
      try {
        if (extra !== undefined || !url) problem = 'each witness is "<verifier key> <URL>"';
        else if (parseVerifierKey(vkey!).type !== COSIGNATURE_V1) problem = 'a witness key is a cosignature/v1 (0x04) verifier key';
        else if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) problem = 'a witness URL is an http(s):// submission prefix';
      } catch (error) {
        problem = `a witness key is not a verifier key: ${(error as Error).message}`;
      }
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      const { name, publicKey } = parseVerifierKey(vkey!);
      // Same name, or same key under another name (a cosignature does not commit to the name): one witness counted twice.
      const key = rawEd25519(publicKey).toString('hex');
      if (witnesses.some((w) => w.name === name) || keys.has(key)) {
        ctx.addIssue({ code: 'custom', message: `witness ${name} appears twice (same name or same key)` });
        return z.NEVER;
      }
      keys.add(key);
      witnesses.push({ name, vkey: vkey!, url: url!.replace(/\/+$/, '') });
    }
    return witnesses;
  });

/** An address or CIDR that proxy-addr (Fastify's trustProxy) compiles, or one of its named ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  if (ipaddr.isValid(entry)) return true;
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

export const SECRET_NAMES = ['SIGNAL_PEPPERS', 'ACCOUNT_ENCRYPTION_KEYS', 'AUDIT_SIGNING_KEYS', 'OPRF_KEYS'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** How to generate each secret for development; production must be given every one. */
export const SECRET_SPECS: Record<SecretName, { bytes: number; keyIdPrefix: string }> = {
  SIGNAL_PEPPERS: { bytes: 32, keyIdPrefix: 'pepper' },
  ACCOUNT_ENCRYPTION_KEYS: { bytes: 32, keyIdPrefix: 'acct' },
  // Ed25519 private keys (their 32-byte seeds): the first signs checkpoints, the others verify old ones.
  AUDIT_SIGNING_KEYS: { bytes: 32, keyIdPrefix: 'audit' },
  // Seeds of the private checks' OPRF keys (RFC 9497 DeriveKeyPair): the first evaluates and
  // fills the private sets; the others are being retired (docs/private-checks.md § Key rotation).
  OPRF_KEYS: { bytes: 32, keyIdPrefix: 'oprf' },
};

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  // The schema's owner, for migrations only; the API and the worker run as DATABASE_URL's role (docs/security.md).
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // JSON lines, or pino-pretty for a person: by default pretty in development on a terminal, JSON otherwise.
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  // Fastify's trustProxy: "false", or the comma-separated addresses or CIDRs of the proxies in front.
  // Never "true": it would trust whatever X-Forwarded-For a client writes itself. Nor a hop count:
  // it cannot tell a proxy from a client that writes enough hops, and Fastify 5.12 ignores it.
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .refine((v) => v !== 'true', 'give the addresses or CIDRs of the proxies in front of the API; "true" trusts any client')
    .refine(
      (v) => !/^\d+$/.test(v),
      'give the addresses or CIDRs of the proxies in front of the API; a hop count trusts a client that writes enough hops',
    )
    .refine(
      (v) => v === 'false' || v.split(',').every((entry) => isProxyAddress(entry.trim())),
      'expected comma-separated IP addresses or CIDRs (or loopback, linklocal, uniquelocal)',
    )
    .transform((v): false | string => (v === 'false' ? false : v)),
  // API processes sharing one port; default: one per core in production, 1 otherwise (docs/scaling.md).
  API_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: port.default(9464),
  AUTH_FAILURE_RATE_PER_MINUTE: z.coerce.number().min(0.1).max(100_000).default(60),
  AUTH_FAILURE_BURST: z.coerce.number().int().min(1).max(100_000).default(120),
  // People's budget per source address (sign-in starts, dead session cookies), apart from unknown keys'.
  SIGN_IN_RATE_PER_MINUTE: z.coerce.number().min(0.1).max(100_000).default(300),
  SIGN_IN_BURST: z.coerce.number().int().min(1).max(100_000).default(600),
  DEFAULT_PHONE_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
    .default('FR'),
  IDEMPOTENCY_LOCK_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Whether webhooks may point at loopback or private addresses: no by default in production.
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z.enum(['true', 'false']).optional(),
  DELIVERY_GIVE_UP_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 30)
    .default(24),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(100),
  DELIVERY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  DELIVERY_BACKOFF_MAX_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600_000)
    .default(3600_000),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(10).max(3600_000).default(30_000),
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  RELAY_SWEEP_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  RELAY_REQUEUE_AFTER_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  LIFECYCLE_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  WATCHDOG_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(365),
  // Threads for large private check evaluation batches (0: none, the event loop does them); default: one per core.
  PRIVATE_EVALUATION_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  SCREENING_RECONCILE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  SIGNUP_RATE_PER_SECOND: z.coerce.number().min(0.01).max(10_000_000).default(1000),
  SIGNUP_RATE_BURST: z.coerce.number().int().min(1000).max(100_000_000).default(5000),
  AUDIT_TREE_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(500),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  // The log's name in its C2SP checkpoints, and its note key's name (docs/auditing.md § A witnessed
  // log): a schema-less URL, never changed once witnesses know it. Required in production.
  AUDIT_LOG_ORIGIN: z
    .string()
    .refine((o) => isKeyName(o) && !o.startsWith('{'), 'a log origin has no spaces or "+", and does not start with "{"')
    .optional(),
  AUDIT_WITNESSES: witnessList.default([]),
  // How many witnesses must cosign a checkpoint for it to count as witnessed; default: a majority.
  AUDIT_WITNESS_QUORUM: z.coerce.number().int().min(0).max(100).optional(),
  AUDIT_WITNESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  // Where browsers reach the service (cookies, redirects, the origin cross-site checks compare
  // with): http://localhost:PORT outside production by default.
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  // E-mails to people (docs/attempts.md § E-mails): an SMTP server, smtp:// or smtps:// with its
  // credentials in the URL. Without it outside production, mails are kept in PostgreSQL and shown
  // at /dev/mails; in production they wait, queued, until it is set.
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().trim().min(3).max(200).default('Ostracon <ne-pas-repondre@ostracon.localhost>'),
  MAIL_SWEEP_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  // People sign in with OpenID Connect (docs/people.md): any standard provider, e.g. ProConnect.
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z
    .string()
    .regex(/^openid( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scopes, starting with openid')
    .default('openid email profile'),
  // The acr the ID token must carry (space-separated, any of them), asked for with an essential
  // `claims` request: `eidas1` for ProConnect (docs/people.md § ProConnect). None by default.
  OIDC_ACR_VALUES: z
    .string()
    .trim()
    .regex(/^([\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*)?$/, 'space-separated acr values')
    .default('')
    .transform((v) => (v === '' ? [] : v.split(' '))),
  OIDC_ID_TOKEN_SIGNING_ALG: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']).default('RS256'),
  // The provider only ever returns verified e-mails (ProConnect), so no email_verified claim is needed.
  OIDC_EMAILS_VERIFIED: z.enum(['true', 'false']).default('false'),
  // The development OpenID provider mounted at /oidc: any password, never in production.
  LOCAL_OIDC_PROVIDER: z.enum(['true', 'false']).default('false'),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_LIFETIME_HOURS: z.coerce.number().min(0.1).max(720).default(12),
  SIGNAL_PEPPERS: keyRing(SECRET_SPECS.SIGNAL_PEPPERS.bytes),
  AUDIT_SIGNING_KEYS: keyRing(SECRET_SPECS.AUDIT_SIGNING_KEYS.bytes),
  ACCOUNT_ENCRYPTION_KEYS: keyRing(SECRET_SPECS.ACCOUNT_ENCRYPTION_KEYS.bytes),
  OPRF_KEYS: keyRing(SECRET_SPECS.OPRF_KEYS.bytes),
});

export type Env = z.infer<typeof envSchema>;
