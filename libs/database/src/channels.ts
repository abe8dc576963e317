/**
 * The PostgreSQL NOTIFY channels between processes: the one list. Migrations that send on a
 * channel from a trigger write its name in SQL and name the constant in a comment.
 */
export const CHANNELS = {
  /** An order was created, revoked or purged; payload: its id (sign-up indexes re-read it). Migration 1764380000000. */
  orders: 'ostracon_orders',
  /** Directives may be ready to relay; no payload (the relay wakes). Migration 1764370000000 and libs/enforcement. */
  outbox: 'ostracon_outbox',
  /** An API client was created or revoked; payload: its id (key indexes re-read it). Migration 1764420000000. */
  clients: 'ostracon_clients',
  /** A platform's private set changed; payload: the platform id (long polls answer). libs/private-checks. */
  privateSet: 'ostracon_private_set',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];
