import type { DirectivesRow, OrderPlatformsRow, OutboxRow } from '@ostracon/database';
import type { OrderPlatformState } from '@ostracon/orders';

/*
 * What the enforcement store and its reads answer with: camelCase, mapped from the rows where the
 * statement is. The rows' own types come from the migrated schema (libs/database
 * schema.generated.ts), so a status or an outcome is the set its CHECK allows.
 */

export type DirectiveType = DirectivesRow['type'];
export type DirectiveStatus = DirectivesRow['status'];
export type AckOutcome = NonNullable<DirectivesRow['outcome']>;
export type PlatformEnforcementStatus = OrderPlatformsRow['status'];

/**
 * How far one platform named by an order got: what the order view shows (libs/orders names it),
 * with the acknowledgement the SLA's verdict is computed from instead of the verdict.
 */
export type PlatformEnforcement = Omit<OrderPlatformState, 'slaMet' | 'overdue'> & { acknowledgedAt: Date | null };

/** A directive as its order's timeline shows it. */
export interface DirectiveProgress {
  id: string;
  orderId: string;
  platformId: string;
  type: DirectiveType;
  status: DirectiveStatus;
  attempts: number;
  /** The failure class of the last failed attempt (`http_5xx`, `timeout`…), never a body. */
  lastError: string | null;
  deliveredAt: Date | null;
  slaDeadline: Date | null;
  acknowledgedAt: Date | null;
  outcome: AckOutcome | null;
}

/** Which directive, of which order and platform: what a transition's audit event names. */
export interface DirectiveRef {
  id: string;
  orderId: string;
  platformId: string;
  type: DirectiveType;
  /** A linked account's directive (decision 0026): the report it enforces; null for the order's own. */
  linkedReportId: string | null;
}

/** A directive with what it takes to send it: its platform's webhook and SLA, its sealed accounts. */
export interface DirectiveToSend extends DirectiveRef {
  status: DirectiveStatus;
  attempts: number;
  queuedAt: Date | null;
  /** When a failed attempt's retry is due (its own job's delay); null before any failure. */
  nextAttemptAt: Date | null;
  effectiveFrom: Date;
  effectiveUntil: Date;
  slaDeadline: Date | null;
  webhookUrl: string | null;
  webhookSecretEnc: Buffer | null;
  webhookSecretKeyId: string | null;
  /** The secret a rotation replaced, with the instant it stops signing (null outside an overlap). */
  webhookSecretPreviousEnc: Buffer | null;
  webhookSecretPreviousKeyId: string | null;
  webhookSecretPreviousUntil: Date | null;
  slaHours: number;
  accountsEnc: Buffer | null;
  accountsKeyId: string | null;
}

/** An outbox row claimed by a relay pass (or found stale), with what its job needs. */
export interface Relayed {
  /** The outbox row's id (a bigint, as text): the job's id is made of it. */
  outboxId: string;
  directiveId: string;
  orderId: string;
  platformId: string;
  type: DirectiveType;
  push: boolean;
  nextAttemptAt: Date | null;
  /** When its relay pass queued it: with the platform, the id of the job it went out in. */
  queuedAt: Date | null;
}

/** The columns a relay's claim and the lost-job sweep read, under these names. */
export type RelayedRow = Pick<DirectivesRow, 'order_id' | 'platform_id' | 'type' | 'next_attempt_at' | 'queued_at'> & {
  outbox_id: OutboxRow['id'];
  directive_id: DirectivesRow['id'];
  push: boolean;
};

export function relayedOf(r: RelayedRow): Relayed {
  return {
    outboxId: r.outbox_id,
    directiveId: r.directive_id,
    orderId: r.order_id,
    platformId: r.platform_id,
    type: r.type,
    push: r.push,
    nextAttemptAt: r.next_attempt_at,
    queuedAt: r.queued_at,
  };
}

/** A directive just marked delivered, with its SLA deadline (none for a suspend whose order an appeal suspends). */
export interface Delivered extends DirectiveRef {
  deliveredAt: Date;
  slaDeadline: Date | null;
}

/** A directive its platform acknowledges, as locked for the acknowledgement. */
export interface Acknowledgeable extends DirectiveRef {
  status: DirectiveStatus;
  outcome: AckOutcome | null;
  acknowledgedAt: Date | null;
  slaDeadline: Date | null;
  slaHours: number;
}

/** A delivered directive whose deadline passed without an answer, marked once. */
export interface SlaBreach extends DirectiveRef {
  slaDeadline: Date;
}
