import { type NoteVerifier, formatSignatureLine, splitNote, verifyCosignature } from '@ostracon/platform-sdk/transparency';

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

/** A witness's answer is a few signature lines: more than this is not one, and is not read. */
const ANSWER_LIMIT = 64 * 1024;

async function readCapped(response: Response, limit: number): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    throw new Error(`an answer of more than ${limit} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.length;
    if (size > limit) {
      await reader!.cancel().catch(() => undefined);
      throw new Error(`an answer of more than ${limit} bytes`);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
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
    answer = await readCapped(response, ANSWER_LIMIT);
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

/**
 * The witness's cosignature lines that verify over the text; lines of other keys are ignored.
 * The answer must be signature lines and nothing else; what is kept is rebuilt from the verified
 * signature, never the witness's text, so a witness can only add a valid cosignature of its own.
 */
function cosignatures(witness: WitnessEndpoint, text: string, answer: string): AddCheckpointOutcome {
  const lines: string[] = [];
  let timestamp: number | undefined;
  try {
    if (answer.includes('\n\n') || !answer.startsWith('\u2014 ')) throw new Error('the answer is signature lines, one after another');
    // Signature lines after the text and a blank line make a note: open it as one.
    const { signatures } = splitNote(`${text}\n${answer}`);
    for (const s of signatures) {
      if (s.name !== witness.verifier.name || s.keyId !== witness.verifier.keyId) continue;
      const at = verifyCosignature(text, s, witness.verifier);
      timestamp ??= at;
      lines.push(formatSignatureLine(s.name, s.keyId, s.signature).slice(0, -1));
      break; // one cosignature per witness key is all a verifier counts
    }
  } catch (error) {
    return { kind: 'failed', reason: `not a valid cosignature: ${(error as Error).message}` };
  }
  if (timestamp === undefined) return { kind: 'failed', reason: "the answer holds no signature of the witness's key" };
  return { kind: 'cosigned', lines, timestamp };
}
