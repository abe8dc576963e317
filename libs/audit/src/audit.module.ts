import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditTreeService } from './audit-tree.service';
import { AuditLogService } from './audit-log.service';
import { WitnessingService } from './witnessing.service';

@Global()
@Module({
  providers: [AuditService, AuditTreeService, AuditLogService, WitnessingService],
  exports: [AuditService, AuditTreeService, AuditLogService, WitnessingService],
})
export class AuditModule {}
