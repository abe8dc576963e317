import { pageQuerySchema, platformIdSchema, text } from '@ostracon/common';
import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from './audit-event';

const instant = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 date-time with a time zone' })
  // ISO 8601 has a year 0000; PostgreSQL's calendar goes from 1 BC to AD 1 and refuses it.
  .refine((value) => !value.startsWith('0000-'), 'there is no year 0000');

/** Filters of the event list and the export. */
const auditFilters = {
  orderId: z.uuid().optional(),
  courtReference: text().trim().min(1).max(100).optional().meta({
    description:
      'events of the orders with this court reference (case-insensitive, exact) that the caller may see; another organisation’s reference gives an empty page',
  }),
  platform: platformIdSchema.optional().meta({ description: 'events about this platform' }),
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
  from: instant.optional().meta({ description: 'events at or after this instant' }),
  to: instant.optional().meta({ description: 'events before this instant' }),
};

/**
 * The event list: the filters, an order (oldest first by default, as before), and keyset paging
 * both ways: `after` a page's nextCursor, `before` its prevCursor, `last=true` the last page.
 */
export const auditEventsQuerySchema = z
  .strictObject({
    ...auditFilters,
    order: z.enum(['asc', 'desc']).default('asc').meta({ description: 'asc: oldest first (default); desc: newest first' }),
    ...pageQuerySchema,
    before: text().min(1).max(512).optional().meta({ description: 'the page before this cursor (a page’s prevCursor)' }),
    last: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .meta({ description: 'true: the last page in this order' }),
  })
  .refine((q) => [q.after !== undefined, q.before !== undefined, q.last].filter(Boolean).length <= 1, {
    message: 'after, before and last=true exclude one another',
    path: ['before'],
  });
export type AuditEventsQuery = z.output<typeof auditEventsQuerySchema>;

export const auditExportQuerySchema = z.strictObject(auditFilters);
export type AuditExportQuery = z.output<typeof auditExportQuerySchema>;

const seqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

export const inclusionQuerySchema = z.strictObject({
  seq: seqParam.meta({ description: 'the event' }),
  size: seqParam.optional().meta({
    description: 'the tree size (a checkpoint’s); default: the latest checkpoint, or with bundle=true the newest witnessed one',
  }),
  bundle: flag.meta({
    description: 'true: add the checkpoint of that size as a signed note with its cosignatures, and the event, to check offline',
  }),
});
export const checkpointNoteQuerySchema = z.strictObject({
  witnessed: flag.meta({ description: 'true: the newest checkpoint a quorum of witnesses cosigned; default: the newest' }),
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
export const auditEventPageSchema = z.object({
  items: z.array(auditEventViewSchema),
  nextCursor: z.string().nullable().meta({ description: 'the next page: pass it as `after`' }),
  prevCursor: z.string().nullable().meta({ description: 'the previous page: pass it as `before` (null on the first page)' }),
});
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
  checkpoint: z
    .string()
    .optional()
    .meta({ description: 'with bundle=true: the checkpoint of `size` as a C2SP signed note, log signature and cosignatures' }),
  event: auditEventViewSchema.optional().meta({ description: 'with bundle=true: the event, whose leaf is `leafHash`' }),
});
export const consistencyProofSchema = z.object({ from: z.number(), to: z.number(), fromRoot: hex, toRoot: hex, proof: z.array(hex) });
export const publicKeysSchema = z.object({
  keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string() })),
  origin: z.string().meta({ description: 'the origin line of the log’s C2SP checkpoints' }),
  noteVerifierKey: z.string().meta({ description: 'the C2SP verifier key of the checkpoint notes: <origin>+<hex key id>+<base64 key>' }),
  witnesses: z.array(z.object({ name: z.string(), verifierKey: z.string().meta({ description: 'cosignature/v1 (0x04)' }) })),
  witnessQuorum: z.number().int().meta({ description: 'how many witnesses must cosign a checkpoint for it to count as witnessed' }),
});
export const witnessStatusSchema = z.object({
  quorum: z.number().int(),
  latest: z.object({ size: z.number(), signedAt: z.string(), witnessedBy: z.array(z.string()) }).nullable(),
  newestWitnessed: z.object({ size: z.number(), signedAt: z.string(), witnessedBy: z.array(z.string()) }).nullable(),
  witnesses: z.array(
    z.object({
      name: z.string(),
      url: z.string(),
      cosignedSize: z.number(),
      lastSuccessAt: z.string().nullable(),
      lastAttemptAt: z.string().nullable(),
      failures: z.number(),
      refusals: z.number(),
      lastError: z.string().nullable(),
    }),
  ),
});
