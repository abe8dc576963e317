/**
 * Enforcement benchmark (issue: directives reach platforms). Run with `npm run bench`.
 *
 * 1. Throughput: N orders whose ban starts at one instant, submitted before it; at that instant
 *    their directives fall due together and the worker, running and warm as in production,
 *    drains them: directives delivered per second from the first to land to the last. Every side
 *    is warmed by a first round that is not counted (the baselines run in this process, the
 *    worker in its own: before, a fresh worker each round was measured cold against baselines
 *    that warmed from round to round). Baselines in the same run, at the same concurrency: the same
 *    simulated platform fed by a bare loop of signed POSTs (what the platform and the machine can
 *    take), so the figure is also a ratio; the same POSTs through a bare BullMQ worker (the
 *    queue's own cost); the same POSTs with the minimum durable record of each in PostgreSQL
 *    (its row and its two audit events, batched as the service batches them); and the whole job
 *    done plainly, that record with each batch of 500 handed to a bare BullMQ worker as one job.
 * 2. Latency: orders submitted at a fixed rate through the API while the worker runs; time from
 *    the API's 201 to the platform receiving the directive, p50 and p99.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Job, Queue, Worker } from 'bullmq';
import { bulkhead } from 'cockatiel';
import { Pool, type PoolClient } from 'pg';
import { Webhook } from 'standardwebhooks';
import { ClientsService } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { PlatformsService } from '@ostracon/platforms';
import { createApiApp } from '../apps/api/src/create-api-app';
import { RESULTS_DIR } from './paths';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 3000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

class Sim {
  secret = `whsec_${randomBytes(32).toString('base64')}`;
  received = new Map<string, number>();
  /** Deliveries of an order already received (the directive delivered twice). */
  duplicates = 0;
  private wh = new Webhook(this.secret);
  private server = createServer((req, res) => void this.handle(req, res));
  port = 0;
  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }
  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }
  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    try {
      const body = this.wh.verify(raw, {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }) as { orderId?: string };
      if (body.orderId && this.received.has(body.orderId)) this.duplicates++;
      else if (body.orderId) this.received.set(body.orderId, performance.now() + performance.timeOrigin);
      res.writeHead(200).end();
    } catch {
      res.writeHead(401).end();
    }
  }
  async stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The worker processes started and not yet exited. */
const workers = new Set<ChildProcess>();

async function main() {
  // The simulated platform listens on 127.0.0.1, which a production worker refuses (as npm test allows it).
  process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ??= 'true';
  const config = { ...loadConfig(), log: { level: 'error' as const } };
  const api = await createApiApp({ config, logDestination: { write: () => true } as never });
  const sim = new Sim();
  await sim.start();
  const platform = `bench-${randomBytes(3).toString('hex')}`;
  await api.get(PlatformsService).create({ id: platform, name: 'Bench', webhookUrl: sim.url, webhookSecret: sim.secret }, 'cli');
  const authority = await api.get(ClientsService).create({ role: 'authority', name: 'bench' }, 'cli');
  const decisionDate = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const submit = async (i: number, startsAt?: Date) => {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: {
        authorization: `Bearer ${authority.apiKey}`,
        'idempotency-key': `bench-${platform}-${i}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({
        courtReference: `BENCH-${i}`,
        court: 'Tribunal judiciaire de Paris',
        decisionDate,
        legalBasis: 'conviction',
        offence: 'cyberharassment',
        repeatOffender: false,
        durationDays: 30,
        ...(startsAt ? { startsAt: startsAt.toISOString() } : {}),
        subject: { signals: [{ type: 'email', value: `bench${i}@example.fr` }] },
        platforms: [{ platform, accounts: [{ accountId: `acct-${i}` }] }],
      }),
    });
    if (res.statusCode !== 201) throw new Error(`order ${i}: ${res.statusCode} ${res.body}`);
    return { id: res.json().id as string, acceptedAt: performance.now() + performance.timeOrigin };
  };

  // Baseline: bare signed POSTs to the same platform, same concurrency, no queue, no database,
  // with the client the worker uses (node:http, kept-alive connections).
  const wh = new Webhook(sim.secret);
  const signedPost = (agent: Agent, orderId: string, i: number) => {
    const body = JSON.stringify({ id: `b${i}`, orderId, type: 'suspend', accounts: [{ accountId: `a${i}` }] });
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'webhook-id': `msg_b${i}`,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': wh.sign(`msg_b${i}`, at, body),
    };
    return new Promise<void>((resolve, reject) => {
      const req = request(sim.url, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const barePosts = async (round: number): Promise<number> => {
    const agent = new Agent({ keepAlive: true });
    const b0 = performance.now();
    await pool(
      Array.from({ length: ORDERS }, (_, i) => i),
      CONCURRENCY,
      (i) => signedPost(agent, `baseline-${round}-${i}`, i),
    );
    agent.destroy();
    return ORDERS / ((performance.now() - b0) / 1000);
  };

  // A second baseline, the limit with a queue kept: the same signed POSTs, each a BullMQ job
  // (added in bulk beforehand, as the relay does), taken by a bare BullMQ Worker of the same
  // concurrency. What the queue itself costs a directive, with no database and no audit.
  const redis = new URL(config.redis.url);
  const connection = {
    host: redis.hostname,
    port: Number(redis.port || 6379),
    db: Number(redis.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  };
  const bareQueue = async (round: number): Promise<number> => {
    const name = `bench-bare-${round}-${randomBytes(3).toString('hex')}`;
    const queue = new Queue(name, { connection });
    await queue.addBulk(
      Array.from({ length: ORDERS }, (_, i) => ({
        name: 'deliver',
        data: { i },
        opts: { jobId: `j-${i}`, removeOnComplete: { count: 1000 } },
      })),
    );
    const agent = new Agent({ keepAlive: true });
    let done = 0;
    const b0 = performance.now();
    const finished = new Promise<void>((resolve) => {
      const worker = new Worker(
        name,
        async (job: Job<{ i: number }>) => {
          await signedPost(agent, `queue-${round}-${job.data.i}`, job.data.i);
        },
        { connection, concurrency: CONCURRENCY },
      );
      worker.on('completed', () => {
        if (++done === ORDERS) void worker.close().then(resolve);
      });
    });
    await finished;
    const perSecond = ORDERS / ((performance.now() - b0) / 1000);
    agent.destroy();
    await queue.obliterate({ force: true });
    await queue.close();
    return perSecond;
  };

  // A third baseline, the durable minimum: the same signed POSTs, and for each what PostgreSQL must
  // hold once the platform has the directive, batched as the service batches it. A row per
  // directive, handed out 500 at a time with a `directive.queued` audit event each (one
  // transaction a batch, as the relay), then after its POST moved to delivered with a
  // `directive.delivered` event, the deliveries that land while a write is under way written
  // together in the next transaction (group commit), each POST waiting for its record. Plain `pg`
  // and the audit log's own append (a row in audit_pending, sequenced at commit): no queue, no ORM,
  // no read of the directive, no SLA, no order platform. If delivery is far below bare POSTs but
  // near this, what is left is the durable record itself.
  const db = new Pool({ connectionString: config.database.url, max: 4 });
  const inTransaction = async (work: (c: PoolClient) => Promise<void>) => {
    const c = await db.connect();
    try {
      await c.query('BEGIN');
      await work(c);
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK');
      throw error;
    } finally {
      c.release();
    }
  };
  const audited = (c: PoolClient, type: string, actor: string, ids: number[]) =>
    c.query(
      `INSERT INTO audit_pending (type, actor, data) SELECT $1, $2, jsonb_build_object('directiveId', id) FROM unnest($3::int[]) AS id`,
      [type, actor, ids],
    );
  /**
   * `throughQueue`: the whole job, done plainly (a fourth baseline): each batch of 500, once its
   * rows and `directive.queued` events are committed, becomes one BullMQ job (as a relay pass for
   * one platform does), taken by a bare BullMQ Worker whose jobs share CONCURRENCY POSTs in flight
   * (cockatiel's bulkhead, as the worker's); each POST then recorded as above.
   */
  const durableRecords = async (round: number, throughQueue = false): Promise<number> => {
    const table = `bench_durable_${round}_${randomBytes(3).toString('hex')}`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, status text NOT NULL DEFAULT 'pending', delivered_at timestamptz)`);
    await db.query(`INSERT INTO ${table} (id) SELECT generate_series(0, $1::int - 1)`, [ORDERS]);
    const move = (c: PoolClient, from: string, to: string, ids: number[]) =>
      c
        .query(
          `UPDATE ${table} SET status = $3, delivered_at = CASE WHEN $3 = 'delivered' THEN now() END WHERE id = ANY($1::int[]) AND status = $2 RETURNING id`,
          [ids, from, to],
        )
        .then((r) => r.rows.map((row: { id: number }) => row.id));
    let waiting: { id: number; done: () => void; fail: (error: unknown) => void }[] = [];
    let writing = false;
    const flush = async () => {
      writing = true;
      while (waiting.length > 0) {
        const batch = waiting;
        waiting = [];
        try {
          await inTransaction(async (c) => {
            await audited(
              c,
              'directive.delivered',
              'system:worker',
              await move(
                c,
                'queued',
                'delivered',
                batch.map((b) => b.id),
              ),
            );
          });
          for (const b of batch) b.done();
        } catch (error) {
          for (const b of batch) b.fail(error);
        }
      }
      writing = false;
    };
    const record = (id: number) =>
      new Promise<void>((done, fail) => {
        waiting.push({ id, done, fail });
        if (!writing) void flush();
      });
    // The durable baseline's way: each batch handed out in turn, POSTs as soon as theirs is.
    const handOutAndPost = async (): Promise<void> => {
      const handedOut: Promise<void>[] = [];
      let previous = Promise.resolve();
      for (let from = 0; from < ORDERS; from += 500) {
        const ids = Array.from({ length: Math.min(500, ORDERS - from) }, (_, i) => from + i);
        previous = previous.then(() =>
          inTransaction(async (c) => {
            await audited(c, 'directive.queued', 'system:relay', await move(c, 'pending', 'queued', ids));
          }),
        );
        handedOut.push(previous);
      }
      await pool(
        Array.from({ length: ORDERS }, (_, i) => i),
        CONCURRENCY,
        async (i) => {
          await handedOut[Math.floor(i / 500)];
          await signedPost(agent, `durable-${round}-${i}`, i);
          await record(i);
        },
      );
    };
    const agent = new Agent({ keepAlive: true });
    const b0 = performance.now();
    if (throughQueue) {
      const name = `bench-job-${round}-${randomBytes(3).toString('hex')}`;
      const queue = new Queue(name, { connection });
      const slots = bulkhead(CONCURRENCY, Number.POSITIVE_INFINITY);
      let delivered = 0;
      const finished = new Promise<void>((resolve, reject) => {
        const worker = new Worker(
          name,
          async (job: Job<{ ids: number[] }>) => {
            await Promise.all(
              job.data.ids.map(async (i) => {
                await slots.execute(() => signedPost(agent, `job-${round}-${i}`, i));
                await record(i);
              }),
            );
            delivered += job.data.ids.length;
          },
          { connection, concurrency: 8 },
        );
        worker.on('completed', () => {
          if (delivered === ORDERS) void worker.close().then(resolve);
        });
        worker.on('failed', (_job, error) => reject(error));
      });
      for (let from = 0; from < ORDERS; from += 500) {
        const ids = Array.from({ length: Math.min(500, ORDERS - from) }, (_, i) => from + i);
        await inTransaction(async (c) => {
          await audited(c, 'directive.queued', 'system:relay', await move(c, 'pending', 'queued', ids));
        });
        await queue.add('deliver-batch', { ids }, { jobId: `pass-${from}`, removeOnComplete: true });
      }
      await finished;
      await queue.obliterate({ force: true });
      await queue.close();
    } else {
      await handOutAndPost();
    }
    const perSecond = ORDERS / ((performance.now() - b0) / 1000);
    agent.destroy();
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE status = 'delivered'`)).rows;
    if (n !== ORDERS) throw new Error(`durable baseline: ${n} of ${ORDERS} records`);
    await db.query(`DROP TABLE ${table}`);
    return perSecond;
  };

  const env = { ...process.env, LOG_LEVEL: 'error', DELIVERY_CONCURRENCY: String(CONCURRENCY), RELAY_SWEEP_MS: '1000' };
  // BENCH_PROFILE_DIR=<dir> writes the worker's CPU profile there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const startWorker = () => {
    const child = spawn(process.execPath, [...profile, join(__dirname, '..', 'apps', 'worker', 'src', 'main.js')], {
      env,
      stdio: 'inherit',
    });
    workers.add(child);
    child.once('exit', () => workers.delete(child));
    return child;
  };
  let submitted = 0;

  /**
   * 1. Throughput. The worker runs from before the first round to the end of the bench. A round
   * submits `count` orders whose ban starts at one instant after their intake (estimated from the
   * last round's intake rate, with a margin): their suspends fall due together and the relay
   * hands them to the worker at once. Timed from the first directive received to the last.
   * `overlapped`: the intake ended after that instant, so the drain began during it (a slower
   * figure, never a faster one).
   */
  const worker: ChildProcess = startWorker();
  let intakeRate = 40;
  const delivery = async (count: number) => {
    const backlog: string[] = [];
    const intakeStart = performance.now();
    const first = submitted;
    submitted += count;
    const startsAt = new Date(Date.now() + (count / intakeRate) * 1300 + 2000);
    await pool(
      Array.from({ length: count }, (_, i) => first + i),
      8,
      async (i) => {
        backlog.push((await submit(i, startsAt)).id);
      },
    );
    // Order intake through the API (8 authorities' requests in flight, the worker idle): orders/s.
    const intakePerSecond = count / ((performance.now() - intakeStart) / 1000);
    intakeRate = intakePerSecond;
    const overlapped = Date.now() > startsAt.getTime();
    const deadline = Date.now() + 120_000 + Math.max(0, startsAt.getTime() - Date.now());
    while (backlog.some((id) => !sim.received.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lost = backlog.filter((id) => !sim.received.has(id)).length;
    if (lost > 0) throw new Error(`${lost} directives never reached the platform in 120 s`);
    const times = backlog.map((id) => sim.received.get(id)!);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    // From the instant they fell due to the first received: the relay's sweep (RELAY_SWEEP_MS) and the job's hand-over.
    const firstAfterDueSeconds = (Math.min(...times) - startsAt.getTime()) / 1000;
    // A moment for a late duplicate to land.
    await new Promise((r) => setTimeout(r, 500));
    return { perSecond: count / seconds, seconds, firstAfterDueSeconds, intakePerSecond, overlapped };
  };

  // The warm-up round, not counted: every side runs once (the worker's first drain included).
  const WARM_UP = Math.min(ORDERS, 1000);
  process.stdout.write(`warm-up round: ${WARM_UP} orders…\n`);
  await barePosts(0);
  await bareQueue(0);
  await durableRecords(0);
  await durableRecords(0, true);
  const warmUp = await delivery(WARM_UP);
  process.stdout.write(`warm-up round: ${JSON.stringify(warmUp)}\n`);

  // Alternating rounds: a disturbance of the shared machine lands on one round, not on one side.
  const rounds: {
    baselinePerSecond: number;
    bareQueuePerSecond: number;
    durablePerSecond: number;
    wholeJobPerSecond: number;
    directivesPerSecond: number;
    ratio: number;
    ratioToDurable: number;
    ratioToWholeJob: number;
    firstAfterDueSeconds: number;
    overlapped: boolean;
    intakePerSecond: number;
    deliveredTwiceSoFar: number;
  }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const baselinePerSecond = await barePosts(r + 1);
    const bareQueuePerSecond = await bareQueue(r + 1);
    const durablePerSecond = await durableRecords(r + 1);
    const wholeJobPerSecond = await durableRecords(r + 1, true);
    process.stdout.write(`round ${r + 1}: submitting ${ORDERS} orders…\n`);
    const d = await delivery(ORDERS);
    rounds.push({
      baselinePerSecond: Math.round(baselinePerSecond),
      bareQueuePerSecond: Math.round(bareQueuePerSecond),
      durablePerSecond: Math.round(durablePerSecond),
      wholeJobPerSecond: Math.round(wholeJobPerSecond),
      directivesPerSecond: Math.round(d.perSecond),
      ratio: +(d.perSecond / baselinePerSecond).toFixed(2),
      ratioToDurable: +(d.perSecond / durablePerSecond).toFixed(2),
      ratioToWholeJob: +(d.perSecond / wholeJobPerSecond).toFixed(2),
      firstAfterDueSeconds: +d.firstAfterDueSeconds.toFixed(2),
      overlapped: d.overlapped,
      intakePerSecond: Math.round(d.intakePerSecond),
      deliveredTwiceSoFar: sim.duplicates,
    });
    process.stdout.write(`round ${r + 1}: ${JSON.stringify(rounds.at(-1))}\n`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const duplicatesAfterThroughput = sim.duplicates;

  // 2. Latency at a fixed order rate, the same worker running.
  const total = RATE * RATE_SECONDS;
  const accepted: { id: string; acceptedAt: number }[] = [];
  let refused = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // An order the API refuses (its pool's wait timed out: intake slower than the rate offered) is
    // counted, not fatal: the throughput rounds' results are kept.
    inflight.push(
      submit(submitted + i).then(
        (a) => void accepted.push(a),
        () => void refused++,
      ),
    );
  }
  await Promise.all(inflight);
  const deadline = Date.now() + 60_000;
  while (accepted.some((a) => !sim.received.has(a.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const latencies = accepted.map((a) => (sim.received.get(a.id) ?? Infinity) - a.acceptedAt).sort((a, b) => a - b);

  worker.kill('SIGTERM');
  await once(worker, 'exit');
  await api.close();
  await db.end();
  await sim.stop();

  const result = {
    benchmark: 'enforcement',
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    throughput: {
      directives: ORDERS,
      concurrency: CONCURRENCY,
      rounds,
      directivesPerSecond: median(rounds.map((r) => r.directivesPerSecond)),
      baselineBarePostsPerSecond: median(rounds.map((r) => r.baselinePerSecond)),
      ratioToBaseline: median(rounds.map((r) => r.ratio)),
      bareQueuePerSecond: median(rounds.map((r) => r.bareQueuePerSecond)),
      bareQueueRatioToBaseline: median(rounds.map((r) => +(r.bareQueuePerSecond / r.baselinePerSecond).toFixed(2))),
      ratioSpread: [Math.min(...rounds.map((r) => r.ratio)), Math.max(...rounds.map((r) => r.ratio))],
      durablePerSecond: median(rounds.map((r) => r.durablePerSecond)),
      durableRatioToBaseline: median(rounds.map((r) => +(r.durablePerSecond / r.baselinePerSecond).toFixed(2))),
      // The whole job done plainly (queue and durable record together): what it leaves of bare POSTs, and delivery against it.
      wholeJobPerSecond: median(rounds.map((r) => r.wholeJobPerSecond)),
      wholeJobRatioToBaseline: median(rounds.map((r) => +(r.wholeJobPerSecond / r.baselinePerSecond).toFixed(2))),
      ratioToWholeJob: median(rounds.map((r) => r.ratioToWholeJob)),
      ratioToDurable: median(rounds.map((r) => r.ratioToDurable)),
      lost: 0, // a directive that does not arrive within 120 s fails the run
      deliveredTwice: duplicatesAfterThroughput,
      target: 'ratio >= 0.8, none lost, none twice',
    },
    intake: { orders: ORDERS, inFlight: 8, ordersPerSecond: median(rounds.map((r) => r.intakePerSecond)) },
    latency: {
      ordersPerSecond: RATE,
      orders: total,
      refusedByTheApi: refused,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies[latencies.length - 1]!),
      target: 'p99 < 1000 ms at 100 orders/s',
    },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'enforcement.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    // A worker left running would go on draining the next run's database, on the same port.
    for (const worker of workers) worker.kill('SIGKILL');
    process.exit(1);
  },
);
