import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { orderBody } from './support/builders';
import { freePort, waitFor } from './support/isolated';
import { startTestApp, submitOrder, type TestApp } from './support/test-app';

const API_MAIN = join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'main.js');

/** A request on a connection of its own: the primary hands out connections in turn, not requests. */
function onNewConnection(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // A request that never ends is a failure to see, not a test that hangs.
    const req = request(url, { agent: false, method: options.method ?? 'GET', headers: options.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.end(options.body);
  });
}

/** API_PROCESSES=2 (apps/api/src/cluster.ts): behaviour, not speed. */
describe('the API as several processes sharing one port', () => {
  let api: TestApp;
  let child: ChildProcess;
  let base: string;
  let metricsPort: number;
  let stderr = '';

  beforeAll(async () => {
    api = await startTestApp();
    const port = await freePort();
    metricsPort = await freePort();
    child = spawn(process.execPath, [API_MAIN], {
      env: {
        ...process.env,
        API_PROCESSES: '2',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
        SIGNUP_RATE_PER_SECOND: '1',
        SIGNUP_RATE_BURST: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        const res = await fetch(`${base}/health/ready`).catch(() => null);
        return res?.status === 200 && ((await res.json()) as { processes: { ready: number } }).processes.ready === 2;
      },
      'two ready API processes',
      60_000,
    );
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await api?.close();
  });

  it('serves from both processes, each reporting the two as ready', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const body = JSON.parse(await onNewConnection(`${base}/health/ready`)) as {
        processes: { ready: number; total: number; pid: number };
      };
      expect(body.processes).toMatchObject({ ready: 2, total: 2 });
      pids.add(body.processes.pid);
    }
    expect(pids.size).toBe(2);
    expect(pids.has(child.pid!)).toBe(false);
  });

  it('keeps every process fresh: a new order blocks, and its revocation allows, whichever answers', async () => {
    const authority = await api.client('authority');
    const platform = await api.platform('cluster');
    const { apiKey } = await api.client('platform', platform);
    const email = `cluster.${randomBytes(5).toString('hex')}@example.fr`;
    const decisions = async () => {
      const out = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const answer = await onNewConnection(`${base}/v1/signup-checks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ signals: [{ type: 'email', value: email }] }),
        });
        out.add((JSON.parse(answer) as { decision: string }).decision);
      }
      return [...out];
    };
    const created = await submitOrder(api, authority.apiKey, {
      ...orderBody(platform),
      subject: { signals: [{ type: 'email', value: email }] },
    });
    expect(created.status).toBe(201);
    await waitFor(async () => (await decisions()).join() === 'block', 'the order on both processes', 10_000);
    const revoked = await api.request({
      method: 'POST',
      url: `/v1/orders/${created.body.id}/revoke`,
      key: authority.apiKey,
      body: { reason: 'Set aside on appeal', decisionReference: 'CA-2026-9' },
    });
    expect(revoked.status).toBe(200);
    await waitFor(async () => (await decisions()).join() === 'allow', 'the revocation on both processes', 10_000);
  });

  it('stops with a failure, rather than restart forever, when its processes cannot start', async () => {
    const port = await freePort();
    const failing = spawn(process.execPath, [API_MAIN], {
      env: {
        ...process.env,
        API_PROCESSES: '2',
        PORT: String(port),
        METRICS_PORT: '0',
        LOG_LEVEL: 'fatal',
        DATABASE_URL: `postgresql://nobody@127.0.0.1:${await freePort()}/none`,
      },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => failing.once('exit', resolve));
    expect(code).toBe(1);
  });

  it('shares one rate limit between the processes, and merges their metrics', async () => {
    const platform = await api.platform('cluster-rate');
    const { apiKey } = await api.client('platform', platform);
    // A burst of 1,000 at 1 token/s: 1,300 checks through both processes must meet 429s well before 2,000.
    let allowed = 0;
    let refused = 0;
    const body = JSON.stringify({ signals: [{ type: 'email', hash: 'a'.repeat(64) }] });
    for (let round = 0; round < 13; round++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(`${base}/v1/signup-checks`, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body,
          }).then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          }),
        ),
      );
      allowed += answers.filter((s) => s === 200).length;
      refused += answers.filter((s) => s === 429).length;
    }
    expect(allowed + refused).toBe(1300);
    expect(allowed).toBeGreaterThanOrEqual(1000);
    expect(allowed).toBeLessThan(1200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`ostracon_signup_checks_total{platform="${platform}",decision="allow"}`));
    expect(Number(line?.split(' ').pop())).toBe(allowed);
    expect(stderr).toBe('');
  });

  /** The pids of the API processes now serving, as they report themselves on fresh connections. */
  async function servingPids(): Promise<Set<number>> {
    const pids = new Set<number>();
    for (let i = 0; i < 20 && pids.size < 2; i++) {
      const body = await onNewConnection(`${base}/health/ready`).catch(() => '{}');
      const pid = (JSON.parse(body) as { processes?: { pid: number; ready: number } }).processes?.pid;
      if (pid) pids.add(pid);
    }
    return pids;
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('replaces a process killed under load, while the other keeps answering and the primary stays up', async () => {
    const [victim, survivor] = [...(await servingPids())];
    expect(survivor).toBeDefined();
    const statuses: number[] = [];
    const failures: string[] = [];
    let loading = true;
    const deadline = Date.now() + 60_000;
    const load = Array.from({ length: 8 }, async () => {
      while (loading && Date.now() < deadline) {
        try {
          const body = JSON.parse(await onNewConnection(`${base}/health/live`)) as { status?: string };
          statuses.push(body.status === 'ok' ? 200 : 500);
        } catch (error) {
          failures.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = statuses.length;
    process.kill(victim!, 'SIGKILL');
    // Until the replacement is ready, every connection goes to the one left.
    await waitFor(
      async () => {
        const pids = await servingPids();
        return pids.size === 2 && !pids.has(victim!) && pids.has(survivor!);
      },
      'a new API process beside the survivor',
      30_000,
    ).finally(() => (loading = false));
    await Promise.all(load);
    // Only what the killed process held at that instant can fail: at most one request a loop.
    expect(failures.length).toBeLessThanOrEqual(8);
    expect(statuses.length - before).toBeGreaterThan(50);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(child.exitCode).toBeNull();
    expect(stderr).toBe('');
  }, 90_000);

  it('stops every process on SIGTERM, and starts none, even when a dead one was due to be replaced', async () => {
    const pids = [...(await servingPids())];
    expect(pids).toHaveLength(2);
    process.kill(pids[0]!, 'SIGKILL');
    await waitFor(async () => !alive(pids[0]!), 'the killed process gone', 5_000);
    // A request in flight on the survivor (its body never comes) keeps it draining past the second
    // after which the primary would have started a replacement.
    const held = connect(Number(new URL(base).port), '127.0.0.1');
    await once(held, 'connect');
    held.write('POST /v1/signup-checks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter(Boolean);
    expect(children).toEqual([pids[1]]);
    held.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(alive(pids[1]!)).toBe(false);
    await expect(onNewConnection(`${base}/health/live`)).rejects.toThrow();
    expect(stderr).toBe('');
  }, 60_000);
});
