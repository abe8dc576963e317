import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditTreeService } from './audit-tree.service';
import { AuditLogService } from './audit-log.service';

@Global()
@Module({ providers: [AuditService, AuditTreeService, AuditLogService], exports: [AuditService, AuditTreeService, AuditLogService] })
export class AuditModule {}
