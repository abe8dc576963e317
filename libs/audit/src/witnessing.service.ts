import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import {
  type AuditCheckpointNotesRow,
  type AuditCheckpointsRow,
  type AuditCosignaturesRow,
  type AuditEventsRow,
  type AuditWitnessesRow,
  queryRows,
} from '@ostracon/database';
import { parseVerifierKey, splitNote } from '@ostracon/platform-sdk/transparency';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTreeService } from './audit-tree.service';
import { type WitnessEndpoint, addCheckpoint, addCheckpointBody } from './witness-client';

/** A checkpoint as a signed note, with the cosignature lines the log holds for it. */
export interface NoteCheckpoint {
  size: number;
  signedAt: Date;
  /** The log-signed note followed by every stored cosignature line: what a verifier opens. */
  note: string;
  witnessedBy: string[];
}

export interface WitnessStatus {
  name: string;
  url: string;
  cosignedSize: number;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  failures: number;
  refusals: number;
  lastError: string | null;
}

const BACKOFF_FIRST_MS = 1000;
/** With a hash of the witness's name: one asker per witness across the worker processes. */
const WITNESS_LOCK = 0x0a7d18;

type Backoff = { until: number; delayMs: number };
const BACKOFF_MAX_MS = 60_000;

/**
 * Asks the configured witnesses to cosign the newest checkpoint (c2sp.org/tlog-witness), each
 * with a consistency proof from the size it last cosigned, all at once and each with its own
 * timeout and backoff: a witness that is down delays neither the others nor the log. Keeps the
 * cosignatures (append-only) and what it knows of each witness; reads checkpoints back with their
 * cosignatures and says which is the newest a quorum has witnessed. docs/auditing.md § A witnessed log.
 */
@Injectable()
export class WitnessingService {
  private readonly logger = new Logger('Witnessing');
  readonly witnesses: WitnessEndpoint[];
  readonly quorum: number;
  private readonly timeoutMs: number;
  private readonly backoff = new Map<string, Backoff>();
  private readonly asking = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tree: AuditTreeService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.witnesses = config.audit.witnesses.map((w) => ({ name: w.name, url: w.url, verifier: parseVerifierKey(w.vkey) }));
    this.quorum = config.audit.witnessQuorum;
    this.timeoutMs = config.audit.witnessTimeoutMs;
  }

  /**
   * One round: every witness not backing off and not already being asked (by this process) is
   * sent the newest checkpoint it has not cosigned. Resolves when each request has been answered.
   */
  async round(now: () => Date): Promise<void> {
    if (this.witnesses.length === 0) return;
    await Promise.all(
      this.witnesses.map((w) => {
        const running = this.asking.get(w.name);
        if (running) return running;
        const wait = this.backoff.get(w.name);
        if (wait && wait.until > Date.now()) return undefined;
        const ask = this.ask(w, now)
          .catch((error: Error) => this.logger.warn(`asking witness ${w.name} failed: ${error.message}`))
          .finally(() => this.asking.delete(w.name));
        this.asking.set(w.name, ask);
        return ask;
      }),
    );
  }

  /**
   * Asks one witness, in a transaction that holds an advisory lock on that witness: of several
   * worker processes, one asks it at a time, and what it learns (the size the witness cosigned)
   * is never overwritten by another's older view. Outcomes are written with the same transaction.
   */
  private async ask(witness: WitnessEndpoint, now: () => Date): Promise<void> {
    const outcome = await this.dataSource.transaction(async (em) => {
      const [lock] = await queryRows<{ ok: boolean }>(em, `SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok`, [
        WITNESS_LOCK,
        witness.name,
      ]);
      if (!lock!.ok) return null; // another process is asking it
      const latest = await this.latestNote(em);
      if (!latest) return null;
      const [row] = await queryRows<Pick<AuditWitnessesRow, 'cosigned_size'>>(
        em,
        `INSERT INTO audit_witnesses (witness) VALUES ($1)
         ON CONFLICT (witness) DO UPDATE SET witness = EXCLUDED.witness RETURNING cosigned_size`,
        [witness.name],
      );
      let old = Number(row!.cosigned_size);
      if (old === latest.size) return null;
      const text = splitNote(latest.note).text;
      // At most twice: a 409 tells the size the witness holds, and the second request starts there.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (old > latest.size) {
          return this.refused(em, witness, now(), `it has cosigned a tree of ${old}, larger than this log's ${latest.size}`);
        }
        let proof: Buffer[];
        try {
          proof = old === 0 ? [] : await this.tree.consistency(old, latest.size);
        } catch (error) {
          return this.failed(em, witness, now(), `no consistency proof from ${old}: ${(error as Error).message}`);
        }
        const answer = await addCheckpoint(witness, addCheckpointBody(old, proof, latest.note), text, this.timeoutMs);
        switch (answer.kind) {
          case 'cosigned':
            return this.cosigned(em, witness, latest.size, answer.lines, answer.timestamp, now());
          case 'conflict':
            if (answer.witnessSize === old) return this.failed(em, witness, now(), 'a 409 naming the size that was sent');
            // Kept only if this log has such a tree: a larger one is refused above, and never remembered.
            if (answer.witnessSize <= latest.size) {
              await em.query(`UPDATE audit_witnesses SET cosigned_size = $2 WHERE witness = $1`, [witness.name, answer.witnessSize]);
            }
            old = answer.witnessSize;
            continue;
          case 'refused':
            return this.refused(em, witness, now(), `HTTP ${answer.status}: ${answer.reason}`);
          case 'rejected':
            return this.failed(em, witness, now(), `HTTP ${answer.status} (check its configuration for this log): ${answer.reason}`);
          case 'failed':
            return this.failed(em, witness, now(), answer.reason);
        }
      }
      return this.failed(em, witness, now(), 'two 409s in a row');
    });
    if (outcome === 'cosigned') this.backoff.delete(witness.name);
    else if (outcome) this.backoff.set(witness.name, outcome);
  }

  private async cosigned(
    em: EntityManager,
    witness: WitnessEndpoint,
    size: number,
    lines: string[],
    timestamp: number,
    at: Date,
  ): Promise<'cosigned'> {
    await em.query(
      `INSERT INTO audit_cosignatures (size, witness, key_id, line, cosigned_at, received_at)
       VALUES ($1, $2, $3, $4, to_timestamp($5), $6) ON CONFLICT (size, witness) DO NOTHING`,
      [size, witness.name, witness.verifier.keyId, lines.join('\n'), timestamp, at],
    );
    await em.query(
      `UPDATE audit_witnesses SET cosigned_size = $2, last_attempt_at = $3, last_success_at = $3, failures = 0, last_error = NULL
       WHERE witness = $1`,
      [witness.name, size, at],
    );
    return 'cosigned';
  }

  private async failed(em: EntityManager, witness: WitnessEndpoint, at: Date, reason: string): Promise<Backoff> {
    const previous = this.backoff.get(witness.name)?.delayMs ?? BACKOFF_FIRST_MS / 2;
    const delayMs = Math.min(previous * 2, BACKOFF_MAX_MS);
    this.logger.warn(`witness ${witness.name} did not cosign, retrying in ${delayMs} ms: ${reason}`);
    await em.query(`UPDATE audit_witnesses SET last_attempt_at = $2, failures = failures + 1, last_error = $3 WHERE witness = $1`, [
      witness.name,
      at,
      reason.slice(0, 500),
    ]);
    return { until: Date.now() + delayMs, delayMs };
  }

  /**
   * The witness refuses this checkpoint as inconsistent with one it cosigned: either this log
   * showed it another history (a split view), or this log's own record went back. Either way an
   * operator must look: it is logged as an error and counted (ostracon_audit_witness_refusals).
   */
  private async refused(em: EntityManager, witness: WitnessEndpoint, at: Date, reason: string): Promise<Backoff> {
    this.logger.error(`witness ${witness.name} REFUSED the checkpoint as inconsistent with what it cosigned (split view?): ${reason}`);
    await em.query(
      `UPDATE audit_witnesses SET last_attempt_at = $2, failures = failures + 1, refusals = refusals + 1, last_error = $3 WHERE witness = $1`,
      [witness.name, at, `refused: ${reason}`.slice(0, 500)],
    );
    return { until: Date.now() + BACKOFF_MAX_MS, delayMs: BACKOFF_MAX_MS };
  }

  /** The newest checkpoint's signed note (without cosignatures). */
  async latestNote(db: EntityManager | DataSource = this.dataSource): Promise<{ size: number; note: string } | null> {
    const [row] = await queryRows<Pick<AuditCheckpointNotesRow, 'size' | 'note'>>(
      db,
      `SELECT size, note FROM audit_checkpoint_notes ORDER BY size DESC LIMIT 1`,
    );
    return row ? { size: Number(row.size), note: row.note } : null;
  }

  /** A checkpoint's note with every cosignature held, of one size or the newest; null if there is none. */
  async noteCheckpoint(size?: number): Promise<NoteCheckpoint | null> {
    // The cosignatures come as JSON: key_id a number there, not the bigint's text.
    const [row] = await queryRows<
      Pick<AuditCheckpointNotesRow, 'size' | 'note'> &
        Pick<AuditCheckpointsRow, 'signed_at'> & {
          cosignatures: (Pick<AuditCosignaturesRow, 'witness' | 'line'> & { key_id: number })[];
        }
    >(
      this.dataSource,
      `SELECT n.size, n.note, c.signed_at,
                (SELECT coalesce(json_agg(json_build_object('witness', s.witness, 'key_id', s.key_id, 'line', s.line) ORDER BY s.witness), '[]')
                 FROM audit_cosignatures s WHERE s.size = n.size) AS cosignatures
         FROM audit_checkpoint_notes n JOIN audit_checkpoints c USING (size)
         WHERE ($1::bigint IS NULL OR n.size = $1) ORDER BY n.size DESC LIMIT 1`,
      [size ?? null],
    );
    if (!row) return null;
    // Every cosignature held is served (each verified when it came); those of the keys configured now count.
    const current = row.cosignatures.filter((c) =>
      this.witnesses.some((w) => w.name === c.witness && w.verifier.keyId === Number(c.key_id)),
    );
    return {
      size: Number(row.size),
      signedAt: row.signed_at,
      note: row.note + row.cosignatures.map((c) => `${c.line}\n`).join(''),
      witnessedBy: current.map((c) => c.witness),
    };
  }

  /** Every checkpoint note with the cosignatures held, oldest first (for audit:verify). */
  async allNotes(): Promise<string[]> {
    const rows = await queryRows<Pick<AuditCheckpointNotesRow, 'note'> & { lines: AuditCosignaturesRow['line'][] | null }>(
      this.dataSource,
      `SELECT n.note, (SELECT array_agg(s.line ORDER BY s.witness) FROM audit_cosignatures s WHERE s.size = n.size) AS lines
       FROM audit_checkpoint_notes n ORDER BY n.size`,
    );
    return rows.map((r) => r.note + (r.lines ?? []).map((l) => `${l}\n`).join(''));
  }

  /** The newest checkpoint cosigned by a quorum of the configured witnesses (any checkpoint when the quorum is 0). */
  async newestWitnessed(): Promise<NoteCheckpoint | null> {
    if (this.quorum === 0) return this.noteCheckpoint();
    // The newest thousand cosignatures first (the primary key's order), the whole table only if none of them makes a quorum.
    for (const window of [1000, null]) {
      const [row] = await queryRows<Pick<AuditCosignaturesRow, 'size'>>(
        this.dataSource,
        `SELECT size FROM audit_cosignatures
         WHERE (witness, key_id) IN (SELECT * FROM unnest($1::text[], $4::bigint[]))
           AND ($3::int IS NULL OR size >= (SELECT min(size) FROM (SELECT size FROM audit_cosignatures ORDER BY size DESC LIMIT $3) AS recent))
         GROUP BY size HAVING count(*) >= $2 ORDER BY size DESC LIMIT 1`,
        [this.witnesses.map((w) => w.name), this.quorum, window, this.witnesses.map((w) => w.verifier.keyId)],
      );
      if (row) return this.noteCheckpoint(Number(row.size));
    }
    return null;
  }

  /** How many events the log holds, and when its newest checkpoint was signed. */
  async logProgress(): Promise<{ events: number; lastSignedAt: Date | null; firstEventAt: Date | null }> {
    const [row] = await queryRows<{
      events: AuditEventsRow['seq'];
      signed_at: AuditCheckpointsRow['signed_at'] | null;
      first_at: AuditEventsRow['at'] | null;
    }>(
      this.dataSource,
      `SELECT (SELECT coalesce(max(seq), 0) FROM audit_events) AS events, (SELECT max(signed_at) FROM audit_checkpoints) AS signed_at,
              (SELECT at FROM audit_events WHERE seq = 1) AS first_at`,
    );
    return { events: Number(row!.events), lastSignedAt: row!.signed_at ?? null, firstEventAt: row!.first_at ?? null };
  }

  /** When the first checkpoint was signed (the age of "never witnessed"). */
  async firstCheckpointAt(): Promise<Date | null> {
    const [row] = await queryRows<{ at: AuditCheckpointsRow['signed_at'] | null }>(
      this.dataSource,
      `SELECT min(signed_at) AS at FROM audit_checkpoints`,
    );
    return row?.at ?? null;
  }

  /** What the log knows of each configured witness. */
  async status(): Promise<WitnessStatus[]> {
    const rows = await queryRows<AuditWitnessesRow>(this.dataSource, `SELECT * FROM audit_witnesses WHERE witness = ANY($1::text[])`, [
      this.witnesses.map((w) => w.name),
    ]);
    return this.witnesses.map((w) => {
      const r = rows.find((x) => x.witness === w.name);
      return {
        name: w.name,
        url: w.url,
        cosignedSize: Number(r?.cosigned_size ?? 0),
        lastSuccessAt: r?.last_success_at ?? null,
        lastAttemptAt: r?.last_attempt_at ?? null,
        failures: r?.failures ?? 0,
        refusals: Number(r?.refusals ?? 0),
        lastError: r?.last_error ?? null,
      };
    });
  }
}
