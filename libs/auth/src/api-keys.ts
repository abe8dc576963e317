import { createHash, hash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'ost_';
const KEY_PATTERN = /^ost_[A-Za-z0-9_-]{43}$/;

/** A new API key: a recognisable prefix (for secret scanners) and 256 random bits. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The same digest in hex, in one call (node:crypto's one-shot `hash`): what the in-memory index is keyed by. */
export function apiKeyDigestHex(key: string): string {
  return hash('sha256', key, 'hex');
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}
