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

export const signupMatchViewSchema = z.object({
  matchId: z.string(),
  orderId: z.string(),
  platform: z.string(),
  decision: z.enum(['block', 'review']),
  signalTypes: z.array(z.string()),
  matchedAt: z.string(),
});
export type SignupMatchView = z.output<typeof signupMatchViewSchema>;
