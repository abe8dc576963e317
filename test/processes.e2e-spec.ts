import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from './support/isolated';

/** The built apps as `npm start` runs them: real processes, real signals. `npm test` builds first. */
const dist = (app: string) => join(__dirname, '..', 'dist', 'apps', app, 'src', 'main.js');

function run(app: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [dist(app)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('the built processes', () => {
  beforeAll(() => {
    expect(existsSync(dist('api'))).toBe(true);
  });

  it('API: serves on PORT, is ready, mounts the local OpenID provider when asked, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    // As npm start runs it: the development provider (an ES module, loaded by Node's require).
    const api = run('api', { PORT: String(port), LOG_LEVEL: 'info', LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: `http://127.0.0.1:${port}` });
    try {
      await waitFor(async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
        } catch {
          return false;
        }
      }, 'the API to be ready');
      const res = await fetch(`http://127.0.0.1:${port}/v1/orders`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const discovery = await fetch(`http://127.0.0.1:${port}/oidc/.well-known/openid-configuration`);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${port}/oidc`);
      const signIn = await fetch(`http://127.0.0.1:${port}/auth/sign-in`, { redirect: 'manual' });
      expect([signIn.status, new URL(signIn.headers.get('location')!).pathname]).toEqual([302, '/oidc/auth']);
    } finally {
      api.child.kill('SIGTERM');
    }
    expect(await exitOf(api.child)).toBe(0);
  });

  it('worker: connects to PostgreSQL and Redis, and stops cleanly on SIGTERM', async () => {
    const worker = run('worker', { LOG_LEVEL: 'info' });
    await waitFor(() => worker.output().includes('worker ready'), 'the worker to be ready');
    worker.child.kill('SIGTERM');
    expect(await exitOf(worker.child)).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });

  it('refuses to boot in production without its secrets, saying which', async () => {
    const api = run('api', {
      NODE_ENV: 'production',
      SIGNAL_PEPPERS: '',
      ACCOUNT_ENCRYPTION_KEYS: '',
      OSTRACON_DEV_SECRETS_FILE: '/nonexistent',
    });
    expect(await exitOf(api.child)).toBe(1);
    expect(api.output()).toMatch(/SIGNAL_PEPPERS is required in production/);
    expect(api.output()).toMatch(/ACCOUNT_ENCRYPTION_KEYS is required in production/);
  });

  it('refuses the local OpenID provider in production, and requires a real one', async () => {
    const key = (n: number) => `k:${Buffer.alloc(32, n).toString('base64')}`;
    const production = {
      NODE_ENV: 'production',
      SIGNAL_PEPPERS: key(1),
      ACCOUNT_ENCRYPTION_KEYS: key(2),
      AUDIT_SIGNING_KEYS: key(3),
      OPRF_KEYS: key(4),
      PUBLIC_URL: 'https://ostracon.example.gouv.fr',
    };
    const local = run('api', { ...production, LOCAL_OIDC_PROVIDER: 'true' });
    expect(await exitOf(local.child)).toBe(1);
    expect(local.output()).toMatch(/LOCAL_OIDC_PROVIDER: the development provider accepts any password; never in production/);
    const none = run('api', production);
    expect(await exitOf(none.child)).toBe(1);
    expect(none.output()).toMatch(/OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required in production/);
  });
});
