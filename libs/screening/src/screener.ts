import type { KeyRingEntry } from '@ostracon/config';
import {
  type InvalidReason,
  type NormalizeContext,
  PepperedDigest,
  type SignalInput,
  type SignalType,
  isHexPrehash,
  prepareSignal,
} from '@ostracon/identity';
import type { IndexMatch, SignalIndex } from './signal-index';

export type Decision = 'block' | 'review' | 'allow';

export interface CheckResult {
  decision: Decision;
  /** The order that decided (strongest match, latest end), when there is a match. */
  match?: { orderId: string; endsAt: number; signalTypes: SignalType[] };
  ignored: { index: number; reason: InvalidReason }[];
}

/**
 * One sign-up check against the index: each signal normalized (or taken prehashed), peppered
 * under every key id the index holds, looked up. Pure computation: no I/O, nothing kept.
 */
export class Screener {
  private readonly peppers: Map<string, PepperedDigest>;
  /** Reused by every check (synchronous, one at a time): decide() keeps none of it. */
  private readonly matches: IndexMatch[] = [];

  constructor(peppers: readonly KeyRingEntry[]) {
    this.peppers = new Map(peppers.map((p) => [p.keyId, new PepperedDigest(p.key)]));
  }

  /** One sign-up's signals against the index, and the decision their matches make. */
  matchSignals(index: SignalIndex, platform: string, at: number, signals: readonly SignalInput[], context: NormalizeContext): CheckResult {
    let ignored: CheckResult['ignored'] | undefined;
    const matches = this.matches;
    matches.length = 0;
    for (let i = 0; i < signals.length; i++) {
      const signal = signals[i]!;
      if (
        typeof signal.hash === 'string' &&
        signal.value === undefined &&
        signal.country === undefined &&
        signal.platform === undefined &&
        this.lookupPrehash(index, platform, at, signal.hash, matches)
      ) {
        // A well-formed prehash, the bulk of batch traffic: nothing to normalize or allocate.
        continue;
      }
      const prepared = prepareSignal(signal, context);
      if (!prepared.ok) {
        (ignored ??= []).push({ index: i, reason: prepared.reason });
        continue;
      }
      this.lookupPrehash(index, platform, at, prepared.signal.prehash, matches);
    }
    if (matches.length === 0 && ignored === undefined) return ALLOWED;
    return { ...decide(matches), ignored: ignored ?? [] };
  }

  /**
   * Looks a prehash up under every key id the index holds; false when it is not 64 hex digits
   * (prepareSignal then says why). The peppering validates the hex as it decodes it.
   */
  private lookupPrehash(index: SignalIndex, platform: string, at: number, prehashHex: string, matches: IndexMatch[]): boolean {
    let valid = false;
    for (const keyId of index.keyIds) {
      const digest = this.peppers.get(keyId)?.ofHexIfValid(prehashHex);
      if (digest === undefined) {
        if (this.peppers.has(keyId)) return false;
        continue;
      }
      valid = true;
      index.lookup(keyId, digest, platform, at, matches);
    }
    return valid || isHexPrehash(prehashHex);
  }
}

/** The answer of most checks: shared, never changed. */
const ALLOWED: CheckResult = Object.freeze({ decision: 'allow', ignored: Object.freeze([]) as unknown as CheckResult['ignored'] });

/**
 * docs/screening.md § Decision: a strong match blocks, possible matches alone ask for review; the
 * deciding order is the strongest match's with the latest end. Shared by the plain check and the
 * private mode's match reports, so the two decide alike.
 */
export function decide(matches: readonly IndexMatch[]): Omit<CheckResult, 'ignored'> {
  if (matches.length === 0) return { decision: 'allow' };
  const strong = matches.filter((m) => m.strength === 'strong');
  const deciding = strong.length > 0 ? strong : matches;
  let chosen = deciding[0]!;
  for (const m of deciding) if (m.endsAt > chosen.endsAt) chosen = m;
  const signalTypes = [...new Set(matches.filter((m) => m.orderId === chosen.orderId).map((m) => m.type))];
  return {
    decision: strong.length > 0 ? 'block' : 'review',
    match: { orderId: chosen.orderId, endsAt: chosen.endsAt, signalTypes },
  };
}
