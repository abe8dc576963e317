import { signalInputSchema } from '@ostracon/identity';
import { platformIdSchema, text } from '@ostracon/common';
import { z } from 'zod';
import { COURT_REFERENCE, LEGAL_BASES } from './order-terms';

export { LEGAL_BASES, type LegalBasis } from './order-terms';
export const ORDER_STATUSES = ['scheduled', 'active', 'expired', 'revoked'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PLATFORM_STATUSES = ['pending', 'delivered', 'enforced', 'failed', 'lifting', 'lifted'] as const;

// Bounds on every list and string, so that no order is unbounded work or storage.
export const LIMITS = { signals: 50, platforms: 20, accountsPerPlatform: 100 } as const;

const isoDate = z.iso.date({ message: 'expected a calendar date YYYY-MM-DD' });
const isoInstant = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with a time zone' });

const accountSchema = z.strictObject({
  accountId: text().trim().min(1).max(200),
  handle: text().trim().min(1).max(100).optional(),
});

const platformEntrySchema = z.strictObject({
  platform: platformIdSchema,
  accounts: z
    .array(accountSchema)
    .min(1, 'at least one account per platform: the ban suspends the accounts used for the offence')
    .max(LIMITS.accountsPerPlatform)
    .refine((accounts) => new Set(accounts.map((a) => a.accountId)).size === accounts.length, 'accountIds must be unique'),
});

/**
 * A ban's length as the judgment states it (Code pénal 131-35-1 speaks in months): calendar months,
 * then days, counted on the Paris calendar from `startsAt` (libs/orders/src/order-terms.ts).
 */
const durationSchema = z
  .strictObject({
    months: z.number().int().min(0).max(12).optional(),
    days: z.number().int().min(0).max(366).optional(),
  })
  .refine((d) => (d.months ?? 0) + (d.days ?? 0) > 0, { message: 'at least one month or one day' })
  .meta({ description: 'calendar months then days, on the Paris calendar from startsAt: { "months": 6 }' });

export const createOrderSchema = z
  .strictObject({
    courtReference: z.string().min(1).max(100).regex(COURT_REFERENCE, 'letters, digits, spaces and . _ / - only'),
    court: text().trim().min(1).max(200),
    decisionDate: isoDate,
    legalBasis: z.enum(LEGAL_BASES),
    offence: text().min(1).max(64),
    repeatOffender: z.boolean(),
    startsAt: isoInstant.optional(),
    duration: durationSchema.optional(),
    durationDays: z.number().int().min(1).max(366).meta({ description: 'calendar days (Paris); `duration` says months too' }).optional(),
    endsAt: isoInstant.optional(),
    subject: z.strictObject({
      signals: z.array(signalInputSchema).min(1).max(LIMITS.signals),
    }),
    platforms: z
      .array(platformEntrySchema)
      .min(1)
      .max(LIMITS.platforms)
      .refine((entries) => new Set(entries.map((e) => e.platform)).size === entries.length, 'each platform once'),
  })
  .refine((o) => [o.duration, o.durationDays, o.endsAt].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of duration, durationDays and endsAt',
    path: ['duration'],
  });
export type CreateOrderInput = z.output<typeof createOrderSchema>;

export const revokeOrderSchema = z.strictObject({
  reason: text().trim().min(1).max(1000),
  decisionReference: text().trim().min(1).max(100),
});
export type RevokeOrderInput = z.output<typeof revokeOrderSchema>;

export const listOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  platform: platformIdSchema.optional(),
  courtReference: text().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: text().min(1).max(200).optional(),
});
export type ListOrdersQuery = z.output<typeof listOrdersQuerySchema>;

/** The order as the API shows it: no raw signal, no account id, only counts. */
export const orderViewSchema = z.object({
  id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  courtReference: z.string(),
  court: z.string(),
  decisionDate: isoDate,
  legalBasis: z.enum(LEGAL_BASES),
  offence: z.string(),
  repeatOffender: z.boolean(),
  startsAt: isoInstant,
  endsAt: isoInstant,
  signalCount: z.number().int(),
  platforms: z.array(
    z.object({
      platform: z.string(),
      status: z.enum(PLATFORM_STATUSES),
      accountCount: z.number().int(),
      deliveredAt: isoInstant.nullable(),
      enforcedAt: isoInstant.nullable(),
      slaDeadline: isoInstant.nullable(),
      liftedAt: isoInstant.nullable(),
      outcome: z.string().nullable(),
      slaMet: z
        .boolean()
        .nullable()
        .meta({ description: 'null while the platform still has time; false once the deadline passed without its answer' }),
    }),
  ),
  createdAt: isoInstant,
  revokedAt: isoInstant.nullable(),
  revocation: z.object({ reason: z.string(), decisionReference: z.string() }).nullable(),
});
export type OrderView = z.infer<typeof orderViewSchema>;

export const orderPageSchema = z.object({ items: z.array(orderViewSchema), nextCursor: z.string().nullable() });

/** An offence an order may cite (docs/legal.md), as libs/orders/src/data/offences.json lists it. */
export const offenceSchema = z.object({
  code: z.string(),
  label: z.string().meta({ description: 'in French, as the Code pénal (or the law) heads the offence' }),
  labelEn: z.string().meta({ description: 'an English rendering, for platforms' }),
  articles: z.array(z.string()).meta({ description: 'the articles that define and punish it: "Code pénal, art. 222-33-2-2"' }),
});
export type Offence = z.infer<typeof offenceSchema>;
export const offenceListSchema = z.object({ items: z.array(offenceSchema) });
export type OffenceList = z.infer<typeof offenceListSchema>;
