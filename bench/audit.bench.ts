/**
 * Audit log benchmark (issue: an enforcement log auditors can verify). Run with `npm run bench`.
 *
 * 1. Appends: 8 concurrent writers append one event per transaction for a fixed time, alone
 *    (the baseline) and with the real worker process keeping the tree current beside them, in
 *    three rounds, each arm first in turn; the medians of events/s, the CPU seconds of
 *    PostgreSQL, the worker and the bench in each arm, and how long the tree takes to catch up
 *    when the writers stop.
 * 2. Proofs at 1,000,000 events: the log is filled to a million events and the tree extended;
 *    then inclusion and consistency proofs (as the API computes them: one query for the tiles,
 *    then hashing), p50 and p99 over 1,000 random requests each after 50 untimed.
 * 3. The export of the whole log, as the endpoint streams it: time and heap growth.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AuditLogService, AuditService, AuditTreeService, tilesFor } from '@ostracon/audit';
import { consistencyProof, inclusionProof, subtreesNeeded, verifyConsistency, verifyInclusion } from '@ostracon/platform-sdk/transparency';
import { loadConfig } from '@ostracon/config';
import type { DataSource } from 'typeorm';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { fillLog } from './fill-log';
import { RESULTS_DIR } from './paths';

const WRITERS = Number(process.env.BENCH_AUDIT_WRITERS ?? 8);
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
// BENCH_AUDIT_IDLE_WORKER=1 adds a third arm to each round: the worker process running with its
// tree idle (its documented intervals at their maximum), to tell its other loops' cost from the tree's.
const IDLE_WORKER = process.env.BENCH_AUDIT_IDLE_WORKER === '1';
// BENCH_AUDIT_WARM_UP_SECONDS: untimed appends at the start of every arm, so that the worker
// spawned for it is measured past its first seconds (a production worker is not freshly started).
const WARM_UP_SECONDS = Number(process.env.BENCH_AUDIT_WARM_UP_SECONDS ?? 0);
const PROOFS = 1000;
const WARM_UP = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(
      { ...config, database: { ...config.database, poolSize: WRITERS + 2 } },
      {
        relay: false,
        delivery: false,
        lifecycle: false,
        auditTree: false,
      },
    ),
    { logger: ['error'] },
  );
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const audit = app.get(AuditService);
  const tree = app.get(AuditTreeService);

  /** The real worker process, which keeps the tree current (and signs checkpoints) in production. */
  const startWorker = async (treeIdle = false): Promise<ChildProcess> => {
    // The default cadence: tree every 500 ms, checkpoint every 5 s. Idle: neither within a round.
    const cadence = treeIdle ? { AUDIT_TREE_INTERVAL_MS: '60000', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' } : {};
    const child = spawn(process.execPath, [join(__dirname, '..', 'apps', 'worker', 'src', 'main.js')], {
      env: { ...process.env, LOG_LEVEL: 'info', ...cadence },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    while (!out.includes('worker ready')) {
      if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  };

  // CPU seconds of a set of processes, from /proc (Linux): where an arm's time goes.
  const TICKS = 100; // USER_HZ
  const cpuOf = (pids: number[]) =>
    pids.reduce((sum, pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return sum + (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
      } catch {
        return sum; // gone since
      }
    }, 0);
  const [{ pid: backend }] = await dataSource.query(`SELECT pg_backend_pid() AS pid`);
  const postmaster = Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  const postgresPids = () => [
    postmaster,
    ...readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number),
  ];

  const append = async (seconds: number, workerPid?: number) => {
    if (WARM_UP_SECONDS > 0) await appendFor(WARM_UP_SECONDS);
    return appendFor(seconds, workerPid);
  };
  const appendFor = async (seconds: number, workerPid?: number) => {
    let appended = 0;
    const deadline = Date.now() + seconds * 1000;
    const pg = postgresPids();
    const cpuBefore = { postgres: cpuOf(pg), worker: workerPid ? cpuOf([workerPid]) : 0, bench: process.cpuUsage() };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        (async () => {
          while (Date.now() < deadline) {
            await dataSource.transaction((em) =>
              audit.record(em, { type: 'client.created', actor: 'cli', data: { writer: w, n: appended } }),
            );
            appended++;
          }
        })(),
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const bench = process.cpuUsage(cpuBefore.bench);
    const cpuSeconds = {
      postgres: +(cpuOf(pg) - cpuBefore.postgres).toFixed(2),
      worker: +((workerPid ? cpuOf([workerPid]) : 0) - cpuBefore.worker).toFixed(2),
      bench: +((bench.user + bench.system) / 1e6).toFixed(2),
    };
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
    return { eventsPerSec: Math.round(appended / elapsed), lagWhenWritersStopped: n - (await tree.size()), cpuSeconds };
  };

  // Whatever an earlier run left to write out (a dropped million-row database) is flushed
  // first, or it lands on the first round. Then a warm-up, and ROUNDS rounds of the baseline (no
  // tree) and the same with the worker keeping the tree current, in turn first and second: a
  // disturbance of the machine lands on one round, not on one side; the medians are compared.
  await dataSource.query('CHECKPOINT');
  await appendFor(2);
  const rounds: {
    order: string[];
    baseline: Awaited<ReturnType<typeof append>>;
    withIdleWorker?: Awaited<ReturnType<typeof append>>;
    warmUpSeconds: number;
    withTree: Awaited<ReturnType<typeof append>> & { treeCaughtUpAfterMs: number };
  }[] = [];
  const withWorker = async <T>(treeIdle: boolean, run: (pid: number) => Promise<T>): Promise<T> => {
    while ((await tree.extend(20_000)) > 0);
    const worker = await startWorker(treeIdle);
    try {
      return await run(worker.pid!);
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
  };
  const arms = {
    baseline: async () => {
      while ((await tree.extend(20_000)) > 0);
      return append(SECONDS);
    },
    withIdleWorker: () => withWorker(true, (pid) => append(SECONDS, pid)),
    withTree: () =>
      withWorker(false, async (pid) => {
        const appended = await append(SECONDS, pid);
        const t = performance.now();
        const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
        while ((await tree.size()) < n) await new Promise((r) => setTimeout(r, 10));
        return { ...appended, treeCaughtUpAfterMs: Math.round(performance.now() - t) };
      }),
  };
  const order: (keyof typeof arms)[] = IDLE_WORKER ? ['baseline', 'withIdleWorker', 'withTree'] : ['baseline', 'withTree'];
  for (let round = 0; round < ROUNDS; round++) {
    // Each arm takes each place in turn: the log grows through a round, and audit_pending's dead
    // rows with it, so a later place is a slower one until autovacuum comes.
    const turn = order.map((_, i) => order[(i + round) % order.length]!);
    const results: Partial<Record<keyof typeof arms, unknown>> = {};
    for (const arm of turn) results[arm] = await arms[arm]();
    rounds.push({ ...(results as (typeof rounds)[number]), order: turn, warmUpSeconds: WARM_UP_SECONDS });
    console.log(`appends round ${round + 1}`, JSON.stringify(rounds[round]));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const baselinePerSec = median(rounds.map((r) => r.baseline.eventsPerSec));
  const withTreePerSec = median(rounds.map((r) => r.withTree.eventsPerSec));
  const appends = {
    writers: WRITERS,
    seconds: SECONDS,
    rounds,
    baseline: { eventsPerSec: baselinePerSec },
    ...(IDLE_WORKER && {
      withIdleWorker: { eventsPerSec: median(rounds.map((r) => r.withIdleWorker!.eventsPerSec)) },
    }),
    withTree: {
      eventsPerSec: withTreePerSec,
      lagWhenWritersStopped: Math.max(...rounds.map((r) => r.withTree.lagWhenWritersStopped)),
      treeCaughtUpAfterMs: Math.max(...rounds.map((r) => r.withTree.treeCaughtUpAfterMs)),
    },
    ratio: +(withTreePerSec / baselinePerSec).toFixed(2),
  };
  console.log('appends', appends);

  // Fill to a million events (one statement per 100k, the same seq discipline), extend the tree.
  const fillStarted = performance.now();
  await fillLog(dataSource, EVENTS);
  const fillMs = Math.round(performance.now() - fillStarted);
  const treeStarted = performance.now();
  while ((await tree.extend(20_000)) > 0);
  const treeMs = Math.round(performance.now() - treeStarted);
  const size = await tree.size();
  console.log(`filled to ${size} events in ${fillMs} ms, tree extended in ${treeMs} ms`);
  // Steady state, as a live database is: otherwise autovacuum, woken by the bulk load, runs
  // during the timing and is what the tail measures.
  await dataSource.query(`VACUUM (ANALYZE) audit_events, audit_tree_tiles`);

  const root = await tree.root(size);
  // Timed: producing the proof (as the API does: its subtrees, then hashing). Each is then
  // verified, untimed, so a fast wrong answer cannot pass. In turn with each proof, untimed
  // against it, its baselines in the same run: the bare query of the tiles its subtrees come
  // from by primary key (pg, no cache, no hashing), and a bare round trip to PostgreSQL
  // (SELECT 1): the floor of anything that reads the database.
  const bare = async (subtrees: { level: number; index: number }[]) => {
    const wanted = tilesFor(subtrees);
    return dataSource.query(
      `SELECT t.level, t.idx, t.hashes FROM audit_tree_tiles t
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx`,
      [wanted.map((w) => w.level), wanted.map((w) => w.index)],
    );
  };
  const stats = (samples: number[]) => {
    samples.sort((a, b) => a - b);
    return { p50Ms: +percentile(samples, 50).toFixed(2), p99Ms: +percentile(samples, 99).toFixed(2) };
  };
  const time = async (produce: () => Promise<() => Promise<boolean>>, wantedOf: () => { level: number; index: number }[]) => {
    const samples: number[] = [];
    const bareSamples: number[] = [];
    const pingSamples: number[] = [];
    for (let i = 0; i < WARM_UP; i++) await (await produce())();
    for (let i = 0; i < PROOFS; i++) {
      let t = performance.now();
      const check = await produce();
      samples.push(performance.now() - t);
      if (!(await check())) throw new Error('a proof did not verify');
      const wanted = wantedOf();
      t = performance.now();
      await bare(wanted);
      bareSamples.push(performance.now() - t);
      t = performance.now();
      await dataSource.query('SELECT 1');
      pingSamples.push(performance.now() - t);
    }
    return { ...stats(samples), bareQueryOfItsSubtrees: stats(bareSamples), bareRoundTrip: stats(pingSamples) };
  };
  const leafOf = async (index: number) => (await tree.leafHash(index))!;
  const last = { index: 0, from: 1 };
  const inclusion = await time(
    async () => {
      const index = Math.floor(Math.random() * size);
      last.index = index;
      const proof = await tree.inclusion(index, size);
      return async () => verifyInclusion(await leafOf(index), index, size, proof, root);
    },
    () => subtreesNeeded((src) => inclusionProof(src, last.index, size)),
  );
  const consistency = await time(
    async () => {
      const from = 1 + Math.floor(Math.random() * (size - 1));
      last.from = from;
      const proof = await tree.consistency(from, size);
      return async () => verifyConsistency(from, size, await tree.root(from), root, proof);
    },
    () => subtreesNeeded((src) => consistencyProof(src, last.from, size)),
  );
  const proofs = { size, fillMs, treeExtendMs: treeMs, inclusion, consistency };
  console.log('proofs', proofs);

  // The export of the whole log, as the endpoint streams it: memory must stay flat.
  const log = app.get(AuditLogService);
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let exported = 0;
  const exportStarted = performance.now();
  for await (const event of log.export({ actor: 'system:bench' }, {}, { all: true })) {
    exported++;
    if (exported % 10_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    if (!event.leafHash) throw new Error('an exported event has no leaf hash');
  }
  const exportResult = {
    events: exported,
    seconds: +((performance.now() - exportStarted) / 1000).toFixed(1),
    heapGrowthMb: +((heapPeak - heapBefore) / 1e6).toFixed(1),
  };
  console.log('export', exportResult);

  const results = {
    benchmark: 'audit',
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    appends,
    proofs,
    export: exportResult,
    targets: {
      appendsAtLeast2000PerSec: withTreePerSec >= 2000,
      inclusionP99AtMost1ms: inclusion.p99Ms <= 1,
      consistencyP99AtMost1ms: consistency.p99Ms <= 1,
      appendsAtLeast90PercentOfBaseline: appends.ratio >= 0.9,
    },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'audit.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
