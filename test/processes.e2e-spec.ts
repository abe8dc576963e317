import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor, waitForReady } from './support/isolated';

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
      await waitForReady(port, 'the API to be ready');
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

  it('logs for a person on a terminal in development (pino-pretty, no probes), JSON lines when not on one', async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development', LOG_FORMAT: undefined };
    // A real terminal: util-linux's script gives the API a pseudo-terminal as its standard output.
    const tty = spawn('script', ['-qfec', `${process.execPath} ${dist('api')}`, '/dev/null'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let shown = '';
    tty.stdout!.on('data', (d) => (shown += d));
    const ready = async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
      } catch {
        return false;
      }
    };
    try {
      await waitFor(ready, 'the API on a terminal to be ready');
      for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/health/live`);
      await fetch(`http://127.0.0.1:${port}/v1/orders`);
      await waitFor(() => /GET \/v1\/orders → 401/.test(shown), 'the request to be logged');
    } finally {
      process.kill(-tty.pid!, 'SIGTERM');
    }
    // eslint-disable-next-line no-control-regex -- the terminal's colours, removed to read the text
    const text = shown.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(ostracon-api\): GET \/v1\/orders → 401 in [\d.]+ ms/m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(ostracon-api\): \[ScreeningIndex\] index ready/m);
    expect(text).not.toMatch(/^\{"level"/m);
    expect(text).not.toMatch(/\/health\//);

    // The same process, its output a pipe: JSON lines, one object each.
    const port2 = await freePort();
    const piped = run('api', { PORT: String(port2), LOG_LEVEL: 'info', NODE_ENV: 'development' });
    let stdout = '';
    piped.child.stdout!.on('data', (d) => (stdout += d));
    try {
      await waitForReady(port2, 'the API on a pipe to be ready');
    } finally {
      piped.child.kill('SIGTERM');
    }
    await exitOf(piped.child);
    // Standard output only: Node's own warnings go to standard error.
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
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
