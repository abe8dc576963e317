import { z } from 'zod';

/**
 * A platform's id: a slug (`tiktok`, `instagram`), shared by every lib that names a platform
 * (orders, API clients, device signals, whose normalized form embeds it). The database repeats
 * the pattern as `ck_platforms_id`.
 */
export const platformIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a platform id is 1 to 40 of a-z, 0-9 and -, starting with a letter or digit');
