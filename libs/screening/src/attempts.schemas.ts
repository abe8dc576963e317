import { pageQuerySchema } from '@ostracon/common';
import { z } from 'zod';
import { MATCH_OUTCOMES } from './signup-checks.schemas';

/** GET /v1/attempts: newest first, keyset paging as the audit log's (`after` is the last page's `nextCursor`). */
export const attemptsQuerySchema = z.strictObject({
  ...pageQuerySchema,
  order: z.uuid().optional().meta({ description: 'Only the attempts on this order' }),
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .meta({ description: 'Only the unread (true) or read (false) ones' }),
});
export type AttemptsQuery = z.output<typeof attemptsQuerySchema>;

/** One attempt as the inbox lists it: what the authority learns, never an account id (opened: GET /v1/signup-matches/{matchId}). */
export const attemptViewSchema = z.object({
  matchId: z.string(),
  orderId: z.string(),
  platform: z.string(),
  platformName: z.string(),
  decision: z.enum(['block', 'review']),
  signalTypes: z.array(z.string()),
  matchedAt: z.string(),
  outcome: z.enum(MATCH_OUTCOMES).nullable(),
  reviewedAt: z.string().nullable(),
  read: z.boolean().meta({ description: 'Whether the order’s organisation has opened it' }),
});
export type AttemptView = z.output<typeof attemptViewSchema>;

export const attemptPageSchema = z.object({ items: z.array(attemptViewSchema), nextCursor: z.string().nullable() });
export type AttemptPage = z.output<typeof attemptPageSchema>;

/** GET /v1/attempts/unread: the caller's organisation's unread attempts, in all and per order (the orders list's badges). */
export const unreadAttemptsSchema = z.object({
  total: z.number().int(),
  orders: z.array(z.object({ orderId: z.string(), unread: z.number().int() })),
});
export type UnreadAttempts = z.output<typeof unreadAttemptsSchema>;
