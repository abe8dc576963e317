import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';

import { CLOCK, type Clock, CommonErrors, DomainError, type AuthenticatedClient } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type OprfKeysRow, queryRows } from '@ostracon/database';
import type { SignalType } from '@ostracon/identity';
import { voprf } from '@ostracon/platform-sdk';
import { decide, SignupChecksService } from '@ostracon/screening';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { EvaluationCounts } from './evaluation-counts';
import { EvaluationPool } from './evaluation-pool';
import { OPRF_KEY_RING, type OprfKey, type OprfKeyRing } from './oprf-key-ring';
import { PrivateCheckErrors } from './private-checks.errors';
import type { EvaluationRequest, EvaluationView, KeysView, MatchReport, MatchView, SetPageView, SetQuery } from './private-checks.schemas';
import { PrivateSetFeed } from './private-set-feed';
import { PrivateSetStore, type SetPosition } from './private-set.store';

const COUNT_FLUSH_MS = 10_000;
/** Elements evaluated between two turns of the event loop. */
const EVALUATION_CHUNK = 32;
/** From this many elements, a batch goes to the threads (a thread's round trip is worth it). */
const POOL_MIN_BATCH = 32;
/** Long polls one API key may hold open on one process; more get 429 (a poll is one connection, one query per change). */
const LONG_POLLS_PER_CLIENT = 4;

/**
 * The private mode on the service's side (docs/private-checks.md): the keys platforms use,
 * evaluations (counted per platform, never logged one by one), the platform's set and its
 * changes, and match reports, decided and recorded exactly as plain-check matches are.
 */
@Injectable()
export class PrivateChecksService implements OnApplicationShutdown {
  private readonly logger = new Logger('PrivateChecks');
  private counts = new Map<string, { requests: number; elements: number }>();
  private readonly longPolls = new Map<string, number>();
  private readonly pool: EvaluationPool | undefined;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(OPRF_KEY_RING) private readonly keys: OprfKeyRing,
    private readonly store: PrivateSetStore,
    private readonly feed: PrivateSetFeed,
    private readonly signupChecks: SignupChecksService,
    private readonly evaluationCounts: EvaluationCounts,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const threads = config.screening.evaluationThreads;
    this.pool = threads > 0 ? new EvaluationPool(threads) : undefined;
  }

  keysView(): KeysView {
    return { keys: this.keys.keys.map((k) => ({ keyId: k.keyId, suite: voprf.SUITE, mode: voprf.MODE, publicKey: k.publicKeyHex })) };
  }

  /**
   * Before the first evaluation: each key's public key written once, with a `private_key.published`
   * event, so auditors can check it never changes silently. A key id already recorded with another
   * public key stops the process: someone changed a key without rotating it.
   */
  async publishKeys(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      for (const key of this.keys.keys) {
        const inserted = await queryRows<Pick<OprfKeysRow, 'key_id'>>(
          em,
          `INSERT INTO oprf_keys (key_id, public_key, first_served_at) VALUES ($1, $2, $3)
           ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
          [key.keyId, Buffer.from(key.publicKey), this.clock.now()],
        );
        if (inserted.length > 0) {
          await this.audit.record(em, {
            type: 'private_key.published',
            actor: 'system:api',
            data: { keyId: key.keyId, suite: voprf.SUITE, mode: voprf.MODE, publicKey: key.publicKeyHex },
          });
          continue;
        }
        const [row] = await queryRows<Pick<OprfKeysRow, 'public_key'>>(em, `SELECT public_key FROM oprf_keys WHERE key_id = $1`, [
          key.keyId,
        ]);
        if (!row || !row.public_key.equals(Buffer.from(key.publicKey))) {
          throw new Error(`OPRF key ${key.keyId} does not match the public key the audit log recorded for it: refusing to serve`);
        }
      }
    });
    this.flushTimer ??= setInterval(() => void this.flushCounts(), COUNT_FLUSH_MS);
    this.flushTimer.unref();
  }

  /**
   * POST /v1/private/evaluations: k·Bᵢ for each blinded element, one DLEQ proof for the batch. A
   * large batch is worked a chunk at a time (about 8 ms each here), other requests running between
   * chunks, so that one platform's batch never stalls this process's other requests.
   */
  async evaluate(client: AuthenticatedClient, request: EvaluationRequest): Promise<EvaluationView> {
    const key = this.key(request.keyId);
    const blinded = this.elements(request.blindedElements, 'blindedElements');
    let evaluatedElements: Uint8Array[];
    let proof: Uint8Array;
    if (this.pool && blinded.length >= POOL_MIN_BATCH) {
      // Off the event loop, one part per thread; the parts' composites make the one proof.
      const parts = await this.pool.evaluate(key.secretKey, key.publicKey, blinded);
      evaluatedElements = parts.flatMap((p) => p.evaluatedElements);
      proof = voprf.proveBatch(
        key.secretKey,
        key.publicKey,
        parts.map((p) => p.composite),
      );
    } else {
      const batch = new voprf.BatchEvaluation(key.secretKey, key.publicKey);
      for (let from = 0; from < blinded.length; from += EVALUATION_CHUNK) {
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        batch.add(blinded.slice(from, from + EVALUATION_CHUNK));
      }
      ({ evaluatedElements, proof } = batch.finish());
    }
    this.count(client.platformId!, blinded.length);
    return { keyId: key.keyId, evaluatedElements: evaluatedElements.map(hex), proof: hex(proof) };
  }

  /**
   * POST /v1/private/matches: the unblinded elements N = k·HashToGroup(x) a platform found in its
   * set. Only live orders naming this platform count; the decision and its record are the plain
   * check's (`signup.matched` with mode "private"). An element no order holds is simply no match:
   * a platform cannot compute N for anyone not banned.
   */
  async match(client: AuthenticatedClient, report: MatchReport): Promise<MatchView> {
    const key = this.key(report.keyId);
    const elements = this.elements(report.elements, 'elements').map((e) => Buffer.from(e));
    const now = this.clock.now();
    const holders = await this.store.holders(client.platformId!, key.keyId, elements, now);
    const decided = decide(holders.map((h) => ({ ...h, type: h.type as SignalType })));
    if (!decided.match) return { decision: 'allow' };
    const outcome = { decision: decided.decision, matchId: uuidv7(), banEndsAt: new Date(decided.match.endsAt).toISOString() };
    await this.signupChecks.record(client, now, [{ outcome, result: decided }], 'private');
    return outcome;
  }

  /**
   * GET /v1/private/set: the platform's set under the serving key, from the start or from a
   * cursor; with `wait`, an answer with nothing new is held until a change or the time is up.
   */
  async setPage(client: AuthenticatedClient, query: SetQuery): Promise<SetPageView> {
    const platformId = client.platformId!;
    const keyId = this.keys.current.keyId;
    const from = query.cursor === undefined ? null : this.readCursor(query.cursor, keyId, platformId);
    const polling = query.wait > 0 && from?.mode === 'follow';
    if (polling) {
      const open = this.longPolls.get(client.id) ?? 0;
      if (open >= LONG_POLLS_PER_CLIENT) {
        throw new DomainError(CommonErrors.rateLimited, `At most ${LONG_POLLS_PER_CLIENT} long polls at once per key`, undefined, {
          'retry-after': '1',
        });
      }
      this.longPolls.set(client.id, open + 1);
    }
    let watch: { changed: Promise<void>; cancel: () => void } | undefined;
    try {
      if (polling) watch = await this.feed.watch(platformId, query.wait * 1000);
      let page = await this.store.page(platformId, keyId, from, query.limit);
      if (watch && page !== 'stale' && page.entries.length === 0) {
        await watch.changed;
        page = await this.store.page(platformId, keyId, from, query.limit);
      }
      if (page === 'stale')
        throw new DomainError(PrivateCheckErrors.cursorStale, 'Removals since this cursor were forgotten: download the set again');
      return { keyId, entries: page.entries, cursor: this.cursorOf(keyId, platformId, page.next), more: page.more };
    } finally {
      watch?.cancel();
      if (polling) {
        const open = (this.longPolls.get(client.id) ?? 1) - 1;
        if (open > 0) this.longPolls.set(client.id, open);
        else this.longPolls.delete(client.id);
      }
    }
  }

  /** Evaluation counts into PostgreSQL by platform and hour; the worker audits each past hour. */
  async flushCounts(): Promise<void> {
    if (this.counts.size === 0) return;
    const counts = this.counts;
    this.counts = new Map();
    const hour = new Date(Math.floor(this.clock.now().getTime() / 3_600_000) * 3_600_000);
    try {
      await this.evaluationCounts.add(hour, counts);
    } catch (error) {
      // Kept for the next flush: a count is a statistic, not a record, but no reason to drop it.
      for (const [p, c] of counts) this.count(p, c.elements, c.requests);
      this.logger.warn(`evaluation counts not written, will retry: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.pool?.close();
    await this.flushCounts();
  }

  private count(platformId: string, elements: number, requests = 1): void {
    const c = this.counts.get(platformId);
    if (c) {
      c.requests += requests;
      c.elements += elements;
    } else {
      this.counts.set(platformId, { requests, elements });
    }
  }

  private key(keyId: string): OprfKey {
    const key = this.keys.get(keyId);
    if (!key) throw new DomainError(PrivateCheckErrors.keyUnknown, 'GET /v1/private/keys lists the keys that serve');
    return key;
  }

  private elements(hexes: readonly string[], field: string): Uint8Array[] {
    const elements = hexes.map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    const invalid = elements.flatMap((e, i) => (voprf.isValidElement(e) ? [] : [i]));
    if (invalid.length > 0) {
      throw new DomainError(
        PrivateCheckErrors.elementInvalid,
        undefined,
        invalid.slice(0, 20).map((i) => ({ path: `${field}[${i}]`, message: 'not a valid ristretto255 element' })),
      );
    }
    return elements;
  }

  /**
   * Opaque to platforms and authenticated: `base64url(position) "." base64url(MAC)`, the MAC an
   * HMAC-SHA256 (128 bits kept) of the platform's id and the position, under a key derived (HKDF)
   * from the serving OPRF key's secret. A forged or altered cursor, or another platform's, is
   * CURSOR_INVALID; a cursor issued before cursors were authenticated (no MAC) cannot be told from a
   * forged one and is answered CURSOR_STALE, which the SDK meets by downloading the set again.
   */
  private cursorOf(keyId: string, platformId: string, at: SetPosition): string {
    const text = at.mode === 'follow' ? `f.${keyId}.${at.version}` : `d.${keyId}.${at.since}.${at.afterTag}`;
    return `${Buffer.from(text, 'utf8').toString('base64url')}.${this.cursorMac(this.keys.current, platformId, text).toString('base64url')}`;
  }

  private cursorMac(key: OprfKey, platformId: string, text: string): Buffer {
    let macKey = this.cursorKeys.get(key.keyId);
    if (!macKey) {
      macKey = Buffer.from(hkdfSync('sha256', key.secretKey, Buffer.alloc(0), 'ostracon:v1:private-set-cursor', 32));
      this.cursorKeys.set(key.keyId, macKey);
    }
    return createHmac('sha256', macKey).update(`${platformId}\n${text}`).digest().subarray(0, 16);
  }

  private readonly cursorKeys = new Map<string, Buffer>();

  private readCursor(cursor: string, keyId: string, platformId: string): SetPosition {
    const [body, mac, ...rest] = cursor.split('.');
    // Shaped like a cursor issued before cursors carried a MAC: nothing tells it from a forged one,
    // so it opens nothing; it is told to download again (what the SDK does on CURSOR_STALE).
    if (
      mac === undefined &&
      /^[fd]\.[A-Za-z0-9_-]{1,32}\.\d{1,18}(\.[0-9a-f]{32})?$/.test(Buffer.from(cursor, 'base64url').toString('utf8'))
    ) {
      throw new DomainError(PrivateCheckErrors.cursorStale);
    }
    if (rest.length > 0 || !body || !mac || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{22}$/.test(mac)) {
      throw new DomainError(PrivateCheckErrors.cursorInvalid);
    }
    const text = Buffer.from(body, 'base64url').toString('utf8');
    const named = /^[fd]\.([A-Za-z0-9_-]{1,32})\./.exec(text)?.[1];
    if (named === undefined) throw new DomainError(PrivateCheckErrors.cursorInvalid);
    // Under a key this service has forgotten, the MAC cannot be checked: download again, as before.
    const key = this.keys.keys.find((k) => k.keyId === named);
    if (!key) throw new DomainError(PrivateCheckErrors.cursorStale);
    const given = Buffer.from(mac, 'base64url');
    const expected = this.cursorMac(key, platformId, text);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new DomainError(PrivateCheckErrors.cursorInvalid);
    const follow = /^f\.([A-Za-z0-9_-]{1,32})\.(\d{1,18})$/.exec(text);
    const download = /^d\.([A-Za-z0-9_-]{1,32})\.(\d{1,18})\.([0-9a-f]{32})$/.exec(text);
    const match = follow ?? download;
    if (!match) throw new DomainError(PrivateCheckErrors.cursorInvalid);
    if (match[1] !== keyId) throw new DomainError(PrivateCheckErrors.cursorStale);
    return follow ? { mode: 'follow', version: follow[2]! } : { mode: 'download', since: download![2]!, afterTag: download![3]! };
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
