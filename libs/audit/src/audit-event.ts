import type { Actor } from '@ostracon/common';
/** Every event type the log may hold; docs/auditing.md says what each one means. */
export const AUDIT_EVENT_TYPES = [
  'organisation.created',
  'client.created',
  'client.limits_changed',
  'client.revoked',
  'person.invited',
  'person.removed',
  'person.moved',
  'person.resolved',
  'person.signed_in',
  'person.sign_in_refused',
  'person.signed_out',
  'platform.created',
  'platform.updated',
  'platform.webhook_secret_rotated',
  'order.created',
  'order.read',
  'order.listed',
  'order.revoked',
  'order.activated',
  'order.expired',
  'order.purged',
  'directive.queued',
  'directive.unqueued',
  'directive.delivered',
  'directive.delivery_failed',
  'directive.cancelled',
  'directive.acknowledged',
  'directive.sla_breached',
  'signup.matched',
  'private_key.published',
  'private_key.rotated',
  'private_key.forgotten',
  'private_evaluations.counted',
  'signup_match.read',
  'audit.read',
  'report.read',
  'signup_match.reviewed',
  'evidence.exported',
  // Attempts (issue 30, docs/attempts.md)
  'attempt.listed',
  'person.attempt_mails_set',
  'attempt.mailed',
  // Appeals and relèvement (decision 0027).
  'order.appealed',
  'order.appeal_confirmed',
  'order.appeal_quashed',
  'order.relieved',
  'directive.sla_stopped',
  // Linked accounts (decision 0026).
  'linked_account.reported',
  'linked_account.listed',
  'linked_account.accepted',
  'linked_account.rejected',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEventInput {
  type: AuditEventType;
  actor: Actor;
  orderId?: string;
  platformId?: string;
  /** Non-identifying facts only: ids, counts, codes. Never a raw identity value or a key. */
  data?: Record<string, unknown>;
}
