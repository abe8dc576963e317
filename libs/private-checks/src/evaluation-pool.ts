import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

interface Part {
  evaluatedElements: Uint8Array[];
  composite: Uint8Array;
}

interface Pending {
  resolve: (part: Part) => void;
  reject: (error: Error) => void;
}

/**
 * The compiled protocol module a thread loads: beside this file once built (dist/), or the SDK's
 * own build when this file runs from its TypeScript source (tests).
 */
function voprfModule(): string {
  const candidates = [
    join(__dirname, '..', '..', 'platform-sdk', 'src', 'private', 'voprf.js'),
    join(__dirname, '..', '..', 'platform-sdk', 'dist', 'private', 'voprf.js'),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`the compiled VOPRF module is missing (npm run build): looked at ${candidates.join(', ')}`);
  return found;
}

// Each thread: the protocol loaded once, then one part of a batch per message.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const voprf = require(workerData.module);
voprf.loadVoprf().then(() => {
  parentPort.on('message', ({ id, secretKey, publicKey, blindedElements, offset }) => {
    try {
      const batch = new voprf.BatchEvaluation(secretKey, publicKey, offset);
      batch.add(blindedElements);
      parentPort.postMessage({ id, part: batch.part });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error && error.message || error) });
    }
  });
});
`;

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
      const slot = { worker: new Worker(THREAD, { eval: true, workerData: { module: voprfModule() } }), busy: 0 };
      slot.worker.on('message', (message: { id: number; part?: Part; error?: string }) => {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        slot.busy--;
        if (message.part) pending.resolve(message.part);
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
      slot.worker.postMessage({ id, secretKey, publicKey, blindedElements, offset });
    });
  }
}
