import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditTreeService } from './audit-tree.service';
import { AuditLogService } from './audit-log.service';
import { WitnessingService } from './witnessing.service';
import { EvidenceService } from './evidence-bundle';

@Global()
@Module({
  providers: [AuditService, AuditTreeService, AuditLogService, WitnessingService, EvidenceService],
  exports: [AuditService, AuditTreeService, AuditLogService, WitnessingService, EvidenceService],
})
export class AuditModule {}
