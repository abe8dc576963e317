import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { CLOCK, type Clock } from '@ostracon/common';
import type { DataSource } from 'typeorm';
import { EnforcementStore } from './enforcement.store';

const BATCH = 500;

/** A delivered directive not acknowledged by its deadline: raised once, audited (`directive.sla_breached`). */
@Injectable()
export class SlaBreaches {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EnforcementStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async raise(): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const rows = await this.store.markSlaBreaches(em, now, BATCH);
      await this.audit.recordMany(
        em,
        rows.map((r) => ({
          type: 'directive.sla_breached' as const,
          actor: 'system:lifecycle' as const,
          orderId: r.orderId,
          platformId: r.platformId,
          data: { directiveId: r.id, directiveType: r.type, slaDeadline: r.slaDeadline.toISOString() },
        })),
      );
      return rows.length;
    });
  }
}
