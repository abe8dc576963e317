import { z } from 'zod';

export const platformIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a platform id is 1 to 40 of a-z, 0-9 and -, starting with a letter or digit');

export const createPlatformSchema = z
  .strictObject({
    id: platformIdSchema,
    name: z.string().trim().min(1).max(200),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    webhookSecret: z.string().min(24, 'a webhook secret needs at least 24 characters').max(256).optional(),
    slaHours: z.number().int().min(1).max(8760).default(48),
  })
  .refine((p) => (p.webhookUrl === undefined) === (p.webhookSecret === undefined), {
    message: 'webhookUrl and webhookSecret go together',
    path: ['webhookSecret'],
  });
export type CreatePlatformInput = z.input<typeof createPlatformSchema>;
