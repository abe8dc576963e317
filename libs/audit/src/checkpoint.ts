import { createPrivateKey, createPublicKey, type KeyObject, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

/*
 * The log's JSON checkpoints (signed tree heads) and the key they are signed with: what is
 * signed, and its check. Apart from the tree service so that the audit verifier and its unit
 * specs need no database. docs/auditing.md § What the log is.
 */

/** A signed tree head, as the API serves it. */
export interface Checkpoint {
  size: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

/** What is signed: the RFC 8785 canonical JSON of `{ size, rootHash, timestamp }` (hex, ISO 8601). */
export function checkpointMessage(c: Pick<Checkpoint, 'size' | 'rootHash' | 'timestamp'>): Buffer {
  return Buffer.from(canonicalize({ size: c.size, rootHash: c.rootHash, timestamp: c.timestamp })!, 'utf8');
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key from its 32-byte seed (the form the config holds). */
export function ed25519Key(seed: Buffer): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function verifyCheckpoint(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointMessage(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}
