export { AUDIT_EVENT_TYPES, type AuditEventType, type AuditEventInput } from './audit-event';
export { AuditService } from './audit.service';
export { AuditModule } from './audit.module';
export { AuditTreeService } from './audit-tree.service';
export { checkpointMessage, ed25519Key, verifyCheckpoint, type Checkpoint } from './checkpoint';
export { eventLeafHash, type AuditEventView } from './audit-leaf';
// The formats (Merkle trees, signed notes, cosignatures, checks) are the SDK's: the service, the
// witness and auditors run one code (libs/platform-sdk/src/transparency).
export * from '@ostracon/platform-sdk/transparency';
export { AuditLogService, type AuditReader, type AuditScope, type AuditEventOut } from './audit-log.service';
export { AuditErrors } from './audit.errors';
export { WitnessingService, type NoteCheckpoint, type WitnessStatus } from './witnessing.service';
export { addCheckpoint, addCheckpointBody, type AddCheckpointOutcome, type WitnessEndpoint } from './witness-client';
export {
  auditEventsQuerySchema,
  auditExportQuerySchema,
  inclusionQuerySchema,
  checkpointNoteQuerySchema,
  witnessStatusSchema,
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
export { verifyExport, verifyExportAgainstNote, type VerifyReport } from './audit-verifier';
export { verifyDatabase } from './verify-database';
