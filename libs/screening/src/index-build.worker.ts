/**
 * A worker thread that builds a whole index (ScreeningIndexService.rebuild, index-builder.ts):
 * it reads the snapshot from PostgreSQL on a connection of its own, fills a SignalIndex exactly as
 * the loader does on the main thread, and posts its arrays back by transfer (no copy). The thread
 * that serves checks only swaps the finished index in: a rebuild no longer holds its event loop
 * (docs/screening.md § Rebuilds off the event loop).
 */
import 'reflect-metadata';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { dataSourceOptions } from '@ostracon/database';
import { DataSource } from 'typeorm';
import { IndexLoader } from './index-loader';
import type { IndexBuildRequest, IndexBuildResult } from './index-builder';

/** Orders per FETCH here: nothing waits on this thread's event loop, so fewer, larger round trips. */
const ORDERS_PER_SLICE = 50_000;

async function build(request: IndexBuildRequest): Promise<void> {
  // This thread only: on Linux a priority is a thread's (setpriority with no pid is the calling
  // one). The build yields the core to the thread that answers checks whenever both want it;
  // alone, it runs as fast as before (docs/screening.md § Rebuilds off the event loop).
  lowerPriority();
  const database = { ...request.database, poolSize: 1 };
  const dataSource = new DataSource(dataSourceOptions({ database }, { applicationName: 'ostracon-index-build' }));
  let result: IndexBuildResult;
  let transfer: ArrayBuffer[] = [];
  try {
    await dataSource.initialize();
    const index = await new IndexLoader(dataSource).loadAll(new Date(request.at), ORDERS_PER_SLICE);
    const made = index.toParts();
    result = { ok: true, parts: made.parts };
    transfer = made.transfer;
  } catch (error) {
    result = { ok: false, message: (error as Error).message };
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
  parentPort!.postMessage(result, transfer);
}

function lowerPriority(): void {
  try {
    setPriority(constants.priority.PRIORITY_LOW);
  } catch {
    // A system that refuses it: the build runs at the process's priority, as it did.
  }
}

void build(workerData as IndexBuildRequest);
