import { createHash, createHmac } from 'node:crypto';
import type { SignalType } from './signal-types';

export const PREHASH_PATTERN = /^[0-9a-f]{64}$/;

/** SIGNALS.md § Hashing: what a platform may compute on its side and send instead of the value. */
export function prehash(type: SignalType, normalized: string): string {
  return createHash('sha256').update(`ostracon:v1:${type}:${normalized}`, 'utf8').digest('hex');
}

/** The stored key: HMAC-SHA256 under the pepper, over the 32 raw bytes of the prehash. */
export function signalDigest(prehashHex: string, pepper: Buffer): Buffer {
  return createHmac('sha256', pepper).update(Buffer.from(prehashHex, 'hex')).digest();
}
