import { verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { verifyCosignature } from './cosignature';
import { leafHash, verifyInclusion } from './merkle';
import { COSIGNATURE_V1, ED25519, type NoteVerifier, parseCheckpointText, parseVerifierKey, rawEd25519, splitNote } from './signed-note';

/**
 * Checking Ostracon's audit log from outside: a checkpoint (a C2SP signed note) against the log's
 * key, the witnesses one trusts and a quorum, and an inclusion proof bundled with such a
 * checkpoint, offline. docs/auditing.md § A witnessed log.
 */

export type TransparencyProblem = 'malformed' | 'log_signature' | 'origin' | 'cosignature' | 'quorum' | 'size' | 'inclusion' | 'leaf';

export class TransparencyError extends Error {
  constructor(
    readonly problem: TransparencyProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TransparencyError';
  }
}

/** What one trusts: the log's key (its name is the origin, unless given), witnesses' keys, how many must cosign. */
export interface TrustPolicy {
  /**
   * The log's verifier key (type 0x01), e.g. GET /v1/audit/public-key's `noteVerifierKey`; or
   * several of one name (a key rotation), any of which may have signed.
   */
  log: string | NoteVerifier | readonly (string | NoteVerifier)[];
  /** The checkpoint's origin line; default: the log key's name. */
  origin?: string;
  /** Witnesses' cosignature verifier keys (type 0x04). */
  witnesses?: readonly (string | NoteVerifier)[];
  /** How many distinct witnesses must cosign; default 0. */
  quorum?: number;
}

export interface VerifiedCheckpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The checkpoint's note text (origin, size, root and any extension lines). */
  text: string;
  /** The trusted witnesses whose cosignatures verified, with their timestamps (POSIX seconds). */
  witnessedBy: { name: string; timestamp: number }[];
}

const asVerifier = (k: string | NoteVerifier): NoteVerifier => (typeof k === 'string' ? parseVerifierKey(k) : k);

/**
 * Opens a checkpoint note: the log's signature must be there and verify; every cosignature of a
 * trusted witness must verify (a bad one is an error, not a line to skip, as c2sp.org/signed-note
 * says of known keys); unknown signatures are ignored; at least `quorum` witnesses must cosign.
 */
export function verifyCheckpointNote(note: string, policy: TrustPolicy): VerifiedCheckpoint {
  const logKeys = (Array.isArray(policy.log) ? policy.log : [policy.log]).map(asVerifier);
  const log = logKeys[0];
  if (!log || logKeys.some((k) => k.type !== ED25519 || k.name !== log.name)) {
    throw new TransparencyError('malformed', "the log's keys are 0x01 (Ed25519 note) verifier keys of one name");
  }
  const witnesses = (policy.witnesses ?? []).map(asVerifier);
  if (witnesses.some((w) => w.type !== COSIGNATURE_V1))
    throw new TransparencyError('malformed', "a witness's key is a 0x04 (cosignature/v1) verifier key");
  const quorum = policy.quorum ?? 0;
  if (!Number.isInteger(quorum) || quorum < 0 || quorum > witnesses.length) {
    throw new TransparencyError('malformed', `a quorum is between 0 and the ${witnesses.length} witnesses given`);
  }
  let split: ReturnType<typeof splitNote>;
  let parsed: ReturnType<typeof parseCheckpointText>;
  try {
    split = splitNote(note);
    parsed = parseCheckpointText(split.text);
  } catch (error) {
    throw new TransparencyError('malformed', `not a checkpoint note: ${(error as Error).message}`);
  }
  const { text, signatures } = split;
  const origin = policy.origin ?? log.name;
  if (parsed.origin !== origin) throw new TransparencyError('origin', `the checkpoint is of "${parsed.origin}", not of "${origin}"`);

  let signedByLog = false;
  const witnessedBy: { name: string; timestamp: number }[] = [];
  // A cosignature/v1 does not commit to the witness's name: one key under two names is one witness.
  const countedKeys = new Set<string>();
  for (const s of signatures) {
    const logKey = logKeys.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (logKey) {
      if (!verifySignature(text, s.signature, logKey))
        throw new TransparencyError('log_signature', `the log's signature (${log.name}) does not verify`);
      signedByLog = true;
      continue;
    }
    const witness = witnesses.find((w) => w.name === s.name && w.keyId === s.keyId);
    if (!witness) continue;
    let timestamp: number;
    try {
      timestamp = verifyCosignature(text, s, witness);
    } catch (error) {
      throw new TransparencyError('cosignature', (error as Error).message);
    }
    const key = rawEd25519(witness.publicKey).toString('hex');
    if (!witnessedBy.some((w) => w.name === witness.name) && !countedKeys.has(key)) {
      countedKeys.add(key);
      witnessedBy.push({ name: witness.name, timestamp });
    }
  }
  if (!signedByLog) throw new TransparencyError('log_signature', `no signature of the log's key (${log.name})`);
  if (witnessedBy.length < quorum) {
    throw new TransparencyError('quorum', `cosigned by ${witnessedBy.length} of the trusted witnesses; ${quorum} are needed`);
  }
  return { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash, text, witnessedBy };
}

function verifySignature(text: string, signature: Buffer, key: NoteVerifier): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), key.publicKey, signature);
  } catch {
    return false;
  }
}

/** An audit event as the log hashes it (GET /v1/audit/events without `leafHash`). */
export interface AuditEvent {
  seq: number;
  at: string;
  type: string;
  actor: string;
  orderId?: string;
  platform?: string;
  data: Record<string, unknown>;
}

/** SHA-256(0x00 ‖ RFC 8785 canonical JSON of the event): the event's leaf; its index is seq − 1. */
export function eventLeafHash(event: AuditEvent): Buffer {
  return leafHash(Buffer.from(canonicalize(event)!, 'utf8'));
}

/** GET /v1/audit/proofs/inclusion?seq=…&bundle=true: everything needed to check one event offline. */
export interface InclusionBundle {
  seq: number;
  leafIndex: number;
  size: number;
  leafHash: string;
  rootHash: string;
  proof: string[];
  /** The checkpoint of exactly `size`, as a signed note with the cosignatures the log holds. */
  checkpoint: string;
  /** The event itself, when the bundle carries it: its leaf is then recomputed, not taken on trust. */
  event?: AuditEvent & { leafHash?: string };
}

/**
 * Checks a bundle with nothing but the policy: the checkpoint (log signature, origin, quorum),
 * that it is of the proof's size and root, the inclusion proof, and the event's leaf if present.
 */
export function verifyInclusionBundle(bundle: InclusionBundle, policy: TrustPolicy): VerifiedCheckpoint {
  const checkpoint = verifyCheckpointNote(bundle.checkpoint, policy);
  if (checkpoint.size !== bundle.size || checkpoint.rootHash.toString('hex') !== bundle.rootHash) {
    throw new TransparencyError(
      'size',
      `the proof is for a tree of ${bundle.size}, the checkpoint is of ${checkpoint.size} with another root`,
    );
  }
  const hex = (h: string) => (/^[0-9a-f]{64}$/.test(h) ? Buffer.from(h, 'hex') : null);
  const leaf = hex(bundle.leafHash);
  const proof = bundle.proof.map(hex);
  if (!leaf || proof.some((p) => p === null) || bundle.leafIndex !== bundle.seq - 1) {
    throw new TransparencyError('malformed', 'a bundle holds hex hashes and the leaf index seq − 1');
  }
  if (bundle.event) {
    const { leafHash: _claimed, ...event } = bundle.event;
    if (event.seq !== bundle.seq || !eventLeafHash(event).equals(leaf)) {
      throw new TransparencyError('leaf', `the event is not the leaf the proof is for`);
    }
  }
  if (!verifyInclusion(leaf, bundle.leafIndex, bundle.size, proof as Buffer[], checkpoint.rootHash)) {
    throw new TransparencyError('inclusion', `the inclusion proof of event ${bundle.seq} does not lead to the checkpoint's root`);
  }
  return checkpoint;
}
