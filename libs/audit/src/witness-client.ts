import { type NoteVerifier, splitNote, verifyCosignature } from '@ostracon/platform-sdk/transparency';

/**
 * The client side of c2sp.org/tlog-witness: one add-checkpoint request and what its answer means.
 * No state and no database: WitnessingService decides what to send and keeps what comes back.
 */

export interface WitnessEndpoint {
  name: string;
  /** The submission prefix; the request goes to `<url>/add-checkpoint`. */
  url: string;
  verifier: NoteVerifier;
}

export type AddCheckpointOutcome =
  /** Cosigned: the witness's valid cosignature line(s) and the timestamp of the first. */
  | { kind: 'cosigned'; lines: string[]; timestamp: number }
  /** 409: the witness last cosigned another size than the one we sent as old. */
  | { kind: 'conflict'; witnessSize: number }
  /** 422, or 409 with a size ahead of ours: the witness refuses the checkpoint as inconsistent with what it cosigned. */
  | { kind: 'refused'; status: number; reason: string }
  /** 400, 403, 404: the witness does not take this log's checkpoints as sent (configuration). */
  | { kind: 'rejected'; status: number; reason: string }
  /** Unreachable, timed out, 5xx, or an answer that is not a valid cosignature: try again later. */
  | { kind: 'failed'; reason: string };

/** The request body: `old <size>`, the proof's hashes in base64, a blank line, the signed note. */
export function addCheckpointBody(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  if (proof.length > 63) throw new Error('a consistency proof has at most 63 hashes');
  return `old ${oldSize}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`;
}

export async function addCheckpoint(
  witness: WitnessEndpoint,
  body: string,
  /** The checkpoint's note text, which the cosignature must cover. */
  text: string,
  timeoutMs: number,
): Promise<AddCheckpointOutcome> {
  let response: Response;
  let answer: string;
  try {
    response = await fetch(`${witness.url}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    answer = (await response.text()).slice(0, 65_536);
  } catch (error) {
    return { kind: 'failed', reason: `unreachable: ${(error as Error).message}` };
  }
  const said = answer.trim().slice(0, 200);
  switch (response.status) {
    case 200:
      return cosignatures(witness, text, answer);
    case 409: {
      const size = /^(0|[1-9][0-9]*)\n$/.exec(answer);
      if (!size || !(response.headers.get('content-type') ?? '').startsWith('text/x.tlog.size')) {
        return { kind: 'failed', reason: 'a 409 without a text/x.tlog.size body' };
      }
      return { kind: 'conflict', witnessSize: Number(size[1]) };
    }
    case 422:
      return { kind: 'refused', status: 422, reason: said || 'inconsistent with the checkpoint it cosigned' };
    case 400:
    case 403:
    case 404:
      return { kind: 'rejected', status: response.status, reason: said || `HTTP ${response.status}` };
    default:
      return { kind: 'failed', reason: `HTTP ${response.status}${said ? `: ${said}` : ''}` };
  }
}

/** The witness's cosignature lines that verify over the text; others (unknown keys) are ignored. */
function cosignatures(witness: WitnessEndpoint, text: string, answer: string): AddCheckpointOutcome {
  let lines: string[];
  let timestamp: number | undefined;
  try {
    // The answer is signature lines: after the text and a blank line, it is a note to open.
    const { signatures } = splitNote(`${text}\n${answer}`);
    const raw = answer.split('\n').slice(0, -1);
    lines = [];
    signatures.forEach((s, i) => {
      if (s.name !== witness.verifier.name || s.keyId !== witness.verifier.keyId) return;
      const at = verifyCosignature(text, s, witness.verifier);
      timestamp ??= at;
      lines.push(raw[i]!);
    });
  } catch (error) {
    return { kind: 'failed', reason: `not a valid cosignature: ${(error as Error).message}` };
  }
  if (timestamp === undefined) return { kind: 'failed', reason: "the answer holds no signature of the witness's key" };
  return { kind: 'cosigned', lines, timestamp };
}
