import { type CheckResult, OstraconClient } from '../client';
import { type ClientOptions, OstraconError, sleep } from '../http';
import { type NormalizeContext, prepareSignal, type SignalInput } from '../signals';
import { type Strength, TagSet } from './tag-set';
import { blind, isValidElement, loadVoprf, tagOf, unblind, verifyBatch } from './voprf';

/** The service's answers (docs/private-checks.md § HTTP contract). */
interface KeysAnswer {
  keys: { keyId: string; suite: string; mode: string; publicKey: string }[];
}
interface EvaluationAnswer {
  keyId: string;
  evaluatedElements: string[];
  proof: string;
}
interface SetPage {
  keyId: string;
  entries: { op: 'add' | 'remove'; tag: string; strength: Strength }[];
  cursor: string;
  more: boolean;
}

export interface PrivateScreenerOptions extends ClientOptions {
  /**
   * The service's OPRF public keys the platform trusts (`keyId` → 64 hex), as published in the
   * service's audit log (`private_key.published`). Evaluations under any other key are refused.
   * Without it, the keys the service serves at start are trusted (trust on first use): fine for a
   * trial, not for production.
   */
  pinnedKeys?: Record<string, string>;
  /** The platform's id (device signals are scoped to it) and the phone default region (FR). */
  platform: string;
  defaultCountry?: string;
  /** How long one long poll of the set waits on the service, in seconds (1–30); default 25. */
  pollWaitSeconds?: number;
  /** Told about failures while following the set (it retries on its own). */
  onError?: (error: unknown) => void;
}

export interface PrivateCheckResult extends CheckResult {
  /** How many signals were evaluated (the invalid ones are in `ignored`). */
  evaluated: number;
}

/**
 * The private sign-up check, on the platform's side (docs/private-checks.md): keeps the platform's
 * set of tags in memory and follows its changes; for each sign-up, normalizes and prehashes the
 * signals, blinds them, has the service evaluate them (one request, one proof), verifies the
 * proof against the pinned key, unblinds, and looks the tags up locally. Only a hit goes back to
 * the service, as the unblinded elements, so that it can record the match and answer with the
 * order's decision. Raw values and prehashes never leave this process.
 */
/** What one check needs, swapped whole at a resync: a check never mixes two keys. */
interface KeyedSet {
  keyId: string;
  publicKey: Uint8Array;
  set: TagSet;
}

const TAG_HEX = /^[0-9a-f]{32}$/;

export class PrivateScreener {
  readonly client: OstraconClient;
  private state: KeyedSet = { keyId: '', publicKey: new Uint8Array(), set: new TagSet() };
  private cursor: string | undefined;
  private readonly stopping = new AbortController();
  private following: Promise<void> | undefined;
  private readonly pinned: Map<string, string> | undefined;
  private resyncing: Promise<void> | undefined;

  private constructor(private readonly options: PrivateScreenerOptions) {
    this.client = new OstraconClient(options);
    this.pinned = options.pinnedKeys ? new Map(Object.entries(options.pinnedKeys).map(([k, v]) => [k, v.toLowerCase()])) : undefined;
  }

  /** Loads the crypto, fetches the key and the whole set, then follows the set's changes until `stop()`. */
  static async start(options: PrivateScreenerOptions): Promise<PrivateScreener> {
    await loadVoprf();
    const screener = new PrivateScreener(options);
    await screener.resync();
    screener.following = screener.follow();
    return screener;
  }

  /** Entries in the platform's copy of its set. */
  get size(): number {
    return this.state.set.size;
  }

  /** Bytes the set's table holds. */
  get setBytes(): number {
    return this.state.set.byteLength;
  }

  /** The key the screener evaluates under. */
  get keyId(): string {
    return this.state.keyId;
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('stopped'));
    await this.following?.catch(() => undefined);
    this.client.http.close();
  }

  /**
   * One sign-up: `{ decision: 'allow' }` unless one of its signals is banned on this platform, then
   * the service's `block` or `review` with `matchId` and `banEndsAt`. Throws `OstraconError` when
   * the service refuses, and an Error when its proof does not verify (an answer not made with
   * the pinned key: treat the check as not done).
   */
  async checkSignup(signals: readonly SignalInput[], context: { today?: string; retried?: boolean } = {}): Promise<PrivateCheckResult> {
    const normalizeContext: NormalizeContext = {
      defaultCountry: this.options.defaultCountry ?? 'FR',
      today: context.today ?? new Date().toISOString().slice(0, 10),
      platform: this.options.platform,
    };
    const ignored: { index: number; reason: string }[] = [];
    const inputs: Uint8Array[] = [];
    signals.forEach((signal, index) => {
      const prepared = prepareSignal(signal, normalizeContext);
      if (prepared.ok) inputs.push(Buffer.from(prepared.signal.prehash, 'hex'));
      else ignored.push({ index, reason: prepared.reason });
    });
    const base = (result: CheckResult): PrivateCheckResult => ({
      ...result,
      ...(ignored.length > 0 ? { ignored } : {}),
      evaluated: inputs.length,
    });
    if (inputs.length === 0) return base({ decision: 'allow' });

    const blinded = inputs.map((input) => blind(input));
    // One key and its set for the whole check, whatever a resync does meanwhile.
    const { keyId, publicKey, set } = this.state;
    let answer: EvaluationAnswer;
    try {
      answer = await this.client.http.request<EvaluationAnswer>('/v1/private/evaluations', {
        method: 'POST',
        body: { keyId, blindedElements: blinded.map((b) => Buffer.from(b.blindedElement).toString('hex')) },
        idempotent: true,
      });
    } catch (error) {
      // The key was retired: follow the service to its new one (if pinned), then check again, once.
      if (error instanceof OstraconError && error.code === 'PRIVATE.KEY_UNKNOWN' && !context.retried) {
        if (this.state.keyId === keyId) await this.resyncOnce();
        return this.checkSignup(signals, { ...context, retried: true });
      }
      throw error;
    }
    const evaluated = answer.evaluatedElements?.map((e) => Uint8Array.from(Buffer.from(e, 'hex'))) ?? [];
    const proof = Uint8Array.from(Buffer.from(answer.proof ?? '', 'hex'));
    if (
      answer.keyId !== keyId ||
      evaluated.length !== blinded.length ||
      !verifyBatch(
        publicKey,
        blinded.map((b) => b.blindedElement),
        evaluated,
        proof,
      )
    ) {
      throw new Error('The service’s evaluation does not verify against the pinned key: refused');
    }
    const hits: Uint8Array[] = [];
    for (let i = 0; i < blinded.length; i++) {
      const element = unblind(blinded[i]!.blind, evaluated[i]!);
      if (set.get(tagOf(element)) !== undefined) hits.push(element);
    }
    if (hits.length === 0) return base({ decision: 'allow' });
    const outcome = await this.client.http.request<CheckResult>('/v1/private/matches', {
      method: 'POST',
      body: { keyId, elements: hits.map((e) => Buffer.from(e).toString('hex')) },
    });
    return base(outcome);
  }

  /**
   * The former name of `checkSignup`, kept so that code written against it keeps working.
   * @deprecated use `checkSignup`.
   */
  check(signals: readonly SignalInput[], context: { today?: string; retried?: boolean } = {}): Promise<PrivateCheckResult> {
    return this.checkSignup(signals, context);
  }

  /** One resync at a time, whoever asks (checks meeting a retired key, the follower). */
  private resyncOnce(): Promise<void> {
    this.resyncing ??= this.resync().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  /** The key to use, checked against the pins, then the whole set under it. */
  private async resync(): Promise<void> {
    const { keys } = await this.client.http.request<KeysAnswer>('/v1/private/keys', { signal: this.stopping.signal });
    const current = keys[0];
    if (!current || current.suite !== 'ristretto255-SHA512' || current.mode !== 'voprf')
      throw new Error('The service offers no ristretto255-SHA512 VOPRF key');
    const publicKey = Uint8Array.from(Buffer.from(current.publicKey, 'hex'));
    if (!isValidElement(publicKey)) throw new Error('The service’s public key is not a valid element');
    if (this.pinned && this.pinned.get(current.keyId) !== current.publicKey.toLowerCase()) {
      throw new Error(`The service’s key ${current.keyId} is not one of the pinned keys: refused`);
    }
    const set = new TagSet();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.fetchSet(cursor, 0);
      if (page.keyId !== current.keyId) throw new Error('The set changed key while it was downloaded; starting again');
      apply(set, page);
      cursor = page.cursor;
      if (!page.more) break;
    }
    this.state = { keyId: current.keyId, publicKey, set };
    this.cursor = cursor;
  }

  private fetchSet(cursor: string | undefined, wait: number): Promise<SetPage> {
    return this.client.http.request<SetPage>('/v1/private/set', {
      query: { cursor, limit: 10_000, wait: wait > 0 ? wait : undefined },
      timeoutMs: (wait + 10) * 1000,
      signal: this.stopping.signal,
    });
  }

  /** Long polls from the cursor; a stale cursor (the key rotated) means a fresh download. */
  private async follow(): Promise<void> {
    let failures = 0;
    let stale = 0;
    const wait = Math.min(30, Math.max(1, this.options.pollWaitSeconds ?? 25));
    while (!this.stopping.signal.aborted) {
      try {
        const page = await this.fetchSet(this.cursor, wait);
        if (page.keyId !== this.state.keyId) {
          await this.resyncOnce();
        } else {
          apply(this.state.set, page);
          this.cursor = page.cursor;
        }
        failures = 0;
        stale = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        let failure = error;
        if (error instanceof OstraconError && error.code === 'PRIVATE.CURSOR_STALE') {
          // The key rotated, or removals were forgotten: download again, at once the first time,
          // backing off if that fails or if the fresh cursor is stale again.
          stale++;
          if (stale > 1) await sleep(Math.min(30_000, 250 * 2 ** Math.min(stale, 7)), this.stopping.signal).catch(() => undefined);
          try {
            await this.resyncOnce();
            continue;
          } catch (resyncError) {
            failure = resyncError;
          }
        }
        this.options.onError?.(failure);
        failures++;
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), this.stopping.signal).catch(() => undefined);
      }
    }
  }
}

/** A page's changes, all checked before any is applied: a malformed page changes nothing. */
function apply(set: TagSet, page: SetPage): void {
  if (!Array.isArray(page.entries) || typeof page.cursor !== 'string') throw new Error('The service sent a malformed set page');
  for (const entry of page.entries) {
    const valid =
      TAG_HEX.test(entry?.tag) &&
      (entry.op === 'add' || entry.op === 'remove') &&
      (entry.strength === 'strong' || entry.strength === 'possible');
    if (!valid) throw new Error('The service sent a malformed set entry');
  }
  for (const entry of page.entries) {
    const tag = Buffer.from(entry.tag, 'hex');
    if (entry.op === 'add') set.set(tag, entry.strength);
    else set.delete(tag);
  }
}
