import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { parseVerifierKey, splitNote } from '@ostracon/platform-sdk/transparency';
import type { DataSource } from 'typeorm';
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
  private readonly backoff = new Map<string, { until: number; delayMs: number }>();
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
   * One round: every witness not backing off and not already being asked is sent the newest
   * checkpoint it has not cosigned. Resolves when every request of this round has been answered.
   */
  async round(now: () => Date): Promise<void> {
    if (this.witnesses.length === 0) return;
    const latest = await this.latestNote();
    if (!latest) return;
    await Promise.all(
      this.witnesses.map((w) => {
        const running = this.asking.get(w.name);
        if (running) return running;
        const wait = this.backoff.get(w.name);
        if (wait && wait.until > Date.now()) return undefined;
        const ask = this.ask(w, latest, now).finally(() => this.asking.delete(w.name));
        this.asking.set(w.name, ask);
        return ask;
      }),
    );
  }

  private async ask(witness: WitnessEndpoint, latest: { size: number; note: string }, now: () => Date): Promise<void> {
    try {
      let old = await this.cosignedSize(witness.name);
      if (old >= latest.size) return;
      const text = splitNote(latest.note).text;
      // At most twice: a 409 tells the size the witness holds, and the second request starts there.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (old > latest.size) {
          await this.refused(witness, now(), `it has cosigned a tree of ${old}, larger than this log's ${latest.size}`);
          return;
        }
        const proof = old === 0 ? [] : await this.tree.consistency(old, latest.size);
        const outcome = await addCheckpoint(witness, addCheckpointBody(old, proof, latest.note), text, this.timeoutMs);
        switch (outcome.kind) {
          case 'cosigned':
            await this.cosigned(witness, latest.size, outcome.lines, outcome.timestamp, now());
            return;
          case 'conflict':
            await this.dataSource.query(`UPDATE audit_witnesses SET cosigned_size = $2 WHERE witness = $1`, [
              witness.name,
              outcome.witnessSize,
            ]);
            if (outcome.witnessSize === old) return this.failed(witness, now(), 'a 409 naming the size that was sent');
            old = outcome.witnessSize;
            continue;
          case 'refused':
            return this.refused(witness, now(), `HTTP ${outcome.status}: ${outcome.reason}`);
          case 'rejected':
            return this.failed(witness, now(), `HTTP ${outcome.status} (check its configuration for this log): ${outcome.reason}`);
          case 'failed':
            return this.failed(witness, now(), outcome.reason);
        }
      }
      await this.failed(witness, now(), 'two 409s in a row');
    } catch (error) {
      await this.failed(witness, now(), (error as Error).message).catch(() => undefined);
    }
  }

  private async cosignedSize(witness: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `INSERT INTO audit_witnesses (witness) VALUES ($1)
       ON CONFLICT (witness) DO UPDATE SET witness = EXCLUDED.witness RETURNING cosigned_size`,
      [witness],
    );
    return Number(row.cosigned_size);
  }

  private async cosigned(witness: WitnessEndpoint, size: number, lines: string[], timestamp: number, at: Date): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `INSERT INTO audit_cosignatures (size, witness, line, cosigned_at, received_at) VALUES ($1, $2, $3, to_timestamp($4), $5)
         ON CONFLICT (size, witness) DO NOTHING`,
        [size, witness.name, lines.join('\n'), timestamp, at],
      );
      await em.query(
        `UPDATE audit_witnesses SET cosigned_size = GREATEST(cosigned_size, $2), last_attempt_at = $3, last_success_at = $3,
           failures = 0, last_error = NULL WHERE witness = $1`,
        [witness.name, size, at],
      );
    });
    this.backoff.delete(witness.name);
  }

  private async failed(witness: WitnessEndpoint, at: Date, reason: string): Promise<void> {
    const previous = this.backoff.get(witness.name)?.delayMs ?? BACKOFF_FIRST_MS / 2;
    const delayMs = Math.min(previous * 2, BACKOFF_MAX_MS);
    this.backoff.set(witness.name, { until: Date.now() + delayMs, delayMs });
    this.logger.warn(`witness ${witness.name} did not cosign, retrying in ${delayMs} ms: ${reason}`);
    await this.dataSource.query(
      `UPDATE audit_witnesses SET last_attempt_at = $2, failures = failures + 1, last_error = $3 WHERE witness = $1`,
      [witness.name, at, reason.slice(0, 500)],
    );
  }

  /**
   * The witness refuses this checkpoint as inconsistent with one it cosigned: either this log
   * showed it another history (a split view), or this log's own record went back. Either way an
   * operator must look: it is logged as an error and counted (ostracon_audit_witness_refusals).
   */
  private async refused(witness: WitnessEndpoint, at: Date, reason: string): Promise<void> {
    this.logger.error(`witness ${witness.name} REFUSED the checkpoint as inconsistent with what it cosigned (split view?): ${reason}`);
    this.backoff.set(witness.name, { until: Date.now() + BACKOFF_MAX_MS, delayMs: BACKOFF_MAX_MS });
    await this.dataSource.query(
      `UPDATE audit_witnesses SET last_attempt_at = $2, failures = failures + 1, refusals = refusals + 1, last_error = $3 WHERE witness = $1`,
      [witness.name, at, `refused: ${reason}`.slice(0, 500)],
    );
  }

  /** The newest checkpoint's signed note (without cosignatures). */
  async latestNote(): Promise<{ size: number; note: string } | null> {
    const [row] = await this.dataSource.query(`SELECT size, note FROM audit_checkpoint_notes ORDER BY size DESC LIMIT 1`);
    return row ? { size: Number(row.size), note: row.note as string } : null;
  }

  /** A checkpoint's note with every cosignature held, of one size or the newest; null if there is none. */
  async noteCheckpoint(size?: number): Promise<NoteCheckpoint | null> {
    const [row]: { size: string; note: string; signed_at: Date; lines: string[] | null; names: string[] | null }[] =
      await this.dataSource.query(
        `SELECT n.size, n.note, c.signed_at,
              (SELECT array_agg(s.line ORDER BY s.witness) FROM audit_cosignatures s WHERE s.size = n.size) AS lines,
              (SELECT array_agg(s.witness ORDER BY s.witness) FROM audit_cosignatures s WHERE s.size = n.size) AS names
       FROM audit_checkpoint_notes n JOIN audit_checkpoints c USING (size)
       WHERE ($1::bigint IS NULL OR n.size = $1) ORDER BY n.size DESC LIMIT 1`,
        [size ?? null],
      );
    if (!row) return null;
    const lines = (row.lines ?? []).map((l) => `${l}\n`).join('');
    const known = new Set(this.witnesses.map((w) => w.name));
    return {
      size: Number(row.size),
      signedAt: row.signed_at,
      note: row.note + lines,
      witnessedBy: (row.names ?? []).filter((n) => known.has(n)),
    };
  }

  /** Every checkpoint note with the cosignatures held, oldest first (for audit:verify). */
  async allNotes(): Promise<string[]> {
    const rows: { note: string; lines: string[] | null }[] = await this.dataSource.query(
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
      const [row] = await this.dataSource.query(
        `SELECT size FROM audit_cosignatures
         WHERE witness = ANY($1::text[])
           AND ($3::int IS NULL OR size >= (SELECT min(size) FROM (SELECT size FROM audit_cosignatures ORDER BY size DESC LIMIT $3) AS recent))
         GROUP BY size HAVING count(*) >= $2 ORDER BY size DESC LIMIT 1`,
        [this.witnesses.map((w) => w.name), this.quorum, window],
      );
      if (row) return this.noteCheckpoint(Number(row.size));
    }
    return null;
  }

  /** When the first checkpoint was signed (the age of "never witnessed"). */
  async firstCheckpointAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query(`SELECT min(signed_at) AS at FROM audit_checkpoints`);
    return row?.at ?? null;
  }

  /** What the log knows of each configured witness. */
  async status(): Promise<WitnessStatus[]> {
    const rows: {
      witness: string;
      cosigned_size: string;
      last_success_at: Date | null;
      last_attempt_at: Date | null;
      failures: number;
      refusals: string;
      last_error: string | null;
    }[] = await this.dataSource.query(`SELECT * FROM audit_witnesses WHERE witness = ANY($1::text[])`, [this.witnesses.map((w) => w.name)]);
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
