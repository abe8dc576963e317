import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor, waitForReady } from './support/isolated';

/**
 * Running it for real (docs/operations.md): the systemd units are valid, and `npm run start:prod`
 * runs the built API and worker in production mode, restarts one that dies, and stops on SIGTERM.
 */
const ROOT = join(__dirname, '..');

describe('running it for real', () => {
  it('ships systemd units that systemd-analyze verifies without a word', () => {
    const dir = join(ROOT, 'scripts', 'systemd');
    const units = readdirSync(dir).filter((f) => /\.(service|target)$/.test(f));
    expect(units.sort()).toEqual([
      'ostracon-api.service',
      'ostracon-migrate.service',
      'ostracon-witness.service',
      'ostracon-worker.service',
      'ostracon.target',
    ]);
    const verified = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))], { encoding: 'utf8' });
    expect([verified.status, `${verified.stdout}${verified.stderr}`]).toEqual([0, '']);
  });

  it('npm run start:prod: migrations, then the API and the worker in production; a dead worker is restarted; SIGTERM stops both', async () => {
    const port = await freePort();
    const key = (n: number) => `k:${Buffer.alloc(32, n).toString('base64')}`;
    const env = {
      ...process.env,
      NODE_ENV: undefined,
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      API_PROCESSES: '1',
      LOG_LEVEL: 'info',
      SIGNAL_PEPPERS: key(1),
      ACCOUNT_ENCRYPTION_KEYS: key(2),
      AUDIT_SIGNING_KEYS: key(3),
      OPRF_KEYS: key(4),
      AUDIT_LOG_ORIGIN: 'ostracon.example.gouv.fr/audit',
      PUBLIC_URL: 'https://ostracon.example.gouv.fr',
      OIDC_ISSUER: 'https://idp.example.gouv.fr',
      OIDC_CLIENT_ID: 'ostracon',
      OIDC_CLIENT_SECRET: 'secret',
      LOCAL_OIDC_PROVIDER: undefined,
      OSTRACON_DEV_SECRETS_FILE: '/nonexistent',
    };
    const service: ChildProcess = spawn('bash', [join(ROOT, 'scripts', 'start-prod.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    service.stdout!.on('data', (d) => (output += d));
    service.stderr!.on('data', (d) => (output += d));
    const exited = once(service, 'exit');
    try {
      await waitForReady(port, 'the API to be ready', 60_000);
      const workerReady = () => output.split('\n').filter((l) => l.includes('"msg":"worker ready"'));
      await waitFor(() => workerReady().length === 1, 'the worker to be ready');
      expect(workerReady()[0]).toContain('"service":"ostracon-worker"');
      // JSON lines, as production logs them; production's own settings were taken.
      expect(output).not.toMatch(/development secrets were generated/);
      const pid = Number(/worker started \(pid (\d+)\)/.exec(output)![1]);
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => /worker exited \(137\); restarting in 1 s/.test(output) && workerReady().length === 2,
        'the worker to be restarted',
      );
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      service.kill('SIGTERM');
    }
    const [code] = await exited;
    expect([code, output]).toEqual([0, expect.stringContaining('[ostracon] stopped')]);
    expect(output).toContain('worker stopped');
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
