import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import type { Checkpoint } from '../api';
import { toHex } from './merkle';

/** The SPKI prefix of an Ed25519 public key (RFC 8410): what precedes its 32 bytes in the PEM. */
const ED25519_SPKI_PREFIX = '302a300506032b6570032100';

/** The 32-byte Ed25519 key of a PEM `PUBLIC KEY`; throws on anything else. */
export function ed25519KeyFromPem(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  if (der.length !== 44 || toHex(der.slice(0, 12)) !== ED25519_SPKI_PREFIX) throw new Error('not an Ed25519 public key');
  return der.slice(12);
}

/**
 * A key's fingerprint, to compare by another channel: SHA-256 of its raw 32 bytes, in groups of 8
 * hex digits (`openssl pkey -pubin -in key.pem -outform DER | tail -c 32 | sha256sum`). Null for a
 * PEM that is not an Ed25519 key: shown as unreadable, never thrown into the page.
 */
export function fingerprint(pem: string): string | null {
  try {
    return (toHex(sha256(ed25519KeyFromPem(pem))).match(/.{8}/g) ?? []).join(' ');
  } catch {
    return null;
  }
}

/** Whether two PEMs hold the same Ed25519 key (their bytes, not their text). */
export function sameKey(a: string, b: string): boolean {
  const x = fingerprint(a);
  return x !== null && x === fingerprint(b);
}

/** Whether the checkpoint's signature verifies under this key: Ed25519 over the RFC 8785 JSON of { size, rootHash, timestamp }. */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKeyPem: string): boolean {
  const message = new TextEncoder().encode(
    canonicalize({ rootHash: checkpoint.rootHash, size: checkpoint.size, timestamp: checkpoint.timestamp })!,
  );
  try {
    const signature = Uint8Array.from(atob(checkpoint.signature), (c) => c.charCodeAt(0));
    // RFC 8032 strict verification, as OpenSSL does (not ZIP 215)
    return ed25519.verify(signature, message, ed25519KeyFromPem(publicKeyPem), { zip215: false });
  } catch {
    return false;
  }
}
