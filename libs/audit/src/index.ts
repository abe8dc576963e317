export { type AuditEventInput } from './audit-event';
export { AuditService } from './audit.service';
export { AuditModule } from './audit.module';
export { AuditTreeService } from './audit-tree.service';
export { tilesFor } from './audit-tiles';
export { ed25519Key, type Checkpoint } from './checkpoint';
export { AuditLogService, type AuditScope, type AuditEventOut } from './audit-log.service';
export { AuditErrors } from './audit.errors';
export { WitnessingService, type WitnessStatus } from './witnessing.service';
export {
  auditEventsQuerySchema,
  auditExportQuerySchema,
  inclusionQuerySchema,
  checkpointNoteQuerySchema,
  witnessStatusSchema,
  consistencyQuerySchema,
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
export { EvidenceService } from './evidence-bundle';
export { EvidenceErrors } from './evidence.errors';
export { evidenceQuerySchema, evidenceBundleSchema } from './evidence.schemas';
