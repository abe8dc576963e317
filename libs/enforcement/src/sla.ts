/**
 * The enforcement SLA: the law sets no deadline (docs/legal.md), so the service makes one
 * explicit, per platform (`platforms.sla_hours`, 48 by default), running from the moment the
 * platform has the directive. The one place this rule is written; SQL that stamps deadlines in
 * bulk uses `slaDeadlineSql`, the same rule in PostgreSQL's words.
 */
export function slaDeadline(deliveredAt: Date, slaHours: number): Date {
  return new Date(deliveredAt.getTime() + slaHours * 3600_000);
}

/** `slaDeadline` in SQL, for an instant and an hour count given as SQL expressions. */
export function slaDeadlineSql(at: string, slaHours: string): string {
  return `(${at} + make_interval(hours => ${slaHours}))`;
}

/**
 * Whether the platform kept its deadline: true when it answered by then, false when it answered
 * late or the deadline passed without an answer, null while it still has time (or nothing was
 * delivered yet).
 */
export function slaMet(deadline: Date | null, acknowledgedAt: Date | null, now: Date): boolean | null {
  if (!deadline) return null;
  if (acknowledgedAt) return acknowledgedAt.getTime() <= deadline.getTime();
  return now.getTime() > deadline.getTime() ? false : null;
}

/**
 * Late, for the clerk who chases it: the suspend was delivered, the deadline passed, and the
 * platform has not answered (`order_platforms.status` is still `delivered`: an answer, in time or
 * not, moves it on). A platform that answered after its deadline missed the SLA but is no longer
 * to be chased.
 */
export function overdue(status: string, deadline: Date | null, now: Date): boolean {
  return status === 'delivered' && deadline !== null && now.getTime() > deadline.getTime();
}

/** `overdue` in SQL, for a row of `order_platforms` named `op` and an instant given as an SQL expression. */
export function overdueSql(op: string, at: string): string {
  return `(${op}.status = 'delivered' AND ${op}.sla_deadline < ${at})`;
}
