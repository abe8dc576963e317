import { platformIdSchema, text } from '@ostracon/common';
import { z } from 'zod';
import { DELIVERY_MODES } from './delivery-mode';

// Standard Webhooks secrets: "whsec_" + base64 of 24 to 64 random bytes.
const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'a webhook secret is "whsec_" followed by base64 of 24 to 64 bytes');

export const createPlatformSchema = z
  .strictObject({
    id: platformIdSchema,
    name: text().trim().min(1).max(200),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    webhookSecret: webhookSecretSchema.optional(),
    slaHours: z.number().int().min(1).max(8760).default(48),
  })
  .refine((p) => p.webhookSecret === undefined || p.webhookUrl !== undefined, {
    message: 'a webhookSecret needs a webhookUrl',
    path: ['webhookSecret'],
  });
export type CreatePlatformInput = z.input<typeof createPlatformSchema>;

/** A rotation: a new secret (generated when absent, and then shown once), and how long the old one still signs. */
export const rotateWebhookSecretSchema = z.strictObject({
  webhookSecret: webhookSecretSchema.optional(),
  overlapHours: z
    .number()
    .min(0)
    .max(24 * 30)
    .default(24),
  force: z.boolean().default(false).meta({
    description:
      'Rotate even though an earlier rotation is still in its overlap: the secret it replaced stops signing at once, and a platform still verifying with it refuses every delivery',
  }),
});
export type RotateWebhookSecretInput = z.input<typeof rotateWebhookSecretSchema>;

/** What an operator may change on a platform; a push platform stays push, a pull platform pull. */
export const updatePlatformSchema = z
  .strictObject({
    name: text().trim().min(1).max(200).optional(),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .meta({ description: 'a push platform only: a pull platform cannot become push, nor the reverse' }),
    slaHours: z.number().int().min(1).max(8760).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one of name, webhookUrl, slaHours', path: [] });
export type UpdatePlatformInput = z.input<typeof updatePlatformSchema>;

/** A platform as the admin API shows it. */
export const platformViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  deliveryMode: z.enum(DELIVERY_MODES),
  webhookUrl: z.string().nullable(),
  slaHours: z.number().int(),
  createdAt: z.string(),
  webhookSecret: z.string().optional().meta({ description: 'Only when the service generated it: shown this once' }),
});
export type PlatformView = z.infer<typeof platformViewSchema>;

/** A rotation done: the new secret (when the service generated it, shown once) and when the old one stops signing. */
export const webhookRotationSchema = z.object({
  platform: z.string(),
  webhookSecret: z.string().optional(),
  previousSecretSignsUntil: z.string(),
});
export type WebhookRotation = z.infer<typeof webhookRotationSchema>;

/** The platforms an order may name, by name: their ids and names only (their delivery settings are the admin's). */
export const platformListSchema = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) });
export type PlatformList = z.infer<typeof platformListSchema>;
