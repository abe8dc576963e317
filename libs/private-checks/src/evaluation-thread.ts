/**
 * An evaluation thread's entry point (EvaluationPool starts it; docs/decisions/0008, 0029): the
 * VOPRF loaded once, then one part of a batch per message, checked and evaluated with the
 * server's key. Run in a worker thread only: imported in the main thread, it does nothing.
 */
import { parentPort } from 'node:worker_threads';
import { voprf } from '@ostracon/platform-sdk';

/**
 * One part of a batch: its blinded elements packed end to end (ELEMENT_BYTES each, the buffer
 * transferred, not copied), starting at `offset` in the batch.
 */
export interface EvaluationTask {
  id: number;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  blindedElements: Uint8Array;
  offset: number;
}

/** A part's evaluated elements, packed as its blinded ones were, and its share Σ dᵢ·Cᵢ of the batch's composite (voprf.BatchEvaluation). */
export interface EvaluationPart {
  evaluatedElements: Uint8Array;
  composite: Uint8Array;
}

/** The task's part; or the indexes in the batch of its elements that are not valid ristretto255 elements; or why it failed. */
export type EvaluationReply = { id: number; part: EvaluationPart } | { id: number; invalid: number[] } | { id: number; error: string };

/** The elements packed in `packed`, as views on it. */
export function unpack(packed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < packed.length; at += voprf.ELEMENT_BYTES) out.push(packed.subarray(at, at + voprf.ELEMENT_BYTES));
  return out;
}

const port = parentPort;
if (port) {
  void voprf.loadVoprf().then(() => {
    port.on('message', ({ id, secretKey, publicKey, blindedElements, offset }: EvaluationTask) => {
      try {
        const blinded = unpack(blindedElements);
        // Checked here rather than on the event loop: the check decodes each element, a tenth of a multiplication.
        const invalid = blinded.flatMap((e, i) => (voprf.isValidElement(e) ? [] : [offset + i]));
        if (invalid.length > 0) {
          port.postMessage({ id, invalid } satisfies EvaluationReply);
          return;
        }
        const batch = new voprf.BatchEvaluation(secretKey, publicKey, offset);
        batch.add(blinded);
        const { evaluatedElements, composite } = batch.part;
        const packed = new Uint8Array(evaluatedElements.length * voprf.ELEMENT_BYTES);
        evaluatedElements.forEach((e, i) => packed.set(e, i * voprf.ELEMENT_BYTES));
        port.postMessage({ id, part: { evaluatedElements: packed, composite } } satisfies EvaluationReply, [packed.buffer]);
      } catch (error) {
        port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies EvaluationReply);
      }
    });
  });
}
