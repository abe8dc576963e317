import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EvaluationPart as Part, EvaluationReply, EvaluationTask } from './evaluation-thread';

interface Pending {
  resolve: (part: Part) => void;
  reject: (error: Error) => void;
}

/**
 * The threads' entry point, evaluation-thread.ts, as a file Node runs: compiled beside this one in
 * a build (dist/, what npm start and npm run start:prod run). When this file runs from its
 * TypeScript source (Jest, through @swc/jest), the thread cannot, as Node does not compile it:
 * it runs the same module from the build `npm test` makes first, dist/ mirroring the sources.
 */
function threadEntry(): string {
  const entry = require.resolve('./evaluation-thread');
  if (!entry.endsWith('.ts')) return entry;
  const root = join(__dirname, '..', '..', '..');
  const compiled = join(root, 'dist', relative(root, entry)).replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`the evaluation thread's compiled entry point is missing (npm run build): ${compiled}`);
  return compiled;
}

/**
 * Threads for large evaluation batches (docs/decisions/0008): a batch is split into one part per
 * thread, each part's multiplications run off the event loop, and the caller sums the parts'
 * composites into the one proof. Started on first use; a thread that dies fails its parts and is
 * replaced on the next use.
 */
export class EvaluationPool {
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending & { slot: unknown }>();
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {}

  /** The batch's parts, one per thread, in order. */
  async evaluate(secretKey: Uint8Array, publicKey: Uint8Array, blinded: readonly Uint8Array[]): Promise<Part[]> {
    if (this.closed) throw new Error('the evaluation threads are closed');
    this.start();
    const per = Math.ceil(blinded.length / this.workers.length);
    const parts: Promise<Part>[] = [];
    for (let offset = 0; offset < blinded.length; offset += per) {
      parts.push(this.send(secretKey, publicKey, blinded.slice(offset, offset + per), offset));
    }
    return Promise.all(parts);
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private start(): void {
    while (this.workers.length < this.size) {
      const slot = { worker: new Worker(threadEntry()), busy: 0 };
      slot.worker.on('message', (message: EvaluationReply) => {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        slot.busy--;
        if ('part' in message) pending.resolve(message.part);
        else pending.reject(new Error(`evaluation thread: ${message.error}`));
      });
      // A thread that fails or ends, for whatever reason, fails its parts and leaves the pool.
      const lost = (error: Error) => {
        this.workers = this.workers.filter((w) => w !== slot);
        for (const [id, pending] of this.pending) {
          if (pending.slot === slot) {
            this.pending.delete(id);
            pending.reject(error);
          }
        }
      };
      slot.worker.on('error', lost);
      slot.worker.on('exit', (code) => lost(new Error(`evaluation thread exited (${code})`)));
      slot.worker.unref();
      this.workers.push(slot);
    }
  }

  private send(secretKey: Uint8Array, publicKey: Uint8Array, blindedElements: Uint8Array[], offset: number): Promise<Part> {
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise<Part>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      const task: EvaluationTask = { id, secretKey, publicKey, blindedElements, offset };
      slot.worker.postMessage(task);
    });
  }
}
