import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor, waitForReady } from './support/isolated';

/**
 * The runtime and the tools (docs/decisions/0012): the project's Node.js, builds that never touch a
 * running service, and two instances from one checkout.
 */
const ROOT = join(__dirname, '..');
const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the runtime', () => {
  it('is the Node.js of .node-version, which the pinned runtime package and the engines field agree on', () => {
    const pinned = readFileSync(join(ROOT, '.node-version'), 'utf8').trim();
    // npm test runs on it, whatever the machine had (scripts/node.sh).
    expect(process.versions.node.split('.')[0]).toBe(pinned.split('.')[0]);
    const runtime = JSON.parse(readFileSync(join(ROOT, 'scripts', 'runtime', 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(Object.values(runtime.optionalDependencies)).toEqual([pinned, pinned]);
    const lock = JSON.parse(readFileSync(join(ROOT, 'scripts', 'runtime', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string }>;
    };
    for (const name of Object.keys(runtime.optionalDependencies)) {
      expect(lock.packages[`node_modules/${name}`]).toMatchObject({ version: pinned, integrity: expect.stringMatching(/^sha512-/) });
    }
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(new RegExp(`^\\^${pinned.split('.')[0]}\\.`));
  });
});

describe('a build beside a running service', () => {
  const salt = `test-${process.pid}-${Date.now()}`;

  afterAll(() => {
    // Back to the build of the sources as they are (a switch: that build is still there).
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  });

  it('a CLI command that builds for real leaves the running console whole, and a process started after it runs the new build', async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
    const api = spawn(process.execPath, [API_MAIN], { env, stdio: 'ignore' });
    const before = realpathSync(join(ROOT, 'dist'));
    const base = `http://127.0.0.1:${port}`;
    let cli: ChildProcess | undefined;
    try {
      await waitForReady(port);
      const page = await (await fetch(`${base}/console/`)).text();
      const assets = [...page.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(1);
      const urls = ['/console/', ...assets];
      const failures: string[] = [];
      let served = 0;
      let loading = true;
      // A round of every file, then a pause: asked all through the build and its switch, without
      // taking from the build the cores that a loop with no pause took (the build is what is slow).
      const load = (async () => {
        while (loading) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          for (const url of urls) {
            const res = await fetch(`${base}${url}`).catch((error: Error) => ({
              status: 0,
              statusText: error.message,
              arrayBuffer: async () => undefined,
            }));
            await res.arrayBuffer();
            if (res.status === 200) served++;
            else failures.push(`${url}: ${res.status} ${res.statusText}`);
          }
        }
      })();
      // npm run cli builds first; the salt makes this build a real one, and keeping no spare build
      // leaves only what a process holds (scripts/build.mjs).
      cli = spawn('npm', ['run', '-s', 'cli', '--', '--help'], {
        cwd: ROOT,
        env: { ...process.env, OSTRACON_BUILD_SALT: salt, OSTRACON_BUILD_KEEP: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      cli.stdout!.on('data', (d) => (output += d));
      cli.stderr!.on('data', (d) => (output += d));
      expect(await exitOf(cli)).toBe(0);
      expect(output).toMatch(/server, console: dist -> /);
      expect(output).toMatch(/Ostracon administration/);
      const after = realpathSync(join(ROOT, 'dist'));
      expect(after).not.toBe(before);
      // A process started now runs the new build whole.
      const port2 = await freePort();
      const second = spawn(process.execPath, [API_MAIN], { env: { ...env, PORT: String(port2) }, stdio: 'ignore' });
      try {
        await waitForReady(port2);
        expect((await fetch(`http://127.0.0.1:${port2}/console/`)).status).toBe(200);
      } finally {
        second.kill('SIGTERM');
        await exitOf(second);
      }
      loading = false;
      await load;
      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(urls.length * 20);
      // The running API's build is still there, though no spare one was kept: it holds it.
      expect(existsSync(join(before, 'console', 'index.html'))).toBe(true);
    } finally {
      cli?.kill('SIGTERM');
      api.kill('SIGTERM');
      await exitOf(api);
    }
  }, 180_000);
});

describe('two instances from one checkout', () => {
  it('run side by side on their own ports, each with its own PostgreSQL and Redis, and each stops its own', async () => {
    const local = mkdtempSync(join(tmpdir(), 'ostracon-two-'));
    const instances = await Promise.all(
      [1, 2].map(async () => {
        const ports = {
          PORT: await freePort(),
          METRICS_PORT: await freePort(),
          LOCAL_PG_PORT: await freePort(),
          LOCAL_REDIS_PORT: await freePort(),
        };
        const env: NodeJS.ProcessEnv = { ...process.env, OSTRACON_LOCAL_DIR: local, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
        for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL']) delete env[name];
        for (const [name, value] of Object.entries(ports)) env[name] = String(value);
        env.PUBLIC_URL = `http://127.0.0.1:${ports.PORT}`;
        const child = spawn('bash', [join(ROOT, 'scripts', 'start.sh')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout!.on('data', (d) => (output += d));
        child.stderr!.on('data', (d) => (output += d));
        return { ports, child, output: () => output };
      }),
    );
    try {
      for (const instance of instances) {
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${instance.ports.PORT}/health/ready`).catch(() => null))?.status === 200,
          `instance on ${instance.ports.PORT} ready`,
          120_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\n${instance.output()}`);
        });
        const ready = (await (await fetch(`http://127.0.0.1:${instance.ports.PORT}/health/ready`)).json()) as {
          checks: Record<string, unknown>;
        };
        expect(JSON.stringify(ready)).toMatch(/postgres/);
        expect((await fetch(`http://127.0.0.1:${instance.ports.METRICS_PORT}/metrics`)).status).toBe(200);
        expect(instance.output()).toMatch(new RegExp(`PostgreSQL on 127.0.0.1:${instance.ports.LOCAL_PG_PORT}`));
        expect(instance.output()).toMatch(new RegExp(`Redis on 127.0.0.1:${instance.ports.LOCAL_REDIS_PORT}`));
      }
      // Each its own data: an API key created in one is unknown to the other.
      const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
      const created = execFileSync(
        process.execPath,
        [join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), 'clients:create', '--role', 'authority', '--name', 'two', '--json'],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: '',
            MIGRATION_DATABASE_URL: '',
            REDIS_URL: '',
            NODE_ENV: 'development',
            LOCAL_PG_PORT: String(a.ports.LOCAL_PG_PORT),
            LOCAL_REDIS_PORT: String(a.ports.LOCAL_REDIS_PORT),
          },
          encoding: 'utf8',
        },
      );
      const { apiKey } = JSON.parse(created) as { apiKey: string };
      const asked = (instance: typeof a) =>
        fetch(`http://127.0.0.1:${instance.ports.PORT}/v1/orders`, { headers: { authorization: `Bearer ${apiKey}` } }).then(
          (r) => r.status,
        );
      expect(await asked(a)).not.toBe(401);
      expect(await asked(b)).toBe(401);
    } finally {
      for (const instance of instances) instance.child.kill('SIGTERM');
      for (const instance of instances) expect(await exitOf(instance.child)).not.toBeNull();
    }
    // Each stopped what it started.
    for (const instance of instances) {
      await expect(fetch(`http://127.0.0.1:${instance.ports.PORT}/health/live`)).rejects.toThrow();
      const redis = spawnSync('redis-cli', ['-p', String(instance.ports.LOCAL_REDIS_PORT), 'ping'], { encoding: 'utf8' });
      expect([redis.error, redis.status, redis.stdout.trim()]).toEqual([undefined, 1, '']);
      const pg = spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(instance.ports.LOCAL_PG_PORT)]);
      expect([pg.error, pg.status]).toEqual([undefined, 2]); // 2: no answer
      // As root, PostgreSQL's data may have gone where the postgres user can write (scripts/services.sh).
      const moved = /PostgreSQL data goes to (\S+)/.exec(instance.output());
      if (moved) rmSync(moved[1]!, { recursive: true, force: true });
    }
    rmSync(local, { recursive: true, force: true });
  }, 240_000);
});
