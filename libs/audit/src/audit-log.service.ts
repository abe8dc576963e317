import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, type Page, decodeCursor, encodeCursor, type Actor } from '@ostracon/common';
import { queryRows } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { type AuditEventRow, type AuditEventView, eventLeafHash, eventView } from './audit-leaf';
import type { AuditEventsQuery, AuditExportQuery } from './audit-log.schemas';
import { AuditErrors } from './audit.errors';
import { AuditService } from './audit.service';
import { AuditTreeService } from './audit-tree.service';
import type { Checkpoint } from './checkpoint';
import { type NoteCheckpoint, WitnessingService } from './witnessing.service';

/** The caller, as far as reading the log goes (auth depends on audit, not the reverse). */
/** Who reads the log: the read is itself an event, with this actor (a key or a person). */
export interface AuditReader {
  actor: Actor;
}

/**
 * Which events a reader may see: every one (an auditor), or those of the orders the caller names
 * (an authority: its own, as libs/orders says). The log does not know who owns what.
 */
export type AuditScope = { all: true } | { orderIds: readonly string[] };

export type AuditEventOut = AuditEventView & { leafHash: string };

const cursorSchema = z.tuple([z.number().int().min(0)]);
const EXPORT_BATCH = 1000;

/**
 * Reading the enforcement log: events (an auditor all, an authority those of its own orders),
 * the streamed export, checkpoints and proofs. Every read is itself an event (`audit.read`,
 * with the filter, never the results).
 */
@Injectable()
export class AuditLogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tree: AuditTreeService,
    private readonly witnesses: WitnessingService,
  ) {}

  /**
   * One page of events in the order asked. Keyset both ways: after a cursor (the next page),
   * before one (the previous page), or the last page; the page is read towards the cursor and
   * turned back when it goes against the order asked.
   */
  async list(
    reader: AuditReader,
    query: Omit<AuditEventsQuery, 'order' | 'last'> & Partial<Pick<AuditEventsQuery, 'order' | 'last'>>,
    scope: AuditScope,
  ): Promise<Page<AuditEventOut> & { prevCursor: string | null }> {
    const desc = query.order === 'desc';
    const after = query.after ? decodeCursor(query.after, cursorSchema)[0] : undefined;
    const before = query.before ? decodeCursor(query.before, cursorSchema, 'before')[0] : undefined;
    const backwards = before !== undefined || query.last === true;
    // Reading backwards is reading the other order from the cursor (or from the far end).
    const ascending = desc === backwards;
    const from = after ?? before;
    const rows = await this.select(scope, query, { from, ascending }, query.limit + 1);
    await this.recordRead(reader, 'list', query);
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    if (backwards) page.reverse();
    const items = page.map(withLeaf);
    const cursor = (i: number) => (items.length > 0 ? encodeCursor([items.at(i)!.seq]) : null);
    return backwards
      ? { items, prevCursor: more ? cursor(0) : null, nextCursor: before !== undefined ? cursor(-1) : null }
      : { items, prevCursor: after !== undefined ? cursor(0) : null, nextCursor: more ? cursor(-1) : null };
  }

  /** Every matching event in seq order, read in batches: memory stays flat whatever the size. */
  async *export(reader: AuditReader, query: AuditExportQuery, scope: AuditScope): AsyncGenerator<AuditEventOut> {
    await this.recordRead(reader, 'export', query);
    let after = 0;
    for (;;) {
      const rows = await this.select(scope, query, { from: after, ascending: true }, EXPORT_BATCH);
      for (const row of rows) yield withLeaf(row);
      if (rows.length < EXPORT_BATCH) return;
      after = Number(rows.at(-1)!.seq);
    }
  }

  async latestCheckpoint(reader: AuditReader): Promise<Checkpoint> {
    const checkpoint = await this.tree.latestCheckpoint();
    if (!checkpoint) throw new DomainError(AuditErrors.noCheckpoint, 'The worker signs one within seconds of the first event');
    await this.recordRead(reader, 'checkpoint', {});
    return checkpoint;
  }

  /**
   * The newest checkpoint as a C2SP signed note followed by the cosignatures the log holds, or
   * (witnessed) the newest one a quorum of the configured witnesses cosigned.
   */
  async checkpointNote(reader: AuditReader, witnessed: boolean): Promise<string> {
    const checkpoint = witnessed ? await this.witnesses.newestWitnessed() : await this.witnesses.noteCheckpoint();
    if (!checkpoint) {
      throw witnessed
        ? new DomainError(
            AuditErrors.notWitnessed,
            `The quorum is ${this.witnesses.quorum} of ${this.witnesses.witnesses.length} witnesses`,
          )
        : new DomainError(AuditErrors.noCheckpoint, 'The worker signs one within seconds of the first event');
    }
    await this.recordRead(reader, 'checkpoint-note', { witnessed });
    return checkpoint.note;
  }

  /** The witnesses, what the log knows of each, and the newest checkpoint and the newest witnessed one. */
  async witnessStatus() {
    const [witnesses, latest, newestWitnessed] = await Promise.all([
      this.witnesses.status(),
      this.witnesses.noteCheckpoint(),
      this.witnesses.newestWitnessed(),
    ]);
    const brief = (c: NoteCheckpoint | null) => c && { size: c.size, signedAt: c.signedAt.toISOString(), witnessedBy: c.witnessedBy };
    return {
      quorum: this.witnesses.quorum,
      latest: brief(latest),
      newestWitnessed: brief(newestWitnessed),
      witnesses: witnesses.map((w) => ({
        ...w,
        lastSuccessAt: w.lastSuccessAt?.toISOString() ?? null,
        lastAttemptAt: w.lastAttemptAt?.toISOString() ?? null,
      })),
    };
  }

  /**
   * An RFC 9162 inclusion proof. As a bundle, it also carries the event and the checkpoint of
   * exactly that size as a signed note with its cosignatures, so that it verifies offline (the
   * SDK's verifyInclusionBundle); without a size, the bundle uses the newest witnessed checkpoint
   * that holds the event, else the newest checkpoint. The event is bundled only if the reader's
   * scope holds it (the proof itself is hashes only).
   */
  async inclusion(reader: AuditReader, seq: number, size?: number, bundle?: { scope: AuditScope }) {
    let note: NoteCheckpoint | null = null;
    if (bundle) {
      if (size === undefined) {
        const witnessed = await this.witnesses.newestWitnessed();
        note = witnessed && witnessed.size >= seq ? witnessed : await this.witnesses.noteCheckpoint();
        if (!note) throw new DomainError(AuditErrors.noCheckpoint, 'The worker signs one within seconds of the first event');
      } else {
        note = await this.witnesses.noteCheckpoint(size);
        if (!note)
          throw new DomainError(
            AuditErrors.noCheckpointNote,
            `No checkpoint note of size ${size}: GET /v1/audit/checkpoint/note names one`,
          );
      }
      size = note.size;
    }
    const treeSize = await this.sizeFor(size);
    if (seq > treeSize) throw new DomainError(AuditErrors.eventNotInTree, `Event ${seq} is not in the tree of ${treeSize}`);
    const leaf = await this.tree.leafHash(seq - 1);
    const [proof, root] = await Promise.all([this.tree.inclusion(seq - 1, treeSize), this.tree.root(treeSize)]);
    const [event] = bundle
      ? (await this.select(bundle.scope, {}, { from: seq - 1, ascending: true }, 1)).filter((e) => Number(e.seq) === seq)
      : [];
    await this.recordRead(reader, 'inclusion-proof', { seq, size: treeSize, ...(bundle ? { bundle: true } : {}) });
    return {
      seq,
      leafIndex: seq - 1,
      size: treeSize,
      // The tree holds every event up to its size, and seq is within it.
      leafHash: leaf!.toString('hex'),
      rootHash: root.toString('hex'),
      proof: proof.map((p) => p.toString('hex')),
      ...(note ? { checkpoint: note.note, ...(event ? { event: withLeaf(event) } : {}) } : {}),
    };
  }

  async consistency(reader: AuditReader, from: number, to?: number) {
    const toSize = await this.sizeFor(to);
    if (from > toSize) throw new DomainError(AuditErrors.sizeNotAvailable, `from (${from}) is larger than to (${toSize})`);
    const [proof, fromRoot, toRoot] = await Promise.all([
      this.tree.consistency(from, toSize),
      this.tree.root(from),
      this.tree.root(toSize),
    ]);
    await this.recordRead(reader, 'consistency-proof', { from, to: toSize });
    return {
      from,
      to: toSize,
      fromRoot: fromRoot.toString('hex'),
      toRoot: toRoot.toString('hex'),
      proof: proof.map((p) => p.toString('hex')),
    };
  }

  /** The given size if the tree has reached it, else the latest checkpoint's size. */
  private async sizeFor(size?: number): Promise<number> {
    if (size === undefined) {
      const checkpoint = await this.tree.latestCheckpoint();
      if (!checkpoint) throw new DomainError(AuditErrors.noCheckpoint);
      return checkpoint.size;
    }
    const current = await this.tree.size();
    if (size > current) throw new DomainError(AuditErrors.sizeNotAvailable, `The tree holds ${current} events`);
    return size;
  }

  /** Events past `from` (none: from the start) in seq order, ascending or not. */
  private select(
    scope: AuditScope,
    q: Omit<AuditExportQuery, 'courtReference'>,
    { from, ascending }: { from?: number; ascending: boolean },
    limit: number,
  ): Promise<AuditEventRow[]> {
    // The direction is one of two constants, never the request's text.
    const [compare, direction] = ascending ? ['>', 'ASC'] : ['<', 'DESC'];
    return queryRows<AuditEventRow>(
      this.dataSource,
      `SELECT e.seq, e.at, e.type, e.actor, e.order_id, e.platform_id, e.data FROM audit_events e
       WHERE ($1::bigint IS NULL OR e.seq ${compare} $1)
         AND ($2::uuid IS NULL OR e.order_id = $2) AND ($3::text IS NULL OR e.type = $3)
         AND ($4::timestamptz IS NULL OR e.at >= $4) AND ($5::timestamptz IS NULL OR e.at < $5)
         AND ($6::uuid[] IS NULL OR e.order_id = ANY($6::uuid[]))
         AND ($8::text IS NULL OR e.platform_id = $8)
       ORDER BY e.seq ${direction} LIMIT $7`,
      [
        from ?? null,
        q.orderId ?? null,
        q.type ?? null,
        q.from ?? null,
        q.to ?? null,
        'all' in scope ? null : scope.orderIds,
        limit,
        q.platform ?? null,
      ],
    );
  }

  private recordRead(reader: AuditReader, what: string, filter: Record<string, unknown>): Promise<unknown> {
    // What was read, not how it was paged: cursors, direction and page size are left out.
    const { after: _after, before: _before, last: _last, limit: _limit, order: _order, ...rest } = filter;
    return this.dataSource.transaction((em) =>
      this.audit.record(em, { type: 'audit.read', actor: reader.actor, data: { what, filter: rest } }),
    );
  }
}

function withLeaf(row: AuditEventRow): AuditEventOut {
  const view = eventView(row);
  return { ...view, leafHash: eventLeafHash(view).toString('hex') };
}
