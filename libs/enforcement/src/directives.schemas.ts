import { text } from '@ostracon/common';
import { z } from 'zod';

export const listDirectivesQuerySchema = z.strictObject({
  status: z.enum(['pending', 'acknowledged']).default('pending'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: text().min(1).max(200).optional(),
});
export type ListDirectivesQuery = z.output<typeof listDirectivesQuerySchema>;

export const ackDirectiveSchema = z.strictObject({
  outcome: z.enum(['enforced', 'account_not_found', 'rejected']),
  note: text().trim().min(1).max(500).optional(),
});
export type AckDirectiveInput = z.output<typeof ackDirectiveSchema>;

const instant = z.iso.datetime({ offset: true });

export const directivePayloadSchema = z.object({
  id: z.uuid(),
  type: z.enum(['suspend', 'lift']),
  orderId: z.uuid(),
  accounts: z.array(z.object({ accountId: z.string(), handle: z.string().optional() })),
  effectiveFrom: instant,
  effectiveUntil: instant,
  slaDeadline: instant,
});

export const directivePageSchema = z.object({ items: z.array(directivePayloadSchema), nextCursor: z.string().nullable() });

export const ackResultSchema = z.object({
  id: z.uuid(),
  type: z.enum(['suspend', 'lift']),
  status: z.literal('acknowledged'),
  outcome: z.enum(['enforced', 'account_not_found', 'rejected']),
  acknowledgedAt: instant,
  slaDeadline: instant,
  slaMet: z.boolean(),
});
export type AckResult = z.infer<typeof ackResultSchema>;
