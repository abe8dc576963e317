import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, type Actor } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { queryRows } from '@ostracon/database';
import {
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceEvent,
  parseCheckpointText,
  parseVerifierKey,
  splitNote,
} from '@ostracon/platform-sdk/transparency';
import canonicalize from 'canonicalize';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { type AuditEventRow, eventLeafHash, eventView } from './audit-leaf';
import type { AuditScope } from './audit-log.service';
import { AuditService } from './audit.service';
import { AuditTreeService } from './audit-tree.service';
import { EvidenceErrors } from './evidence.errors';
import { renderEvidencePdf } from './evidence-pdf';
import { WitnessingService } from './witnessing.service';

export type EvidenceFormat = 'json' | 'pdf';

/** The file served: its bytes, media type and name. */
export interface EvidenceFile {
  body: Buffer;
  type: string;
  filename: string;
}

/**
 * The evidence file of a confirmed sign-up attempt, built from the log alone: the order's
 * `order.created`, the attempt's `signup.matched` and the platform's `signup_match.reviewed`
 * (outcome `confirmed`), each with its leaf bytes and an inclusion proof to the newest checkpoint
 * the witnesses' quorum cosigned. The SDK's verifyEvidence checks it offline. docs/auditing.md
 * § Evidence file, decision 0025.
 */
@Injectable()
export class EvidenceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tree: AuditTreeService,
    private readonly witnessing: WitnessingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The bundle, and the export recorded (`evidence.exported`) once it is built. `scope` is whose
   * orders the caller may see (libs/orders says it); an order outside it is answered as unknown.
   */
  async export(actor: Actor, scope: AuditScope, orderId: string, matchId: string, format: EvidenceFormat): Promise<EvidenceFile> {
    const bundle = await this.bundle(scope, orderId, matchId);
    // Canonical JSON (RFC 8785): the bytes the SDK's verifier checks, every one of them.
    const body = format === 'pdf' ? await renderEvidencePdf(bundle) : Buffer.from(canonicalize(bundle)!, 'utf8');
    await this.dataSource.transaction((em) =>
      this.audit.record(em, { type: 'evidence.exported', actor, orderId, data: { matchId, format } }),
    );
    return {
      body,
      type: format === 'pdf' ? 'application/pdf' : 'application/json; charset=utf-8',
      filename: `preuve-${orderId}-${matchId}.${format}`,
    };
  }

  async bundle(scope: AuditScope, orderId: string, matchId: string): Promise<EvidenceBundle> {
    const uuid = z.uuid();
    if (!uuid.safeParse(orderId).success || ('orderIds' in scope && !scope.orderIds.includes(orderId))) {
      throw new DomainError(EvidenceErrors.orderNotFound);
    }
    const [order] = await this.events(`type = 'order.created' AND order_id = $1 ORDER BY seq LIMIT 1`, [orderId]);
    if (!order) throw new DomainError(EvidenceErrors.orderNotFound);
    if (!uuid.safeParse(matchId).success) throw new DomainError(EvidenceErrors.matchNotFound);
    const [match] = await this.events(`type = 'signup.matched' AND order_id = $1 AND data->>'matchId' = $2 ORDER BY seq LIMIT 1`, [
      orderId,
      matchId,
    ]);
    if (!match) throw new DomainError(EvidenceErrors.matchNotFound);
    // The latest review is the platform's word on the attempt.
    const [review] = await this.events(
      `type = 'signup_match.reviewed' AND order_id = $1 AND data->>'matchId' = $2 ORDER BY seq DESC LIMIT 1`,
      [orderId, matchId],
    );
    const outcome = (review?.data as { outcome?: unknown } | undefined)?.outcome;
    if (!review || outcome !== 'confirmed') {
      throw new DomainError(
        EvidenceErrors.notConfirmed,
        review ? `The platform's review of this attempt says "${String(outcome)}"` : 'The platform has not reviewed this attempt',
      );
    }
    const seq = Number(review.seq);
    const checkpoint = await this.witnessing.newestWitnessed();
    if (!checkpoint || checkpoint.size < seq) {
      const retry = Math.ceil(this.config.audit.checkpointIntervalMs / 1000) + 1;
      throw new DomainError(
        EvidenceErrors.notYetWitnessed,
        `The confirmation is event ${seq}; the newest witnessed checkpoint ${checkpoint ? `holds ${checkpoint.size}` : 'does not exist yet'}. Try again in ${retry} s`,
        undefined,
        { 'retry-after': String(retry) },
      );
    }
    return {
      format: EVIDENCE_FORMAT,
      orderId,
      matchId,
      events: {
        order: await this.proven(order, checkpoint.size),
        match: await this.proven(match, checkpoint.size),
        confirmation: await this.proven(review, checkpoint.size),
      },
      checkpoint: this.checkpoint(checkpoint.size, checkpoint.note),
    };
  }

  private events(where: string, params: unknown[]): Promise<AuditEventRow[]> {
    return queryRows<AuditEventRow>(
      this.dataSource,
      `SELECT seq, at, type, actor, order_id, platform_id, data FROM audit_events WHERE ${where}`,
      params,
    );
  }

  private async proven(row: AuditEventRow, size: number): Promise<EvidenceEvent> {
    const view = eventView(row);
    const index = view.seq - 1;
    return {
      seq: view.seq,
      index,
      leaf: canonicalize(view)!,
      leafHash: eventLeafHash(view).toString('hex'),
      proof: (await this.tree.inclusion(index, size)).map((h) => h.toString('hex')),
    };
  }

  /**
   * The note with the log's signature and the cosignatures of the witnesses configured now (one
   * each), and the keys of both: a cosignature of a witness no longer configured is left out, as
   * the bundle could not name its key.
   */
  private checkpoint(size: number, note: string): EvidenceBundle['checkpoint'] {
    const { text, signatures } = splitNote(note);
    const lines = note.slice(text.length + 1, -1).split('\n');
    const logKeys = this.tree.noteVerifierKeys().map((vkey) => ({ vkey, v: parseVerifierKey(vkey) }));
    const witnesses = this.config.audit.witnesses.map((w) => ({ name: w.name, vkey: w.vkey, v: parseVerifierKey(w.vkey) }));
    const hex = (id: number) => id.toString(16).padStart(8, '0');
    let log: (typeof logKeys)[number] | undefined;
    const kept: string[] = [];
    const cosigned: typeof witnesses = [];
    signatures.forEach((s, i) => {
      const logKey = logKeys.find((k) => k.v.name === s.name && k.v.keyId === s.keyId);
      const witness = witnesses.find((w) => w.v.name === s.name && w.v.keyId === s.keyId);
      if (logKey && !log) log = logKey;
      else if (witness && !cosigned.includes(witness)) cosigned.push(witness);
      else return;
      kept.push(`${lines[i]}\n`);
    });
    // Every note the log stores is signed by one of its keys (audit-tree.service.ts).
    const signer = log ?? logKeys[0]!;
    return {
      origin: this.tree.origin,
      size,
      rootHash: parseCheckpointText(text).rootHash.toString('hex'),
      note: `${text}\n${kept.join('')}`,
      log: { keyId: hex(signer.v.keyId), verifierKey: signer.vkey },
      witnesses: cosigned.map((w) => ({ name: w.name, keyId: hex(w.v.keyId), verifierKey: w.vkey })),
    };
  }
}
