export { AUDIT_EVENT_TYPES, type AuditEventType, type AuditEventInput, type Actor, type RecordedAuditEvent } from './audit-event';
export { AuditService } from './audit.service';
export { AuditModule } from './audit.module';
export {
  EMPTY_ROOT,
  MemoryTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  subtreesNeeded,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type SubtreeSource,
} from './merkle';
