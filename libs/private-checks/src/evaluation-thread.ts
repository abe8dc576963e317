/**
 * An evaluation thread's entry point (EvaluationPool starts it; docs/decisions/0008): the VOPRF
 * loaded once, then one part of a batch per message, evaluated with the server's key. Run in a
 * worker thread only: imported in the main thread, it does nothing.
 */
import { parentPort } from 'node:worker_threads';
import { voprf } from '@ostracon/platform-sdk';

/** One part of a batch: its blinded elements, starting at `offset` in the batch. */
export interface EvaluationTask {
  id: number;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  blindedElements: Uint8Array[];
  offset: number;
}

/** A part's evaluated elements and its share Σ dᵢ·Cᵢ of the batch's composite (voprf.BatchEvaluation). */
export interface EvaluationPart {
  evaluatedElements: Uint8Array[];
  composite: Uint8Array;
}

/** The task's part, or why it failed. */
export type EvaluationReply = { id: number; part: EvaluationPart } | { id: number; error: string };

const port = parentPort;
if (port) {
  void voprf.loadVoprf().then(() => {
    port.on('message', ({ id, secretKey, publicKey, blindedElements, offset }: EvaluationTask) => {
      let reply: EvaluationReply;
      try {
        const batch = new voprf.BatchEvaluation(secretKey, publicKey, offset);
        batch.add(blindedElements);
        reply = { id, part: batch.part };
      } catch (error) {
        reply = { id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
