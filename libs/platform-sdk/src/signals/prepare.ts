import { prehash, PREHASH_PATTERN } from './prehash';
import { normalizeValue } from './normalize';
import type { InvalidReason, NormalizeContext, SignalInput, SignalType } from './signal-types';
import { SIGNAL_STRENGTH, type SignalStrength } from './signal-types';

export interface PreparedSignal {
  type: SignalType;
  strength: SignalStrength;
  prehash: string;
}

export type PrepareResult = { ok: true; signal: PreparedSignal } | { ok: false; reason: InvalidReason };

/**
 * Turns one signal, raw or prehashed, into its prehash. The raw value goes no further than
 * this function: callers keep only the prehash (and, stored, its HMAC).
 */
export function prepareSignal(input: SignalInput, context: NormalizeContext): PrepareResult {
  const hasValue = input.value !== undefined;
  const hasHash = input.hash !== undefined;
  if (hasValue && hasHash) return { ok: false, reason: 'value_and_hash_given' };
  if (!hasValue && !hasHash) return { ok: false, reason: 'value_or_hash_required' };
  if (input.country !== undefined && (input.type !== 'phone' || hasHash)) return { ok: false, reason: 'field_not_allowed' };
  if (input.platform !== undefined && input.type !== 'device') return { ok: false, reason: 'field_not_allowed' };

  const strength = SIGNAL_STRENGTH[input.type];
  if (hasHash) {
    const hash = typeof input.hash === 'string' ? input.hash.toLowerCase() : '';
    if (!PREHASH_PATTERN.test(hash)) return { ok: false, reason: 'hash_format' };
    return { ok: true, signal: { type: input.type, strength, prehash: hash } };
  }
  const normalized = normalizeValue(input.type, input.value, {
    ...context,
    country: input.country,
    platform: input.platform ?? context.platform,
  });
  if (!normalized.ok) return normalized;
  return { ok: true, signal: { type: input.type, strength, prehash: prehash(input.type, normalized.normalized) } };
}
