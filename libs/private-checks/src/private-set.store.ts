import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@ostracon/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import {
  CHANNELS,
  type OrderSignalsRow,
  type PrivateElementsRow,
  type PrivateSetEntriesRow,
  type PrivateSetHorizonsRow,
  queryRows,
} from '@ostracon/database';
import { orderRelations } from '@ostracon/orders';
import type { SignalStrength } from '@ostracon/identity';
import { voprf } from '@ostracon/platform-sdk';
import type { DataSource, EntityManager } from 'typeorm';
import { OPRF_KEY_RING, type OprfKeyRing } from './oprf-key-ring';

/** One signal of a new order, as intake has it: the prehash never goes further than this call. */
export interface SignalForElements {
  signalId: string;
  prehash: string;
  strength: SignalStrength;
}

export interface SetEntry {
  op: 'add' | 'remove';
  tag: string;
  strength: SignalStrength;
}

/**
 * Where a platform is in its set: downloading it (the entries present when the download began,
 * in tag order, after `afterTag`), or following it (every change after `version`). A download
 * ends by following from the version it began at, so nothing that changed meanwhile is missed.
 */
export type SetPosition = { mode: 'download'; since: string; afterTag: string } | { mode: 'follow'; version: string };

export interface SetPage {
  entries: SetEntry[];
  next: SetPosition;
  more: boolean;
}

/**
 * Every writer of private_set_entries takes this lock (transaction-scoped) before it allocates
 * versions, so versions become visible in the order they were allocated: a reader that has seen
 * version v will never find a later commit below v (docs/private-checks.md § The set's cursor).
 */
const SET_WRITE_LOCK = 7_361_001;

/** An order holds an entry while it is in force at the writer's `now` ($2) (libs/orders names them). */
const IN_FORCE_AT_2 = orderRelations.inForce('$2');
const SIGNALS = orderRelations.signals;

/** A row with its tag as the statement sends it, hex (`encode(p.tag, 'hex') AS tag`): the API's form. */
type HexTagged<T> = T & { tag: string };

/** How long a removal stays for followers to see, once no order holds its tag (any retention). */
const REMOVALS_KEPT_MS = 24 * 3_600_000;

/**
 * Recomputes the entries `touched` selects (platform_id, key_id, tag): present while a live order
 * naming the platform holds the tag, with the strongest strength among those orders. Only changes
 * get a new version; an entry never present is not written. Returns the platforms whose set changed.
 */
const upsert = (touched: string) => `
  WITH touched AS (${touched}),
  state AS (
    SELECT t.platform_id, t.key_id, t.tag, h.strength
    FROM touched t
    LEFT JOIN LATERAL (
      SELECT CASE WHEN bool_or(e2.strength = 'strong') THEN 'strong' ELSE 'possible' END AS strength
      FROM private_elements e2
      JOIN ${SIGNALS} s2 ON s2.id = e2.signal_id
      JOIN ${IN_FORCE_AT_2} o ON o.id = s2.order_id
      JOIN order_platforms op2 ON op2.order_id = o.id AND op2.platform_id = t.platform_id
        AND (s2.platform_id IS NULL OR s2.platform_id = t.platform_id)
      WHERE e2.key_id = t.key_id AND e2.tag = t.tag
      HAVING count(*) > 0
    ) h ON true
  ),
  changed AS (
    INSERT INTO private_set_entries AS p (platform_id, key_id, tag, strength, present, version, changed_at)
    SELECT s.platform_id, s.key_id, s.tag, coalesce(s.strength, x.strength, 'possible'), s.strength IS NOT NULL,
           nextval('private_set_version'), now()
    FROM state s
    LEFT JOIN private_set_entries x ON x.platform_id = s.platform_id AND x.key_id = s.key_id AND x.tag = s.tag
    WHERE s.strength IS NOT NULL OR x.present
    ON CONFLICT (platform_id, key_id, tag) DO UPDATE
      SET strength = EXCLUDED.strength, present = EXCLUDED.present, version = EXCLUDED.version, changed_at = EXCLUDED.changed_at
      WHERE p.present IS DISTINCT FROM EXCLUDED.present OR p.strength IS DISTINCT FROM EXCLUDED.strength
    RETURNING p.platform_id
  )
  SELECT DISTINCT platform_id FROM changed`;

/**
 * The one owner of the private checks' state in PostgreSQL: the keyed elements of order signals
 * and the per-platform sets derived from them (docs/private-checks.md). Callers are the order's
 * lifecycle (intake, activation, expiry, revocation, purge), the API's set reads and match
 * lookups, and the CLI's key rotation.
 */
@Injectable()
export class PrivateSetStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OPRF_KEY_RING) private readonly keys: OprfKeyRing,
    private readonly audit: AuditService,
  ) {}

  /**
   * At intake, in the order's transaction: E = k·HashToGroup(prehash) under every configured key,
   * its tag, and the sets of the platforms the order names when it is already in its window.
   */
  async addOrder(em: EntityManager, orderId: string, signals: readonly SignalForElements[], now: Date): Promise<void> {
    const rows = { signal: [] as string[], key: [] as string[], element: [] as Buffer[], tag: [] as Buffer[], strength: [] as string[] };
    for (const s of signals) {
      const input = Buffer.from(s.prehash, 'hex');
      for (const key of this.keys.keys) {
        const element = voprf.evaluateInput(key.secretKey, input);
        rows.signal.push(s.signalId);
        rows.key.push(key.keyId);
        rows.element.push(Buffer.from(element));
        rows.tag.push(voprf.tagOf(element));
        rows.strength.push(s.strength);
      }
    }
    if (rows.signal.length > 0) {
      await em.query(
        `INSERT INTO private_elements (signal_id, key_id, element, tag, strength)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::text[])`,
        [rows.signal, rows.key, rows.element, rows.tag, rows.strength],
      );
    }
    await this.refresh(em, [orderId], now);
  }

  /**
   * The entries these orders hold, recomputed after a change of their liveness (intake,
   * activation, expiry, revocation), in the change's transaction; the platforms following their
   * set are woken at commit.
   */
  async refresh(em: EntityManager, orderIds: readonly string[], now: Date): Promise<void> {
    if (orderIds.length === 0) return;
    await em.query(`SELECT pg_advisory_xact_lock($1)`, [SET_WRITE_LOCK]);
    const changed = await queryRows<Pick<PrivateSetEntriesRow, 'platform_id'>>(
      em,
      upsert(`SELECT DISTINCT op.platform_id, e.key_id, e.tag
              FROM ${SIGNALS} s
              JOIN private_elements e ON e.signal_id = s.id
              JOIN order_platforms op ON op.order_id = s.order_id AND (s.platform_id IS NULL OR s.platform_id = op.platform_id)
              WHERE s.order_id = ANY($1::uuid[])`),
      [orderIds, now],
    );
    await this.notify(
      em,
      changed.map((c) => c.platform_id),
    );
  }

  /** Every entry under one key, recomputed (after a rotation's remapping). */
  async rebuild(em: EntityManager, keyId: string, now: Date): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock($1)`, [SET_WRITE_LOCK]);
    const changed = await queryRows<Pick<PrivateSetEntriesRow, 'platform_id'>>(
      em,
      upsert(`SELECT op.platform_id, e.key_id, e.tag
              FROM private_elements e
              JOIN ${SIGNALS} s ON s.id = e.signal_id
              JOIN order_platforms op ON op.order_id = s.order_id AND (s.platform_id IS NULL OR s.platform_id = op.platform_id)
              WHERE e.key_id = $1
              UNION
              SELECT platform_id, key_id, tag FROM private_set_entries WHERE key_id = $1 AND present`),
      [keyId, now],
    );
    await this.notify(
      em,
      changed.map((c) => c.platform_id),
    );
  }

  /**
   * Removals of tags no order holds any more (their orders purged) are forgotten a day after they
   * were written, and each set's horizon moves past them: a cursor from before a forgotten removal
   * is stale (410) and its platform downloads the set again rather than keep a tag nobody holds.
   * Run by the worker's lifecycle, and in a purge's transaction (its elements went with it); takes
   * the sets' lock only when there is something to forget.
   */
  async forgetUnheld(now: Date, within?: EntityManager): Promise<number> {
    const before = new Date(now.getTime() - REMOVALS_KEPT_MS);
    const unheld = `NOT p.present AND p.changed_at < $1
      AND NOT EXISTS (SELECT 1 FROM private_elements e WHERE e.key_id = p.key_id AND e.tag = p.tag)`;
    const [candidate] = await queryRows<{ found: number }>(
      within ?? this.dataSource,
      `SELECT 1 AS found FROM private_set_entries p WHERE ${unheld} LIMIT 1`,
      [before],
    );
    if (!candidate) return 0;
    const forget = async (em: EntityManager) => {
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [SET_WRITE_LOCK]);
      const rows = await queryRows<{ forgotten: string }>(
        em,
        `WITH gone AS (
           DELETE FROM private_set_entries p WHERE ${unheld}
           RETURNING platform_id, key_id, version
         ), horizons AS (
           INSERT INTO private_set_horizons AS h (platform_id, key_id, version)
           SELECT platform_id, key_id, max(version) FROM gone GROUP BY platform_id, key_id
           ON CONFLICT (platform_id, key_id) DO UPDATE SET version = greatest(h.version, EXCLUDED.version)
         )
         SELECT count(*)::text AS forgotten FROM gone`,
        [before],
      );
      return Number(rows[0]?.forgotten ?? 0);
    };
    return within ? forget(within) : this.dataSource.transaction(forget);
  }

  /**
   * One page of a platform's set under a key: from the start (`null`) or a position. 'stale' when
   * removals after the position were forgotten since (a purge): the platform downloads again.
   */
  async page(platformId: string, keyId: string, from: SetPosition | null, limit: number): Promise<SetPage | 'stale'> {
    const args = [platformId, keyId];
    let page: SetPage;
    if (from === null || from.mode === 'download') {
      // Versions commit in order (the write lock), so every later change is above this one; and
      // never below the horizon, or a set whose last changes were forgotten could not be followed.
      const since =
        from?.since ??
        (
          await queryRows<{ since: PrivateSetEntriesRow['version'] }>(
            this.dataSource,
            `SELECT greatest(
             (SELECT coalesce(max(version), 0) FROM private_set_entries WHERE platform_id = $1 AND key_id = $2),
             (SELECT coalesce(max(version), 0) FROM private_set_horizons WHERE platform_id = $1 AND key_id = $2))::text AS since`,
            args,
          )
        )[0]!.since;
      // ORDER BY the column, not the hex text of the same name: the primary key's order, no sort.
      const rows = await queryRows<HexTagged<Pick<PrivateSetEntriesRow, 'strength'>>>(
        this.dataSource,
        `SELECT encode(p.tag, 'hex') AS tag, p.strength FROM private_set_entries p
         WHERE p.platform_id = $1 AND p.key_id = $2 AND p.present AND p.tag > $3 ORDER BY p.tag LIMIT $4`,
        [...args, from ? Buffer.from(from.afterTag, 'hex') : Buffer.alloc(0), limit],
      );
      const more = rows.length === limit;
      page = {
        entries: rows.map((r) => ({ op: 'add', tag: r.tag, strength: r.strength })),
        next: more ? { mode: 'download', since, afterTag: rows[rows.length - 1]!.tag } : { mode: 'follow', version: since },
        more,
      };
    } else {
      // ORDER BY the bigint column: the text of the same name would put 10 before 9.
      const rows = await queryRows<HexTagged<Pick<PrivateSetEntriesRow, 'strength' | 'present' | 'version'>>>(
        this.dataSource,
        `SELECT encode(p.tag, 'hex') AS tag, p.strength, p.present, p.version::text AS version FROM private_set_entries p
         WHERE p.platform_id = $1 AND p.key_id = $2 AND p.version > $3 ORDER BY p.version LIMIT $4`,
        [...args, from.version, limit],
      );
      page = {
        entries: rows.map((r) => ({ op: r.present ? 'add' : 'remove', tag: r.tag, strength: r.strength })),
        next: { mode: 'follow', version: rows.length > 0 ? rows[rows.length - 1]!.version : from.version },
        more: rows.length === limit,
      };
    }
    // After the rows: a purge that committed meanwhile is seen here, not missed between the two.
    if (from !== null) {
      const [horizon] = await queryRows<Pick<PrivateSetHorizonsRow, 'version'>>(
        this.dataSource,
        `SELECT version::text AS version FROM private_set_horizons WHERE platform_id = $1 AND key_id = $2`,
        args,
      );
      const seen = from.mode === 'download' ? from.since : from.version;
      if (horizon && BigInt(seen) < BigInt(horizon.version)) return 'stale';
    }
    return page;
  }

  /**
   * The live orders naming this platform that hold these elements (a match report), with what
   * the decision needs.
   */
  async holders(
    platformId: string,
    keyId: string,
    elements: readonly Buffer[],
    now: Date,
  ): Promise<{ orderId: string; type: string; strength: SignalStrength; endsAt: number }[]> {
    // endsAt: epoch milliseconds (float8), computed; the others are their columns, under camelCase names.
    return queryRows<{
      orderId: OrderSignalsRow['order_id'];
      type: OrderSignalsRow['type'];
      strength: PrivateElementsRow['strength'];
      endsAt: number;
    }>(
      this.dataSource,
      `SELECT s.order_id::text AS "orderId", s.type, e.strength, (extract(epoch FROM o.ends_at) * 1000)::float8 AS "endsAt"
       FROM private_elements e
       JOIN ${SIGNALS} s ON s.id = e.signal_id
       JOIN ${IN_FORCE_AT_2} o ON o.id = s.order_id
       JOIN order_platforms op ON op.order_id = o.id AND op.platform_id = $3 AND (s.platform_id IS NULL OR s.platform_id = $3)
       WHERE e.key_id = $1 AND e.element = ANY($4::bytea[])`,
      [keyId, now, platformId, elements],
    );
  }

  /**
   * Key rotation without raw values (docs/private-checks.md § Key rotation): every element under
   * `from` mapped to the element under `to` by E′ = (k′·k⁻¹)·E, in batches, skipping those already
   * there (intake writes under every configured key); then `to`'s sets rebuilt. Idempotent.
   */
  async remap(fromKeyId: string, toKeyId: string, now: Date, onBatch?: (done: number) => void): Promise<number> {
    const from = this.keys.get(fromKeyId);
    const to = this.keys.get(toKeyId);
    if (!from || !to || from === to) throw new Error('both keys must be configured in OPRF_KEYS, and differ');
    const factor = voprf.rotationFactor(from.secretKey, to.secretKey);
    let done = 0;
    let last = '0';
    for (;;) {
      const batch = await queryRows<Pick<PrivateElementsRow, 'signal_id' | 'element' | 'strength'>>(
        this.dataSource,
        `SELECT e.signal_id::text AS signal_id, e.element, e.strength FROM private_elements e
         WHERE e.key_id = $1 AND e.signal_id > $3
           AND NOT EXISTS (SELECT 1 FROM private_elements x WHERE x.signal_id = e.signal_id AND x.key_id = $2)
         ORDER BY e.signal_id LIMIT 1000`,
        [fromKeyId, toKeyId, last],
      );
      if (batch.length === 0) return done;
      last = batch[batch.length - 1]!.signal_id;
      const elements = batch.map((r) => Buffer.from(voprf.multiply(factor, r.element)));
      // Each batch with the sets it changes, in one transaction: a crash leaves nothing half done.
      // Signals purged since they were read are skipped, not a foreign-key failure.
      await this.dataSource.transaction(async (em) => {
        const orders = await queryRows<Pick<OrderSignalsRow, 'order_id'>>(
          em,
          `WITH added AS (
             INSERT INTO private_elements (signal_id, key_id, element, tag, strength)
             SELECT u.s, $2, u.e, u.t, u.st FROM unnest($1::bigint[], $3::bytea[], $4::bytea[], $5::text[]) AS u(s, e, t, st)
             JOIN ${SIGNALS} os ON os.id = u.s
             ON CONFLICT (signal_id, key_id) DO NOTHING
             RETURNING signal_id
           )
           SELECT DISTINCT os.order_id::text AS order_id FROM added JOIN ${SIGNALS} os ON os.id = added.signal_id`,
          [batch.map((r) => r.signal_id), toKeyId, elements, elements.map((e) => voprf.tagOf(e)), batch.map((r) => r.strength)],
        );
        await this.refresh(
          em,
          orders.map((o) => o.order_id),
          now,
        );
      });
      done += batch.length;
      onBatch?.(done);
    }
  }

  /**
   * `private-keys:rotate`: the remapping, then `to`'s sets rebuilt and the rotation audited, in one
   * transaction. Platforms move to `to` when it becomes first in OPRF_KEYS.
   */
  async rotate(
    fromKeyId: string,
    toKeyId: string,
    actor: Actor,
    now: Date,
    onBatch?: (done: number) => void,
  ): Promise<{ remapped: number }> {
    const remapped = await this.remap(fromKeyId, toKeyId, now, onBatch);
    await this.dataSource.transaction(async (em) => {
      await this.rebuild(em, toKeyId, now);
      await this.audit.record(em, { type: 'private_key.rotated', actor, data: { fromKeyId, toKeyId, remapped } });
    });
    return { remapped };
  }

  /**
   * At the API's start: every element one configured key has and another lacks (orders taken in by
   * a process that did not have that key yet) is computed from it, each batch with the sets it
   * changes. Returns how many elements were added.
   */
  async heal(now: Date): Promise<number> {
    let added = 0;
    for (const to of this.keys.keys)
      for (const from of this.keys.keys) if (from !== to) added += await this.remap(from.keyId, to.keyId, now);
    return added;
  }

  /** `private-keys:forget`: a retired key's elements and sets, deleted and audited. Refused for the key that serves. */
  async forget(keyId: string, actor: Actor): Promise<{ elements: number; entries: number }> {
    if (keyId === this.keys.current.keyId) throw new Error(`${keyId} is the key that serves (first in OPRF_KEYS)`);
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [SET_WRITE_LOCK]);
      const elements = (await queryRows(em, `DELETE FROM private_elements WHERE key_id = $1 RETURNING 1`, [keyId])).length;
      const entries = (await queryRows(em, `DELETE FROM private_set_entries WHERE key_id = $1 RETURNING 1`, [keyId])).length;
      await this.audit.record(em, { type: 'private_key.forgotten', actor, data: { keyId, elements, entries } });
      return { elements, entries };
    });
  }

  private async notify(em: EntityManager, platforms: readonly string[]): Promise<void> {
    if (platforms.length === 0) return;
    await em.query(`SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, [CHANNELS.privateSet, platforms]);
  }
}
