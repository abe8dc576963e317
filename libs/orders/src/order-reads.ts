/**
 * How other libs read the orders' tables inside their own SQL: named relations, owned here beside
 * the one writer of those tables (order.store.ts), so a change to `ban_orders` or `order_signals`
 * is made in libs/orders alone. Each is a parenthesised subquery, used as `FROM ${…} o` or
 * `JOIN ${…} s ON …`; PostgreSQL pulls such a subquery up into the caller's plan, so reading
 * through it costs what the join it replaces cost. `at` names the statement's parameter holding
 * the instant (`'$1'`).
 */
export const orderRelations = {
  /**
   * Orders that can still match at `at`: not ended early (revoked, relieved, quashed), not purged,
   * not suspended by an appeal, not yet ended. A scheduled order is one: the sign-up index holds it
   * and decides on its start itself.
   */
  unended: (at: string) => `(SELECT id, starts_at, ends_at, signal_count FROM ban_orders
      WHERE revoked_at IS NULL AND purged_at IS NULL AND suspended_at IS NULL AND ends_at > ${at})`,

  /**
   * Orders in force at `at`: in their window, not ended early, not suspended, not purged. The lifecycle's stamps
   * decide first: a writer's `at` was read before it waited for a lock, and must not take out an
   * order another transaction activated, nor put back one it expired.
   */
  inForce: (at: string) => `(SELECT id, ends_at FROM ban_orders
      WHERE revoked_at IS NULL AND purged_at IS NULL AND expired_at IS NULL AND suspended_at IS NULL
        AND (activated_at IS NOT NULL OR starts_at <= ${at}) AND ends_at > ${at})`,

  /** Orders purged at the end of their retention: nothing of their accounts may be kept any more. */
  purged: `(SELECT id FROM ban_orders WHERE purged_at IS NOT NULL)`,

  /** Orders an appeal suspends now: their platforms' SLA clocks do not run (decision 0027). */
  suspended: `(SELECT id FROM ban_orders WHERE suspended_at IS NOT NULL)`,

  /** Every order and the organisation that issued it (who may read what concerns it). */
  issuers: `(SELECT id, organisation_id FROM ban_orders)`,

  /**
   * The stored signals: an HMAC digest each (docs/signals.md), never a raw value. `platform_id`
   * NULL: matched on every platform of the order; else on that platform only (decision 0026).
   */
  signals: `(SELECT id, order_id, type, key_id, digest, platform_id FROM order_signals)`,

  /** The linked accounts a platform reported, sealed (decision 0026): what a linked directive delivers. */
  linkedAccounts: `(SELECT id, order_id, platform_id, account_enc, account_key_id FROM linked_account_reports)`,
} as const;
