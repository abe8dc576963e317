export { AUDIT_EVENT_TYPES, type AuditEventType, type AuditEventInput, type Actor } from './audit-event';
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
export { AuditTreeService, checkpointMessage, ed25519Key, verifyCheckpoint, type Checkpoint } from './audit-tree.service';
export { eventView, eventLeafHash, type AuditEventView, type AuditEventRow } from './audit-leaf';
export { appendLeaves, frontierOf } from './merkle';
export {
  checkpointText,
  noteKeyId,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  signNote,
  splitNote,
  verifierKey,
  type NoteVerifier,
} from './signed-note';
export { AuditLogService, type AuditReader, type AuditScope, type AuditEventOut } from './audit-log.service';
export { AuditErrors } from './audit.errors';
export {
  auditEventsQuerySchema,
  auditExportQuerySchema,
  inclusionQuerySchema,
  consistencyQuerySchema,
  auditEventViewSchema,
  auditEventPageSchema,
  checkpointSchema,
  inclusionProofSchema,
  consistencyProofSchema,
  publicKeysSchema,
  type AuditEventsQuery,
  type AuditExportQuery,
} from './audit-log.schemas';
export { verifyDatabase, verifyExport, type VerifyReport } from './audit-verifier';
