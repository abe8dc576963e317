import { platformIdSchema, text } from '@ostracon/common';
import { z } from 'zod';
import { SIGNAL_TYPES } from '@ostracon/platform-sdk/signals';

/**
 * A signal's shape, as an order or a sign-up check gives it. Its content (formats, validity) is
 * checked by `prepareSignal`, which reports the index and a reason, so that one bad signal is
 * named rather than refusing the request's shape.
 */
export const signalInputSchema = z.strictObject({
  type: z.enum(SIGNAL_TYPES),
  value: z
    .union([
      text().max(320),
      z.strictObject({
        givenName: text().max(200),
        familyName: text().max(200),
        birthDate: text().max(10),
      }),
    ])
    .optional(),
  hash: text().max(64).optional(),
  country: text().max(2).optional(),
  platform: platformIdSchema.optional(),
});
