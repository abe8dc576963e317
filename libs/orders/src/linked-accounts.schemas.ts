import { signalInputSchema } from '@ostracon/identity';
import { text } from '@ostracon/common';
import { z } from 'zod';

/** Bounds on a report: bounded work and storage. */
export const LINKED_LIMITS = { signals: 20 } as const;

/**
 * A signal of a linked account: the sign-up check's shape, prehashed only (`hash`, docs/signals.md):
 * a platform never sends the person's raw values here, and the service would not keep them.
 */
const linkedSignalSchema = signalInputSchema.pick({ type: true, hash: true }).required({ hash: true });

export const reportLinkedAccountSchema = z.strictObject({
  accountId: text()
    .trim()
    .min(1)
    .max(200)
    .meta({ description: 'The account on the reporting platform; sealed at rest, delivered in its suspend' }),
  signals: z.array(linkedSignalSchema).max(LINKED_LIMITS.signals).optional(),
});
export type ReportLinkedAccountInput = z.output<typeof reportLinkedAccountSchema>;

export const linkedAccountDecisionSchema = z.strictObject({ decision: z.enum(['accept', 'reject']) });
export type LinkedAccountDecisionInput = z.output<typeof linkedAccountDecisionSchema>;

export const LINKED_ACCOUNT_STATUSES = ['reported', 'accepted', 'rejected'] as const;

export const linkedAccountViewSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  platform: z.string(),
  accountId: z
    .string()
    .nullable()
    .meta({ description: 'The account (its authority and the platform that reported it see it); null once rejected or purged' }),
  signalTypes: z.array(z.string()),
  signalCount: z.number().int(),
  status: z.enum(LINKED_ACCOUNT_STATUSES),
  reportedAt: z.string(),
  decidedAt: z.string().nullable(),
  directives: z
    .array(z.object({ id: z.string(), type: z.enum(['suspend', 'lift']), status: z.string(), outcome: z.string().nullable() }))
    .meta({ description: 'The accepted account’s suspend and lift, as far as they got' }),
});
export type LinkedAccountView = z.output<typeof linkedAccountViewSchema>;
export const linkedAccountListSchema = z.object({ items: z.array(linkedAccountViewSchema) });
export type LinkedAccountList = z.output<typeof linkedAccountListSchema>;
