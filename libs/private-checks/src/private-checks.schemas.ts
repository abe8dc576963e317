import { text } from '@ostracon/common';
import { z } from 'zod';

/** docs/private-checks.md § HTTP contract. */
export const PRIVATE_LIMITS = { elementsPerRequest: 1000, setPageMax: 10_000, setPageDefault: 1000, waitMaxSeconds: 30 } as const;

const keyId = text().min(1).max(32);
const element = z.string().regex(/^[0-9a-f]{64}$/, 'an element is 64 lowercase hex characters');

export const evaluationRequestSchema = z.strictObject({
  keyId,
  blindedElements: z.array(element).min(1).max(PRIVATE_LIMITS.elementsPerRequest),
});
export type EvaluationRequest = z.output<typeof evaluationRequestSchema>;

export const matchReportSchema = z.strictObject({
  keyId,
  elements: z.array(element).min(1).max(PRIVATE_LIMITS.elementsPerRequest),
});
export type MatchReport = z.output<typeof matchReportSchema>;

export const setQuerySchema = z.strictObject({
  cursor: text().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(PRIVATE_LIMITS.setPageMax).default(PRIVATE_LIMITS.setPageDefault),
  /** Long poll: when nothing changed since the cursor, wait up to this many seconds for a change. */
  wait: z.coerce.number().int().min(0).max(PRIVATE_LIMITS.waitMaxSeconds).default(0),
});
export type SetQuery = z.output<typeof setQuerySchema>;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

export const keysViewSchema = z.object({
  keys: z.array(z.object({ keyId: z.string(), suite: z.literal('ristretto255-SHA512'), mode: z.literal('voprf'), publicKey: hex(32) })),
});
export type KeysView = z.infer<typeof keysViewSchema>;

export const evaluationViewSchema = z.object({ keyId: z.string(), evaluatedElements: z.array(hex(32)), proof: hex(64) });
export type EvaluationView = z.infer<typeof evaluationViewSchema>;

export const setPageViewSchema = z.object({
  keyId: z.string(),
  entries: z.array(z.object({ op: z.enum(['add', 'remove']), tag: hex(16), strength: z.enum(['strong', 'possible']) })),
  cursor: z.string(),
  more: z.boolean(),
});
export type SetPageView = z.infer<typeof setPageViewSchema>;

export const matchViewSchema = z.object({
  decision: z.enum(['block', 'review', 'allow']),
  matchId: z.uuid().optional(),
  banEndsAt: z.iso.datetime().optional(),
});
export type MatchView = z.infer<typeof matchViewSchema>;
