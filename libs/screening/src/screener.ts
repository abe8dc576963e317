import type { KeyRingEntry } from '@ostracon/config';
import {
  type InvalidReason,
  type NormalizeContext,
  PepperedDigest,
  type SignalInput,
  type SignalType,
  prepareSignal,
} from '@ostracon/identity';
import type { IndexMatch, SignalIndex } from './signal-index';

export type Decision = 'block' | 'review' | 'allow';

/** A prehash in either case (PepperedDigest reads both); anything else goes through prepareSignal. */
const HEX64 = /^[0-9a-fA-F]{64}$/;

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

  constructor(peppers: readonly KeyRingEntry[]) {
    this.peppers = new Map(peppers.map((p) => [p.keyId, new PepperedDigest(p.key)]));
  }

  check(index: SignalIndex, platform: string, at: number, signals: readonly SignalInput[], context: NormalizeContext): CheckResult {
    const ignored: CheckResult['ignored'] = [];
    const matches: IndexMatch[] = [];
    const keyIds = index.keyIds;
    for (let i = 0; i < signals.length; i++) {
      const signal = signals[i]!;
      let prehashHex: string;
      if (
        typeof signal.hash === 'string' &&
        signal.value === undefined &&
        signal.country === undefined &&
        signal.platform === undefined &&
        HEX64.test(signal.hash)
      ) {
        // A well-formed prehash, the bulk of batch traffic: nothing to normalize or allocate.
        prehashHex = signal.hash;
      } else {
        const prepared = prepareSignal(signal, context);
        if (!prepared.ok) {
          ignored.push({ index: i, reason: prepared.reason });
          continue;
        }
        prehashHex = prepared.signal.prehash;
      }
      for (const keyId of keyIds) {
        const pepper = this.peppers.get(keyId);
        if (pepper) index.lookup(keyId, pepper.ofHex(prehashHex), platform, at, matches);
      }
    }
    return { ...decide(matches), ignored };
  }
}

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
