import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';

import {
  CLOCK,
  type Clock,
  DomainError,
  KeyRingCipher,
  type Page,
  decodeCursor,
  encodeCursor,
  type AuthenticatedClient,
  actorOf,
} from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { DirectivePayload } from './adapters/platform-adapter';
import { DeliveryRecorder } from './delivery-recorder';
import { directivePayload } from './directive-payload';
import type { AckDirectiveInput, AckResult, ListDirectivesQuery } from './directives.schemas';
import { EnforcementErrors } from './enforcement.errors';
import { EnforcementReads } from './enforcement.reads';
import { EnforcementStore } from './enforcement.store';
import type { DirectiveStatus } from './enforcement.types';
import { slaDeadline, slaMet } from './sla';

const cursorSchema = z.tuple([z.uuid()]);
const FIRST = '00000000-0000-0000-0000-000000000000';

/** The platform side: pull its own directives, acknowledge them. */
@Injectable()
export class DirectivesService {
  private readonly cipher: KeyRingCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EnforcementStore,
    private readonly directives: EnforcementReads,
    private readonly recorder: DeliveryRecorder,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cipher = new KeyRingCipher(config.accounts.encryptionKeys);
  }

  /**
   * GET /v1/directives: `pending` = relayed and not yet acknowledged, oldest first. Reading a
   * directive is its delivery in pull mode: the SLA clock starts at the first read.
   */
  async list(client: AuthenticatedClient, query: ListDirectivesQuery): Promise<Page<DirectivePayload>> {
    const platformId = client.platformId!;
    const statuses: DirectiveStatus[] = query.status === 'pending' ? ['queued', 'delivered'] : ['acknowledged'];
    const after = query.after ? decodeCursor(query.after, cursorSchema)[0] : FIRST;
    const select = () => this.directives.forPlatform(platformId, statuses, after, query.limit + 1);
    let rows = await select();
    const now = this.clock.now();
    const fresh = rows.filter((r) => r.status === 'queued');
    if (fresh.length > 0) {
      await Promise.all(fresh.map((r) => this.recorder.recordDelivered(r.id, now, 'pull')));
      rows = await select();
    }
    const items = rows.slice(0, query.limit);
    return {
      items: items.map((r) => directivePayload(r, this.cipher, now)),
      nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null,
    };
  }

  /** POST /v1/directives/{id}/ack, by the platform it was sent to. Repeating the same ack is harmless. */
  async ack(client: AuthenticatedClient, id: string, input: AckDirectiveInput): Promise<AckResult> {
    const notFound = () => new DomainError(EnforcementErrors.directiveNotFound, 'No directive with this id for this platform');
    if (!z.uuid().safeParse(id).success) throw notFound();
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const d = await this.store.lockForAck(em, id, client.platformId!);
      if (!d) throw notFound();
      const result = (acknowledgedAt: Date, deadline: Date): AckResult => ({
        id: d.id,
        type: d.type,
        status: 'acknowledged',
        outcome: input.outcome,
        acknowledgedAt: acknowledgedAt.toISOString(),
        slaDeadline: deadline.toISOString(),
        slaMet: slaMet(deadline, acknowledgedAt, acknowledgedAt)!,
      });
      if (d.status === 'acknowledged') {
        if (d.outcome === input.outcome) return result(d.acknowledgedAt!, d.slaDeadline!);
        throw new DomainError(EnforcementErrors.notAcknowledgeable, `Already acknowledged as ${d.outcome}`);
      }
      if (d.status !== 'queued' && d.status !== 'delivered') {
        throw new DomainError(EnforcementErrors.notAcknowledgeable, `The directive is ${d.status}`);
      }
      // An ack can beat our record of the 2xx: it proves delivery, so the SLA runs from now.
      const deadline = d.slaDeadline ?? slaDeadline(now, d.slaHours);
      await this.store.acknowledge(em, d, { outcome: input.outcome, note: input.note ?? null, at: now, slaDeadline: deadline });
      const answer = result(now, deadline);
      await this.audit.record(em, {
        type: 'directive.acknowledged',
        actor: actorOf(client),
        orderId: d.orderId,
        platformId: d.platformId,
        data: { directiveId: id, directiveType: d.type, outcome: input.outcome, slaMet: answer.slaMet },
      });
      return answer;
    });
  }
}
