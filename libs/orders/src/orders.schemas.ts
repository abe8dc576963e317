import { signalInputSchema } from '@ostracon/identity';
import { platformIdSchema, text } from '@ostracon/common';
import { z } from 'zod';
import { COURT_REFERENCE, LEGAL_BASES } from './order-terms';

export { LEGAL_BASES, type LegalBasis } from './order-terms';
/** `suspended`: an appeal against the sentence is pending; `relieved`, `quashed`: ended early by a relèvement or on appeal (decision 0027). */
export const ORDER_STATUSES = ['scheduled', 'active', 'expired', 'revoked', 'suspended', 'relieved', 'quashed'] as const;
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
    duplicateReferenceConfirmed: z.boolean().optional().meta({
      description:
        'true: register the order although the organisation already has one with this court reference (compared whatever the case); otherwise that is ORDER.DUPLICATE_REFERENCE',
    }),
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

const decisionReference = text().trim().min(1).max(100);

/** POST /v1/orders/{id}/appeal: an appeal lodged against the sentence (art. 506 CPP: it suspends the order). */
export const appealOrderSchema = z.strictObject({
  lodgedOn: isoDate.meta({ description: 'the day the appeal was lodged (déclaration d’appel), Paris calendar' }),
  reference: decisionReference.meta({ description: 'the appeal’s reference (court of appeal docket or the registry’s act)' }),
});
export type AppealOrderInput = z.output<typeof appealOrderSchema>;

/** POST /v1/orders/{id}/appeal/outcome: the court of appeal confirmed the ban (perhaps with new dates) or quashed it. */
export const appealOutcomeSchema = z
  .strictObject({
    outcome: z.enum(['confirmed', 'quashed']),
    decidedOn: isoDate.meta({ description: 'the day of the court of appeal’s decision, Paris calendar' }),
    decisionReference,
    startsAt: isoInstant.optional().meta({ description: 'confirmed with new dates: the ban starts then (with endsAt)' }),
    endsAt: isoInstant.optional().meta({
      description: 'confirmed with new dates: the ban ends then; without dates, what was left of it runs from now',
    }),
  })
  .refine((o) => (o.startsAt === undefined) === (o.endsAt === undefined), {
    message: 'give both startsAt and endsAt, or neither',
    path: ['endsAt'],
  })
  .refine((o) => o.outcome === 'confirmed' || o.startsAt === undefined, {
    message: 'new dates only with outcome confirmed',
    path: ['startsAt'],
  });
export type AppealOutcomeInput = z.output<typeof appealOutcomeSchema>;

/** POST /v1/orders/{id}/relief: a relèvement (art. 702-1 CPP) ends the ban early. */
export const relieveOrderSchema = z.strictObject({
  decidedOn: isoDate.meta({ description: 'the day of the decision granting the relèvement, Paris calendar' }),
  decisionReference,
});
export type RelieveOrderInput = z.output<typeof relieveOrderSchema>;

/** What narrows the list and its CSV export alike. */
const orderFilterShape = {
  status: z.enum(ORDER_STATUSES).optional(),
  platform: platformIdSchema.optional(),
  courtReference: text()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'the start of the court reference, whatever its case (`%` and `_` are plain characters)' }),
  late: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({
      description: 'true: orders with a platform past its deadline without an answer (`overdue`); false: orders with none',
    }),
};

export const listOrdersQuerySchema = z.strictObject({
  ...orderFilterShape,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: text().min(1).max(200).optional(),
});
export type ListOrdersQuery = z.output<typeof listOrdersQuerySchema>;

/** The CSV export: the list's filters, every matching order (up to EXPORT_LIMIT). */
export const exportOrdersQuerySchema = z.strictObject(orderFilterShape);
export type ExportOrdersQuery = z.output<typeof exportOrdersQuerySchema>;
export const EXPORT_LIMIT = 10_000;

/** What the clerk chases today: how many orders, and platforms, are past a deadline without an answer. */
export const lateSummarySchema = z.object({
  orders: z.number().int().meta({ description: 'orders with at least one overdue platform' }),
  platforms: z.number().int().meta({ description: 'overdue platforms, over those orders' }),
});
export type LateSummary = z.infer<typeof lateSummarySchema>;

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
      overdue: z.boolean().meta({
        description: 'delivered, past its deadline, and not answered yet: to be chased (an answer, even late, ends it)',
      }),
    }),
  ),
  createdAt: isoInstant,
  revokedAt: isoInstant.nullable(),
  revocation: z.object({ reason: z.string(), decisionReference: z.string() }).nullable(),
  appeal: z
    .object({
      lodgedOn: isoDate,
      reference: z.string(),
      recordedAt: isoInstant,
      outcome: z.enum(['confirmed', 'quashed']).nullable(),
      decidedOn: isoDate.nullable(),
      decisionReference: z.string().nullable(),
      decidedAt: isoInstant.nullable(),
    })
    .nullable()
    .meta({ description: 'the appeal against the sentence, once lodged; its outcome once decided (decision 0027)' }),
  relief: z
    .object({ decidedOn: isoDate, decisionReference: z.string(), recordedAt: isoInstant })
    .nullable()
    .meta({ description: 'the relèvement that ended the ban early (art. 702-1 CPP)' }),
});
export type OrderView = z.infer<typeof orderViewSchema>;

/** How far an order's enforcement got, and nothing of its terms: what a page polls (GET /v1/orders/{id}/progress). */
export const orderProgressSchema = orderViewSchema.pick({ id: true, status: true, platforms: true, revokedAt: true });
export type OrderProgress = z.infer<typeof orderProgressSchema>;

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
