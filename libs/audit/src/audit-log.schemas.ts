import { pageQuerySchema, platformIdSchema } from '@ostracon/common';
import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from './audit-event';

const instant = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 date-time with a time zone' })
  // ISO 8601 has a year 0000; PostgreSQL's calendar goes from 1 BC to AD 1 and refuses it.
  .refine((value) => !value.startsWith('0000-'), 'there is no year 0000');

/** Filters of the event list and the export (the export ignores `after` and `limit`). */
export const auditEventsQuerySchema = z.strictObject({
  orderId: z.uuid().optional(),
  platform: platformIdSchema.optional().meta({ description: 'events about this platform' }),
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
  from: instant.optional().meta({ description: 'events at or after this instant' }),
  to: instant.optional().meta({ description: 'events before this instant' }),
  ...pageQuerySchema,
});
export type AuditEventsQuery = z.output<typeof auditEventsQuerySchema>;

export const auditExportQuerySchema = auditEventsQuerySchema.omit({ after: true, limit: true });
export type AuditExportQuery = z.output<typeof auditExportQuerySchema>;

const seqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const inclusionQuerySchema = z.strictObject({
  seq: seqParam.meta({ description: 'the event' }),
  size: seqParam.optional().meta({ description: 'the tree size (a checkpoint’s); default: the latest checkpoint' }),
});
export const consistencyQuerySchema = z.strictObject({ from: seqParam, to: seqParam.optional() });

const hex = z.string().regex(/^[0-9a-f]{64}$/);

export const auditEventViewSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  type: z.string(),
  actor: z.string(),
  orderId: z.string().optional(),
  platform: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
  leafHash: hex.meta({ description: 'SHA-256(0x00 ‖ RFC 8785 JSON of the event without leafHash)' }),
});
export const auditEventPageSchema = z.object({ items: z.array(auditEventViewSchema), nextCursor: z.string().nullable() });
export const checkpointSchema = z.object({
  size: z.number().int(),
  rootHash: hex,
  timestamp: z.string(),
  keyId: z.string(),
  signature: z.string().meta({ description: 'base64 Ed25519 signature of the RFC 8785 JSON of { size, rootHash, timestamp }' }),
});
export const inclusionProofSchema = z.object({
  seq: z.number(),
  leafIndex: z.number(),
  size: z.number(),
  leafHash: hex,
  rootHash: hex,
  proof: z.array(hex),
});
export const consistencyProofSchema = z.object({ from: z.number(), to: z.number(), fromRoot: hex, toRoot: hex, proof: z.array(hex) });
export const publicKeysSchema = z.object({
  keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string() })),
});
