import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AppConfig } from '@ostracon/config';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';

/** What an API process of a cluster knows of the others (readiness reports it). */
export const clusterState: { total: number; ready: number } = { total: 1, ready: 1 };

const READY = 'ostracon:ready';
const STATE = 'ostracon:cluster';

/** In an API process of a cluster: follow the primary's counts; `ready()` once this one serves. */
export function joinCluster(): { ready(): void } {
  clusterState.ready = 0;
  process.on('message', (message: { type?: string; total?: number; ready?: number }) => {
    if (message?.type === STATE) {
      clusterState.total = message.total ?? clusterState.total;
      clusterState.ready = message.ready ?? clusterState.ready;
    }
  });
  return { ready: () => process.send?.({ type: READY }) };
}

/**
 * API_PROCESSES > 1 (docs/scaling.md): this process forks that many API processes, which share
 * the port through Node's cluster module (the primary accepts connections and hands them out in
 * turn). Each keeps its own sign-up index and key cache, fresh by NOTIFY as a lone process is. The
 * primary restarts a process that dies, serves the processes' metrics merged on the metrics port,
 * tells each how many are ready, and stops them all on SIGTERM or SIGINT.
 */
export async function runPrimary(config: AppConfig, logger: Logger): Promise<void> {
  const total = config.http.processes;
  const ready = new Map<number, boolean>();
  let stopping = false;
  let exitCode = 0;
  const broadcast = () => {
    const state = { type: STATE, total, ready: [...ready.values()].filter(Boolean).length };
    for (const worker of Object.values(cluster.workers ?? {})) {
      // A process that is dying has closed its channel before its 'exit' reaches us: sending to it
      // would raise ERR_IPC_CHANNEL_CLOSED in this process, which must outlive every API process.
      if (worker?.isConnected()) worker.send(state, undefined, () => undefined);
    }
  };
  const fork = (): Worker => {
    const worker = cluster.fork();
    ready.set(worker.id, false);
    worker.on('error', (error) => logger.warn({ pid: worker.process.pid, err: error }, 'an API process channel failed'));
    worker.on('message', (message: { type?: string }) => {
      if (message?.type === READY) {
        ready.set(worker.id, true);
        broadcast();
      }
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    const served = ready.get(worker.id) === true;
    ready.delete(worker.id);
    broadcast();
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (!served) {
      // It never became ready (configuration, database, secrets): another would fail alike. Stop
      // all and exit non-zero, for the supervisor (systemd, the orchestrator) to see and retry.
      logger.error({ pid: worker.process.pid, code, signal }, 'an API process failed to start; stopping');
      exitCode = 1;
      stop();
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'an API process ended; starting another');
    // A stop that comes during this second must not be followed by a new process.
    setTimeout(() => stopping || fork(), 1000).unref();
  });

  // Prometheus sees one target: the processes' metrics, summed (prom-client's cluster aggregation).
  const aggregator = new AggregatorRegistry();
  const metrics = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    aggregator.clusterMetrics().then(
      (body) => response.writeHead(200, { 'content-type': aggregator.contentType }).end(body),
      () => response.writeHead(503, { 'content-type': 'text/plain' }).end('collection failed\n'),
    );
  });
  metrics.listen(config.metrics.port, config.metrics.host);
  await once(metrics, 'listening');

  function stop(): void {
    if (stopping) return;
    stopping = true;
    metrics.close();
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), 30_000).unref();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < total; i++) fork();
  logger.info({ processes: total, port: config.http.port }, 'API processes started');
}
