import { text } from '@ostracon/common';
import { INVALID_REASONS, signalInputSchema } from '@ostracon/identity';
import { z } from 'zod';

/** Bounds on one request: every check is bounded work. */
export const SIGNUP_LIMITS = { signalsPerCheck: 20, checksPerBatch: 1000 } as const;

/**
 * A sign-up signal: an order's signal shape without `platform` (a device belongs to the caller).
 * Built once at load; its content (formats, validity) is checked per signal and reported in
 * `ignored`, so that one bad signal never hides the others.
 */
export const signupSignalSchema = signalInputSchema.omit({ platform: true });

const signals = z.array(signupSignalSchema).min(1).max(SIGNUP_LIMITS.signalsPerCheck);

export const signupCheckSchema = z.strictObject({ signals });
export type SignupCheckInput = z.output<typeof signupCheckSchema>;

export const signupBatchSchema = z.strictObject({
  checks: z
    .array(
      z.strictObject({
        ref: text().min(1).max(100).meta({ description: 'The platform’s own reference for this check, echoed in its result' }),
        signals,
      }),
    )
    .min(1)
    .max(SIGNUP_LIMITS.checksPerBatch),
});
export type SignupBatchInput = z.output<typeof signupBatchSchema>;

export const signupResultSchema = z.object({
  decision: z.enum(['block', 'review', 'allow']),
  matchId: z
    .string()
    .optional()
    .meta({ description: 'On a match: opaque; the order’s authority and auditors resolve it with GET /v1/signup-matches/{matchId}' }),
  banEndsAt: z.string().optional().meta({ description: 'On a match: when the deciding order ends' }),
  ignored: z
    .array(z.object({ index: z.number().int(), reason: z.enum(INVALID_REASONS) }))
    .optional()
    .meta({ description: 'Signals that were not usable (by index, with a stable reason); the others were checked' }),
});
export const signupBatchResultSchema = z.object({ results: z.array(signupResultSchema.extend({ ref: z.string() })) });

export const MATCH_OUTCOMES = ['confirmed', 'not_same_person', 'unknown'] as const;
export type MatchOutcome = (typeof MATCH_OUTCOMES)[number];

export const signupMatchViewSchema = z.object({
  matchId: z.string(),
  orderId: z.string(),
  platform: z.string(),
  decision: z.enum(['block', 'review']),
  signalTypes: z.array(z.string()),
  matchedAt: z.string(),
  outcome: z
    .enum(MATCH_OUTCOMES)
    .nullable()
    .meta({ description: 'The platform’s answer after its review (POST …/review); null while it has not answered' }),
  reviewedAt: z.string().nullable(),
  accountId: z
    .string()
    .optional()
    .meta({ description: 'The account the platform confirmed as the banned person’s: only on a `confirmed` outcome that named one' }),
});
export type SignupMatchView = z.output<typeof signupMatchViewSchema>;

/**
 * POST /v1/signup-matches/{matchId}/review: the platform's answer after its own review of the
 * account. `unknown` may be followed by a final answer; `confirmed` and `not_same_person` are final.
 */
export const matchReviewSchema = z
  .strictObject({
    outcome: z.enum(MATCH_OUTCOMES),
    accountId: text()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'With `confirmed` only: the account on the platform; sealed at rest, shown only to the order’s authority' }),
  })
  .refine((b) => b.accountId === undefined || b.outcome === 'confirmed', {
    message: 'accountId is given with a confirmed outcome only',
    path: ['accountId'],
  });
export type MatchReviewInput = z.output<typeof matchReviewSchema>;

/** What the platform gets back: its answer as recorded (never the account id). */
export const matchReviewResultSchema = z.object({
  matchId: z.string(),
  decision: z.enum(['block', 'review']),
  outcome: z.enum(MATCH_OUTCOMES),
  reviewedAt: z.string(),
});
export type MatchReviewResult = z.output<typeof matchReviewResultSchema>;
