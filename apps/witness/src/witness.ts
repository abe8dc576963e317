import { createHash, type KeyObject } from 'node:crypto';
import {
  EMPTY_ROOT,
  type NoteVerifier,
  cosignatureLine,
  formatSignatureLine,
  parseCheckpointText,
  splitNote,
  verifyConsistency,
} from '@ostracon/platform-sdk/transparency';
import { verify } from 'node:crypto';
import type { WitnessState } from './state';

/**
 * The witness (c2sp.org/tlog-witness, add-checkpoint): it cosigns a log's checkpoint only if the
 * log signed it and it is consistent with the last checkpoint this witness cosigned for that log.
 * The check of the old size and the write of the new state happen under one lock per log, and
 * the new state is on disk before the cosignature leaves. docs/auditing.md § Running a witness.
 */

export interface WitnessIdentity {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Why a checkpoint was refused as inconsistent: the evidence an operator or an auditor needs. */
export interface Refusal {
  origin: string;
  reason: string;
  /** The checkpoint this witness had cosigned, as stored. */
  cosigned: string | null;
  /** The request, whole: old size, proof and the log-signed checkpoint. */
  request: string;
}

const MAX_PROOF_LINES = 63;
const MAX_WAITING = 64;
const text = (status: number, body: string): Answer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

export class Witness {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Requests queued behind each log's lock: beyond MAX_WAITING, a flood is told 503. */
  private readonly waiting = new Map<string, number>();
  private readonly refusedAlready = new Set<string>();

  constructor(
    private readonly identity: WitnessIdentity,
    /** The logs this witness follows: origin → the log's note verifier keys. */
    private readonly logs: ReadonlyMap<string, readonly NoteVerifier[]>,
    private readonly state: WitnessState,
    private readonly onRefusal: (refusal: Refusal) => void,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** POST add-checkpoint. */
  async addCheckpoint(body: string): Promise<Answer> {
    const request = parseRequest(body);
    if ('error' in request) return text(400, request.error);
    const { oldSize, proof, note } = request;
    let checkpoint: ReturnType<typeof parseCheckpointText>;
    let split: ReturnType<typeof splitNote>;
    try {
      split = splitNote(note);
      checkpoint = parseCheckpointText(split.text);
    } catch (error) {
      return text(400, `not a checkpoint: ${(error as Error).message}`);
    }
    const keys = this.logs.get(checkpoint.origin);
    if (!keys) return text(404, `unknown log origin`);
    // Signatures of unknown keys are ignored; one of a known key that fails makes the note malformed.
    const logLines: string[] = [];
    for (const s of split.signatures) {
      const key = keys.find((k) => k.name === s.name && k.keyId === s.keyId);
      if (!key) continue;
      if (!verify(null, Buffer.from(split.text, 'utf8'), key.publicKey, s.signature))
        return text(403, `the signature of ${s.name} does not verify`);
      logLines.push(formatSignatureLine(s.name, s.keyId, s.signature));
    }
    if (logLines.length === 0) return text(403, "no signature of the log's key");
    if (oldSize > checkpoint.size) return text(400, `the old size ${oldSize} is larger than the checkpoint's ${checkpoint.size}`);
    // What is kept and published: the text and the log's verified signatures, not the submitter's other lines.
    const logged = `${split.text}\n${logLines.join('')}`;
    if ((this.waiting.get(checkpoint.origin) ?? 0) >= MAX_WAITING) return text(503, 'busy: try again');

    return this.serialized(checkpoint.origin, async () => {
      const stored = await this.state.read(checkpoint.origin);
      const storedSize = stored?.size ?? 0;
      if (oldSize !== storedSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${storedSize}\n` };
      const refuse = (reason: string): Answer => {
        const request = `old ${oldSize}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${logged}`;
        // Once per distinct request: a replayed refusal is no new evidence, and must not fill the disk.
        const key = createHash('sha256').update(request).digest('hex');
        if (!this.refusedAlready.has(key)) {
          if (this.refusedAlready.size >= 10_000) this.refusedAlready.clear();
          this.refusedAlready.add(key);
          this.onRefusal({ origin: checkpoint.origin, reason, cosigned: stored?.note ?? null, request });
        }
        return text(422, reason);
      };
      if (checkpoint.size === 0 && !checkpoint.rootHash.equals(EMPTY_ROOT))
        return refuse('a checkpoint of size 0 has the root of the empty tree');
      if (oldSize === 0) {
        if (proof.length > 0) return refuse('from size 0, the consistency proof is empty');
      } else if (oldSize === checkpoint.size) {
        if (!stored!.rootHash.equals(checkpoint.rootHash)) {
          return refuse(`another root for size ${oldSize} than the one cosigned: the log shows two histories`);
        }
      } else if (!verifyConsistency(oldSize, checkpoint.size, stored!.rootHash, checkpoint.rootHash, proof)) {
        return refuse(`the checkpoint of ${checkpoint.size} is not consistent with the one of ${oldSize} cosigned`);
      }
      const cosignature = cosignatureLine(split.text, this.identity.name, this.identity.privateKey, this.identity.publicKey, this.now());
      // The checkpoint it holds already (same text): a fresh cosignature, and nothing to write.
      if (stored && stored.size === checkpoint.size && splitNote(stored.note).text === split.text) return text(200, cosignature);
      // Persisted before it is answered: a witness that crashes after this line resumes from here.
      await this.state.write(checkpoint.origin, { size: checkpoint.size, rootHash: checkpoint.rootHash, note: `${logged}${cosignature}` });
      return text(200, cosignature);
    });
  }

  /** GET <origin hash>/checkpoint: the last checkpoint cosigned for a log, with the log's signature and this witness's. */
  async latest(originHash: string): Promise<Answer> {
    for (const origin of this.logs.keys()) {
      if (createHash('sha256').update(origin, 'utf8').digest('hex') !== originHash) continue;
      const stored = await this.state.read(origin);
      return stored ? text(200, stored.note) : text(404, 'no checkpoint of this log cosigned yet');
    }
    return text(404, 'unknown log');
  }

  private serialized<T>(origin: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(origin) ?? Promise.resolve();
    this.waiting.set(origin, (this.waiting.get(origin) ?? 0) + 1);
    const run = () => {
      this.waiting.set(origin, this.waiting.get(origin)! - 1);
      return work();
    };
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.locks.set(origin, settled);
    void settled.then(() => {
      if (this.locks.get(origin) === settled) this.locks.delete(origin);
    });
    return next;
  }
}

/** `old <size>`, up to 63 base64 hashes, a blank line, the note: or what is wrong with it. */
export function parseRequest(body: string): { oldSize: number; proof: Buffer[]; note: string } | { error: string } {
  const first = body.indexOf('\n');
  const old = /^old (0|[1-9][0-9]*)$/.exec(first < 0 ? body : body.slice(0, first));
  if (!old || !Number.isSafeInteger(Number(old[1]))) return { error: 'the first line is "old <size>"' };
  const proof: Buffer[] = [];
  let at = first + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) return { error: 'a blank line separates the proof from the checkpoint' };
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    const hash = Buffer.from(line, 'base64');
    if (hash.length !== 32 || hash.toString('base64') !== line) return { error: 'each proof line is a base64 SHA-256 hash' };
    if (proof.push(hash) > MAX_PROOF_LINES) return { error: `at most ${MAX_PROOF_LINES} proof lines` };
  }
  return { oldSize: Number(old[1]), proof, note: body.slice(at) };
}
