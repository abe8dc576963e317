import { createHash } from 'node:crypto';
import type { SignalType } from './signal-types';

/** A prehash as the wire carries it: 32 bytes, lowercase hex. */
export const PREHASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * docs/signals.md § Hashing: SHA-256 of `ostracon:v1:<type>:<normalized>`, lowercase hex. What a
 * platform may send instead of the value (plain check), and the OPRF input (private check).
 */
export function prehash(type: SignalType, normalized: string): string {
  return createHash('sha256').update(`ostracon:v1:${type}:${normalized}`, 'utf8').digest('hex');
}
