import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadMigrationConfig } from './config';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { COSIGNATURE_V1, verifierKey } from '@ostracon/platform-sdk/transparency';

const ed25519 = (n: number) => {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, n)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
};

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const base = { DATABASE_URL: 'postgresql://u@h:5432/db', REDIS_URL: 'redis://h:6379', AUDIT_LOG_ORIGIN: 'ostracon.example.gouv.fr/audit' };
/** What production needs to let people sign in (docs/people.md). */
const signIn = {
  PUBLIC_URL: 'https://ostracon.example.gouv.fr',
  OIDC_ISSUER: 'https://auth.agentconnect.gouv.fr/api/v2',
  OIDC_CLIENT_ID: 'client',
  OIDC_CLIENT_SECRET: 'secret',
};

describe('loadConfig', () => {
  it('stops a production boot that lacks a secret, naming it', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', ACCOUNT_ENCRYPTION_KEYS: `a:${key(1)}` })).toThrow(
      /SIGNAL_PEPPERS is required in production/,
    );
  });

  it("refuses TRUST_PROXY=true or a hop count, which would let a client choose its address; takes the proxies' addresses", () => {
    const dev = { ...base, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    expect(() => loadConfig({ ...dev, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ ...dev, TRUST_PROXY: '2' })).toThrow(/TRUST_PROXY.*hop count/);
    expect(() => loadConfig({ ...dev, TRUST_PROXY: '10.0.0.0/8, proxy.internal' })).toThrow(/TRUST_PROXY.*CIDRs/);
    expect(() => loadConfig({ ...dev, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ ...dev, TRUST_PROXY: '10.0.0.0/8' }).http.trustProxy).toBe('10.0.0.0/8');
    expect(loadConfig({ ...dev, TRUST_PROXY: '10.0.0.1, 2001:db8::/32, loopback' }).http.trustProxy).toBe(
      '10.0.0.1, 2001:db8::/32, loopback',
    );
    expect(loadConfig(dev).http.trustProxy).toBe(false);
  });

  it('runs migrations as the owner when given, else with the application URL', () => {
    const dev = { ...base, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    expect(loadConfig(dev).database.migrationUrl).toBe(base.DATABASE_URL);
    expect(loadConfig({ ...dev, MIGRATION_DATABASE_URL: 'postgresql://owner@h/db' }).database.migrationUrl).toBe('postgresql://owner@h/db');
    const local = loadConfig({ REDIS_URL: base.REDIS_URL, OSTRACON_DEV_SECRETS_FILE: dev.OSTRACON_DEV_SECRETS_FILE });
    expect(new URL(local.database.url).username).toBe('ostracon_service');
    expect(new URL(local.database.migrationUrl).username).toBe('ostracon');
  });

  it('has no database default in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SIGNAL_PEPPERS: `p:${key(1)}`, ACCOUNT_ENCRYPTION_KEYS: `a:${key(2)}`, REDIS_URL: 'redis://h' }),
    ).toThrow(ConfigError);
  });

  it('reads key rings, first key first, and never echoes a bad one', () => {
    const config = loadConfig({
      ...base,
      ...signIn,
      NODE_ENV: 'production',
      SIGNAL_PEPPERS: `p2:${key(2)},p1:${key(1)}`,
      ACCOUNT_ENCRYPTION_KEYS: `a:${key(3)}`,
      AUDIT_SIGNING_KEYS: `s2:${key(5)},s1:${key(4)}`,
      OPRF_KEYS: `o:${key(6)}`,
    });
    expect(config.audit.signingKeys.map((k) => k.keyId)).toEqual(['s2', 's1']);
    expect(config.signals.peppers.map((p) => p.keyId)).toEqual(['p2', 'p1']);
    const secret = 'not-base64-and-short';
    try {
      loadConfig({
        ...base,
        NODE_ENV: 'production',
        SIGNAL_PEPPERS: `p:${secret}`,
        ACCOUNT_ENCRYPTION_KEYS: `a:${key(3)}`,
        AUDIT_SIGNING_KEYS: `s:${key(4)}`,
        OPRF_KEYS: `o:${key(6)}`,
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/SIGNAL_PEPPERS/);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('refuses a duplicate key id and a bad port', () => {
    expect(() =>
      loadConfig({
        ...base,
        NODE_ENV: 'production',
        SIGNAL_PEPPERS: `p:${key(1)},p:${key(2)}`,
        ACCOUNT_ENCRYPTION_KEYS: `a:${key(3)}`,
        AUDIT_SIGNING_KEYS: `s:${key(4)}`,
        OPRF_KEYS: `o:${key(6)}`,
      }),
    ).toThrow(/twice/);
    expect(() =>
      loadConfig({
        ...base,
        PORT: 'eighty',
        SIGNAL_PEPPERS: `p:${key(1)}`,
        ACCOUNT_ENCRYPTION_KEYS: `a:${key(3)}`,
        AUDIT_SIGNING_KEYS: `s:${key(4)}`,
        OPRF_KEYS: `o:${key(6)}`,
      }),
    ).toThrow(/PORT/);
  });

  it('generates missing development secrets once, into a file every process then shares', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ostracon-config-')), 'secrets.json');
    const first = loadConfig({ NODE_ENV: 'development', OSTRACON_DEV_SECRETS_FILE: file });
    expect(first.generatedSecrets.sort()).toEqual(['ACCOUNT_ENCRYPTION_KEYS', 'AUDIT_SIGNING_KEYS', 'OPRF_KEYS', 'SIGNAL_PEPPERS']);
    expect(first.database.url).toMatch(/127\.0\.0\.1:54329/);
    const second = loadConfig({ NODE_ENV: 'development', OSTRACON_DEV_SECRETS_FILE: file });
    expect(second.generatedSecrets).toEqual([]);
    expect(second.signals.peppers[0]!.key.equals(first.signals.peppers[0]!.key)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('SIGNAL_PEPPERS');
  });

  it('moves the local PostgreSQL and Redis to the ports a second instance sets, and refuses one that is not a port', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ostracon-config-')), 'secrets.json');
    const config = loadConfig({
      NODE_ENV: 'development',
      OSTRACON_DEV_SECRETS_FILE: file,
      LOCAL_PG_PORT: '55001',
      LOCAL_REDIS_PORT: '55002',
    });
    expect(config.database.url).toBe('postgresql://ostracon_service@127.0.0.1:55001/ostracon');
    expect(config.database.migrationUrl).toBe('postgresql://ostracon@127.0.0.1:55001/ostracon');
    expect(config.redis.url).toBe('redis://127.0.0.1:55002');
    for (const bad of ['0', '65536', '54 329', 'x', '-1']) {
      expect(() => loadConfig({ NODE_ENV: 'development', OSTRACON_DEV_SECRETS_FILE: file, LOCAL_PG_PORT: bad })).toThrow(/LOCAL_PG_PORT/);
    }
    expect(() => loadConfig({ NODE_ENV: 'development', OSTRACON_DEV_SECRETS_FILE: file, LOCAL_REDIS_PORT: '1e3' })).toThrow(
      /LOCAL_REDIS_PORT/,
    );
  });

  it('requires a real OpenID provider and an https URL in production, and refuses the local provider there', () => {
    const secrets = {
      SIGNAL_PEPPERS: `p:${key(1)}`,
      ACCOUNT_ENCRYPTION_KEYS: `a:${key(2)}`,
      AUDIT_SIGNING_KEYS: `s:${key(3)}`,
      OPRF_KEYS: `o:${key(4)}`,
    };
    const production = { ...base, ...secrets, NODE_ENV: 'production' };
    expect(() => loadConfig(production)).toThrow(/OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required in production/);
    // Production refuses a runtime past its end of life; development and tests name none.
    expect(() => loadConfig({ ...production, ...signIn }, { node: '20.20.2' })).toThrow(
      /Node\.js 24 or later is required in production; this is 20\.20\.2/,
    );
    expect(() => loadConfig({ ...base, ...secrets }, { node: '20.20.2' })).not.toThrow();
    expect(() => loadConfig({ ...production, ...signIn, LOCAL_OIDC_PROVIDER: 'true' })).toThrow(/LOCAL_OIDC_PROVIDER/);
    expect(() => loadConfig({ ...production, ...signIn, PUBLIC_URL: 'http://ostracon.example.gouv.fr' })).toThrow(/https/);
    const config = loadConfig({ ...production, ...signIn, OIDC_SCOPES: 'openid email given_name usual_name uid' });
    expect(config.signIn).toMatchObject({
      publicUrl: 'https://ostracon.example.gouv.fr',
      secureCookies: true,
      localProvider: false,
      oidc: { issuer: signIn.OIDC_ISSUER, scopes: 'openid email given_name usual_name uid', emailsVerified: false },
    });
    expect(() => loadConfig({ ...production, ...signIn, OIDC_SCOPES: 'email' })).toThrow(/OIDC_SCOPES/);
    // Its keys are fetched from the issuer: never over plain http in production.
    expect(() => loadConfig({ ...production, ...signIn, OIDC_ISSUER: 'http://idp.example.fr' })).toThrow(/OIDC_ISSUER must be an https/);
  });

  it('logs pretty in development on a terminal, JSON elsewhere, as LOG_FORMAT says when it is set', () => {
    const dev = { ...base, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    expect(loadConfig(dev, { stdoutIsTTY: true }).log.format).toBe('pretty');
    expect(loadConfig(dev, { stdoutIsTTY: false }).log.format).toBe('json');
    expect(loadConfig({ ...dev, NODE_ENV: 'test' }, { stdoutIsTTY: true }).log.format).toBe('json');
    expect(loadConfig({ ...dev, LOG_FORMAT: 'json' }, { stdoutIsTTY: true }).log.format).toBe('json');
    expect(loadConfig({ ...dev, LOG_FORMAT: 'pretty' }, { stdoutIsTTY: false }).log.format).toBe('pretty');
    expect(() => loadConfig({ ...dev, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('reads the log origin (required in production) and the witnesses, with a majority quorum by default', () => {
    const dev = { ...base, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    const { AUDIT_LOG_ORIGIN: _origin, ...withoutOrigin } = dev;
    expect(loadConfig(withoutOrigin).audit).toMatchObject({ origin: 'ostracon.localhost/audit-log', witnesses: [], witnessQuorum: 0 });
    const secrets = {
      SIGNAL_PEPPERS: `p:${key(1)}`,
      ACCOUNT_ENCRYPTION_KEYS: `a:${key(2)}`,
      AUDIT_SIGNING_KEYS: `s:${key(3)}`,
      OPRF_KEYS: `o:${key(4)}`,
    };
    expect(() => loadConfig({ ...withoutOrigin, ...secrets, ...signIn, NODE_ENV: 'production' })).toThrow(
      /AUDIT_LOG_ORIGIN is required in production/,
    );
    const vkey = (name: string, n: number) => {
      const { publicKey } = ed25519(n);
      return verifierKey(name, publicKey, COSIGNATURE_V1);
    };
    const witnesses = `${vkey('w.example/a', 1)} https://a.example/witness/, ${vkey('w.example/b', 2)} http://127.0.0.1:7380,${vkey('w.example/c', 3)} https://c.example`;
    const config = loadConfig({ ...dev, AUDIT_WITNESSES: witnesses });
    expect(config.audit.witnesses.map((w) => [w.name, w.url])).toEqual([
      ['w.example/a', 'https://a.example/witness'],
      ['w.example/b', 'http://127.0.0.1:7380'],
      ['w.example/c', 'https://c.example'],
    ]);
    expect(config.audit.witnessQuorum).toBe(2);
    expect(loadConfig({ ...dev, AUDIT_WITNESSES: witnesses, AUDIT_WITNESS_QUORUM: '3' }).audit.witnessQuorum).toBe(3);
    expect(() => loadConfig({ ...dev, AUDIT_WITNESSES: witnesses, AUDIT_WITNESS_QUORUM: '4' })).toThrow(/4 is more than the 3 witnesses/);
    // A log key (0x01) is not a witness key; a witness needs its URL; twice the same name is a mistake.
    expect(() => loadConfig({ ...dev, AUDIT_WITNESSES: `${verifierKey('w.example/a', ed25519(1).publicKey)} https://a.example` })).toThrow(
      /0x04/,
    );
    expect(() => loadConfig({ ...dev, AUDIT_WITNESSES: vkey('w.example/a', 1) })).toThrow(/"<verifier key> <URL>"/);
    expect(() => loadConfig({ ...dev, AUDIT_WITNESSES: `${vkey('w.example/a', 1)} ftp://a.example` })).toThrow(/http\(s\)/);
    expect(() =>
      loadConfig({ ...dev, AUDIT_WITNESSES: `${vkey('w.example/a', 1)} https://a, ${vkey('w.example/a', 2)} https://b` }),
    ).toThrow(/appears twice/);
    expect(() => loadConfig({ ...dev, AUDIT_LOG_ORIGIN: '{"json": 1}' })).toThrow(/AUDIT_LOG_ORIGIN/);
    // One key under two names would count one witness twice.
    const alias = verifierKey('w.example/alias', ed25519(1).publicKey, COSIGNATURE_V1);
    expect(() => loadConfig({ ...dev, AUDIT_WITNESSES: `${vkey('w.example/a', 1)} https://a, ${alias} https://b` })).toThrow(
      /same name or same key/,
    );
  });

  it('signs in against the local provider at /oidc when asked, outside production, with plain cookies on http', () => {
    const dev = { ...base, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    expect(loadConfig(dev).signIn.oidc).toBeNull();
    const local = loadConfig({ ...dev, LOCAL_OIDC_PROVIDER: 'true', PORT: '3100' });
    expect(local.signIn).toMatchObject({ publicUrl: 'http://localhost:3100', secureCookies: false, localProvider: true });
    expect(local.signIn.oidc?.issuer).toBe('http://localhost:3100/oidc');
    expect(() => loadConfig({ ...dev, LOCAL_OIDC_PROVIDER: 'true', ...signIn })).toThrow(/exclusive/);
    expect(() => loadConfig({ ...dev, OIDC_ISSUER: signIn.OIDC_ISSUER })).toThrow(/go together/);
    // A deployment that forgot NODE_ENV still does not expose an any-password provider.
    expect(() => loadConfig({ ...dev, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: 'http://ostracon.example.fr' })).toThrow(/localhost/);
    expect(loadConfig({ ...dev, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: 'http://127.0.0.1:3100' }).signIn.localProvider).toBe(true);
  });
});

describe('loadMigrationConfig', () => {
  it('reads only the database settings: production migrates without OIDC_* and without the key rings', () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://app@h/db', MIGRATION_DATABASE_URL: 'postgresql://owner@h/db' };
    expect(() => loadConfig(env)).toThrow(/SIGNAL_PEPPERS is required in production/);
    expect(loadMigrationConfig(env)).toEqual({
      env: 'production',
      database: { url: 'postgresql://app@h/db', migrationUrl: 'postgresql://owner@h/db', poolSize: 10 },
    });
    expect(() => loadMigrationConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL/);
    expect(() => loadMigrationConfig({ ...env, DATABASE_URL: 'mysql://h/db' })).toThrow(ConfigError);
  });

  it('takes OIDC_ACR_VALUES as space-separated levels, none by default', () => {
    const dev = { ...base, ...signIn, OSTRACON_DEV_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'secrets.json') };
    expect(loadConfig(dev).signIn.oidc?.acrValues).toEqual([]);
    expect(loadConfig({ ...dev, OIDC_ACR_VALUES: 'eidas1 eidas2' }).signIn.oidc?.acrValues).toEqual(['eidas1', 'eidas2']);
    expect(() => loadConfig({ ...dev, OIDC_ACR_VALUES: 'eidas1  "x"' })).toThrow(/OIDC_ACR_VALUES/);
  });
});
