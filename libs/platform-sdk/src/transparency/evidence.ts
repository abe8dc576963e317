import canonicalize from 'canonicalize';
import { leafHash, verifyInclusion } from './merkle';
import { type NoteVerifier, ED25519, COSIGNATURE_V1, parseCheckpointText, parseVerifierKey, splitNote, verifierKey } from './signed-note';
import { type AuditEvent, TransparencyError, verifyCheckpointNote } from './verify';

/**
 * The evidence file of a confirmed sign-up attempt (docs/auditing.md § Evidence file): three
 * events of the log — the order's terms, the attempt, the platform's confirmation — each with its
 * exact leaf bytes and an inclusion proof to one checkpoint, signed by the log and cosigned by
 * witnesses. `verifyEvidence` checks it offline with nothing but the keys one trusts.
 */

export const EVIDENCE_FORMAT = 'ostracon-evidence/v1';

/** One event of the log as the evidence carries it. */
export interface EvidenceEvent {
  seq: number;
  /** Its leaf index: seq − 1. */
  index: number;
  /** The leaf's bytes: the RFC 8785 canonical JSON of the event, as hashed into the tree. */
  leaf: string;
  /** SHA-256(0x00 ‖ leaf), hex. */
  leafHash: string;
  /** RFC 9162 inclusion proof of the leaf in the checkpoint's tree, hex. */
  proof: string[];
}

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
  orderId: string;
  matchId: string;
  events: { order: EvidenceEvent; match: EvidenceEvent; confirmation: EvidenceEvent };
  checkpoint: {
    origin: string;
    size: number;
    rootHash: string;
    /** The C2SP checkpoint note: text, blank line, the log's signature, each witness's cosignature. */
    note: string;
    log: { keyId: string; verifierKey: string };
    /** The witnesses whose cosignatures the note carries, one each. */
    witnesses: { name: string; keyId: string; verifierKey: string }[];
  };
}

export type EvidenceCheck =
  'format' | 'leaf' | 'inclusion' | 'checkpoint' | 'log_signature' | 'cosignature' | 'quorum' | 'same_order' | 'confirmed';

export interface EvidenceProblem {
  check: EvidenceCheck;
  message: string;
}

export interface EvidenceReport {
  ok: boolean;
  /** Every check that failed, each saying what; empty when `ok`. */
  problems: EvidenceProblem[];
  orderId?: string;
  matchId?: string;
  /** The events, read from their leaves, when the leaves parse. */
  events?: { order?: AuditEvent; match?: AuditEvent; confirmation?: AuditEvent };
  checkpoint?: { size: number; witnessedBy: string[] };
}

export interface EvidenceTrust {
  /** The log's note verifier key (GET /v1/audit/public-key `noteVerifierKey`). */
  logKey: string | NoteVerifier;
  /** The witnesses one trusts: cosignature/v1 verifier keys. */
  witnessKeys?: readonly (string | NoteVerifier)[];
  /** How many of them must have cosigned; default: all given. */
  quorum?: number;
}

const HEX32 = /^[0-9a-f]{64}$/;
const ROLES = ['order', 'match', 'confirmation'] as const;
const TYPES = { order: 'order.created', match: 'signup.matched', confirmation: 'signup_match.reviewed' } as const;

/** The verifier key's canonical text, whatever form it was given in. */
function vkeyText(k: string | NoteVerifier): string {
  const v = typeof k === 'string' ? parseVerifierKey(k) : k;
  return verifierKey(v.name, v.publicKey, v.type);
}

/**
 * Checks an evidence file offline: its shape; every leaf's hash; every inclusion proof to the
 * checkpoint's root; the checkpoint note (the log's signature under `logKey`, every cosignature it
 * carries under the key the bundle names, and a quorum of the trusted witnesses); that the three
 * events are an order's creation, a match of that order and the review of that match; and that
 * the review says `confirmed`. Given the file's text, it must also be the bundle's canonical JSON
 * (as served), so that no byte of it goes unchecked. Never throws on a bad bundle: the report names
 * each failed check.
 */
export function verifyEvidence(file: string | Buffer | unknown, trust: EvidenceTrust): EvidenceReport {
  const problems: EvidenceProblem[] = [];
  const fail = (check: EvidenceCheck, message: string) => problems.push({ check, message });
  const done = (extra: Omit<EvidenceReport, 'ok' | 'problems'> = {}): EvidenceReport => ({ ok: problems.length === 0, problems, ...extra });

  let bundle: unknown = file;
  if (typeof file === 'string' || Buffer.isBuffer(file)) {
    const text = typeof file === 'string' ? file : file.toString('utf8');
    try {
      bundle = JSON.parse(text);
    } catch {
      fail('format', 'the file is not JSON');
      return done();
    }
    if (canonicalize(bundle) !== text) fail('format', 'the file is not the canonical JSON (RFC 8785) of its bundle: it was altered');
  }
  const shape = shapeProblem(bundle);
  if (shape) {
    fail('format', shape);
    return done();
  }
  const b = bundle as EvidenceBundle;

  // The checkpoint note, under the caller's log key and the witnesses' keys the bundle names.
  let trustedLog: NoteVerifier;
  let trusted: string[];
  try {
    trustedLog = typeof trust.logKey === 'string' ? parseVerifierKey(trust.logKey) : trust.logKey;
    trusted = (trust.witnessKeys ?? []).map(vkeyText);
  } catch (error) {
    throw new Error(`a trusted key is not a verifier key: ${(error as Error).message}`, { cause: error });
  }
  if (trustedLog.type !== ED25519) throw new Error("the log's key is an Ed25519 (0x01) note verifier key");
  const quorum = trust.quorum ?? trusted.length;
  if (!Number.isInteger(quorum) || quorum < 0 || quorum > trusted.length) {
    throw new Error(`a quorum is between 0 and the ${trusted.length} witnesses given`);
  }
  let root: Buffer | null = null;
  const witnessedBy: string[] = [];
  const c = b.checkpoint;
  try {
    const { text, signatures } = splitNote(c.note);
    const parsed = parseCheckpointText(text);
    if (parsed.origin !== c.origin || parsed.size !== c.size || parsed.rootHash.toString('hex') !== c.rootHash) {
      fail('checkpoint', "the note's origin, size or root is not the checkpoint's");
    }
    if (parsed.origin !== trustedLog.name) fail('checkpoint', `the checkpoint is of "${parsed.origin}", not of "${trustedLog.name}"`);
    if (c.log.verifierKey !== vkeyText(trustedLog) || c.log.keyId !== trustedLog.keyId.toString(16).padStart(8, '0')) {
      fail('log_signature', 'the bundle names another log key than the one trusted');
    }
    const listed = c.witnesses.map((w) => {
      const v = parseVerifierKey(w.verifierKey);
      if (v.type !== COSIGNATURE_V1 || v.name !== w.name || v.keyId.toString(16).padStart(8, '0') !== w.keyId) {
        throw new Error(`witness ${w.name}: its name and key id are not its verifier key's`);
      }
      return { ...w, v, seen: 0 };
    });
    // What the bundle adds to a checkpoint note: it names every signature the note carries, once.
    let signedByLog = 0;
    for (const s of signatures) {
      if (s.name === trustedLog.name && s.keyId === trustedLog.keyId) signedByLog++;
      else {
        const w = listed.find((x) => x.name === s.name && x.v.keyId === s.keyId);
        if (w) w.seen++;
        else fail('checkpoint', `the note carries a signature of ${s.name} that the bundle does not name`);
      }
    }
    if (signedByLog !== 1) fail('log_signature', `the note carries ${signedByLog} signatures of the log's key, not one`);
    for (const w of listed) if (w.seen !== 1) fail('checkpoint', `the note carries ${w.seen} cosignatures of ${w.name}, not one`);
    // The signatures themselves, as any checkpoint's (verify.ts): the log's, and every named
    // witness's cosignature (one key under two names counting once); the quorum of trusted ones.
    try {
      const verified = verifyCheckpointNote(c.note, { log: trustedLog, witnesses: listed.map((w) => w.v) });
      for (const { name } of verified.witnessedBy) {
        if (trusted.includes(listed.find((w) => w.name === name)!.verifierKey)) witnessedBy.push(name);
      }
    } catch (error) {
      if (!(error instanceof TransparencyError)) throw error;
      fail(error.problem === 'log_signature' || error.problem === 'cosignature' ? error.problem : 'checkpoint', error.message);
    }
    if (witnessedBy.length < quorum) fail('quorum', `cosigned by ${witnessedBy.length} of the trusted witnesses; ${quorum} are needed`);
    root = parsed.rootHash;
  } catch (error) {
    fail('checkpoint', `the checkpoint note does not read: ${(error as Error).message}`);
  }

  // Each event: its leaf, its hash, its proof.
  const events: NonNullable<EvidenceReport['events']> = {};
  for (const role of ROLES) {
    const e = b.events[role];
    let event: AuditEvent | undefined;
    try {
      event = JSON.parse(e.leaf) as AuditEvent;
    } catch {
      fail('leaf', `the ${role} event's leaf is not JSON`);
      continue;
    }
    if (canonicalize(event) !== e.leaf) fail('leaf', `the ${role} event's leaf is not canonical JSON (RFC 8785)`);
    if (!leafHash(Buffer.from(e.leaf, 'utf8')).equals(Buffer.from(e.leafHash, 'hex'))) {
      fail('leaf', `the ${role} event's leaf does not hash to its leafHash`);
    }
    if (typeof event !== 'object' || event === null || event.seq !== e.seq || e.index !== e.seq - 1) {
      fail('leaf', `the ${role} event is not event ${e.seq} at index ${e.seq - 1}`);
    }
    if (
      root &&
      !verifyInclusion(
        Buffer.from(e.leafHash, 'hex'),
        e.index,
        c.size,
        e.proof.map((p) => Buffer.from(p, 'hex')),
        root,
      )
    ) {
      fail('inclusion', `the inclusion proof of the ${role} event (${e.seq}) does not lead to the checkpoint's root`);
    }
    events[role] = event;
  }

  // What the three events say together.
  const { order, match, confirmation } = events;
  if (order && match && confirmation) {
    for (const role of ROLES) {
      if (events[role]!.type !== TYPES[role])
        fail('same_order', `the ${role} event is a ${String(events[role]!.type)}, not a ${TYPES[role]}`);
      if (events[role]!.orderId !== b.orderId) fail('same_order', `the ${role} event is not of order ${b.orderId}`);
    }
    const data = (e: AuditEvent) => (typeof e.data === 'object' && e.data !== null ? e.data : {});
    if (data(match).matchId !== b.matchId || data(confirmation).matchId !== b.matchId) {
      fail('same_order', `the attempt and its confirmation are not both of match ${b.matchId}`);
    }
    if (match.platform !== confirmation.platform) fail('same_order', 'the attempt and its confirmation are of two platforms');
    if (!(order.seq < match.seq && match.seq < confirmation.seq))
      fail('same_order', 'the events are not in the order order, attempt, confirmation');
    if (data(confirmation).outcome !== 'confirmed') {
      fail('confirmed', `the platform's review says "${String(data(confirmation).outcome)}", not "confirmed"`);
    }
  }
  return done({ orderId: b.orderId, matchId: b.matchId, events, ...(root ? { checkpoint: { size: c.size, witnessedBy } } : {}) });
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const keysAre = (x: Record<string, unknown>, keys: string[]) => Object.keys(x).sort().join() === [...keys].sort().join();
const isSeq = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;

/** Why the value is not an evidence bundle of this format (exact keys, types), or null. */
function shapeProblem(x: unknown): string | null {
  if (!isObject(x) || !keysAre(x, ['format', 'orderId', 'matchId', 'events', 'checkpoint'])) return 'not an evidence bundle';
  if (x.format !== EVIDENCE_FORMAT) return `not of format ${EVIDENCE_FORMAT}`;
  if (typeof x.orderId !== 'string' || typeof x.matchId !== 'string') return 'orderId and matchId are strings';
  const events = x.events;
  if (!isObject(events) || !keysAre(events, [...ROLES])) return 'events are order, match and confirmation';
  for (const role of ROLES) {
    const e = events[role];
    if (!isObject(e) || !keysAre(e, ['seq', 'index', 'leaf', 'leafHash', 'proof']))
      return `the ${role} event is seq, index, leaf, leafHash, proof`;
    if (!isSeq(e.seq) || !isSeq(e.index) || typeof e.leaf !== 'string' || typeof e.leafHash !== 'string' || !HEX32.test(e.leafHash)) {
      return `the ${role} event: seq and index are integers, leafHash 64 lowercase hex digits`;
    }
    if (!Array.isArray(e.proof) || e.proof.some((p) => typeof p !== 'string' || !HEX32.test(p))) {
      return `the ${role} event's proof is a list of 64-hex-digit hashes`;
    }
  }
  const c = x.checkpoint;
  if (!isObject(c) || !keysAre(c, ['origin', 'size', 'rootHash', 'note', 'log', 'witnesses'])) {
    return 'the checkpoint is origin, size, rootHash, note, log, witnesses';
  }
  if (
    typeof c.origin !== 'string' ||
    !isSeq(c.size) ||
    typeof c.rootHash !== 'string' ||
    !HEX32.test(c.rootHash) ||
    typeof c.note !== 'string'
  ) {
    return 'the checkpoint: origin and note are strings, size an integer, rootHash 64 lowercase hex digits';
  }
  const keyShape = (k: unknown, keys: string[]) => isObject(k) && keysAre(k, keys) && keys.every((f) => typeof k[f] === 'string');
  if (!keyShape(c.log, ['keyId', 'verifierKey'])) return "the checkpoint's log is keyId and verifierKey";
  if (!Array.isArray(c.witnesses) || c.witnesses.some((w) => !keyShape(w, ['name', 'keyId', 'verifierKey']))) {
    return "the checkpoint's witnesses are each name, keyId and verifierKey";
  }
  return null;
}
