import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppConfig } from '@ostracon/config';
import { SignalIndex, type SignalIndexParts } from './signal-index';

/** What index-build.worker.ts is given: where to read, and the instant the index is read at (epoch ms). */
export interface IndexBuildRequest {
  database: AppConfig['database'];
  at: number;
}

export type IndexBuildResult = { ok: true; parts: SignalIndexParts } | { ok: false; message: string };

/**
 * The worker's script: compiled beside this file (dist/, as `npm start` and the bench run it).
 * Under Jest these sources run as TypeScript, which a worker thread cannot load; the build of
 * the same sources is used instead (`npm test` builds dist/ before running the tests).
 */
export function indexWorkerScript(): string {
  const beside = join(__dirname, 'index-build.worker.js');
  if (existsSync(beside)) return beside;
  return join(__dirname, '..', '..', '..', 'dist', 'libs', 'screening', 'src', 'index-build.worker.js');
}

/**
 * Builds a whole index in a worker thread (index-build.worker.ts) and resolves to it once it is
 * complete: its arrays arrive by transfer, so taking it costs this thread a few object creations
 * however large it is. Rejects when the build fails (the caller keeps the index it has), or
 * when `signal` aborts it (a shutdown does not wait for a build it would throw away).
 */
export function buildIndexInWorker(
  request: IndexBuildRequest,
  options: { signal?: AbortSignal; script?: string } = {},
): Promise<SignalIndex> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(options.script ?? indexWorkerScript(), { workerData: request });
    const abort = () => void worker.terminate();
    options.signal?.addEventListener('abort', abort, { once: true });
    worker.once('exit', () => options.signal?.removeEventListener('abort', abort));
    let settled = false;
    worker.once('message', (result: IndexBuildResult) => {
      settled = true;
      if (result.ok) resolve(SignalIndex.fromParts(result.parts));
      else reject(new Error(`index build failed: ${result.message}`));
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`index build worker exited (${code}) without an index`));
      settled = true;
    });
  });
}
