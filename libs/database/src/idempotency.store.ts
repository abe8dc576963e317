import type { DataSource, EntityManager } from 'typeorm';
import { queryRows } from './query-rows';
import type { IdempotencyKeysRow } from './schema.generated';

export type IdempotencyClaim =
  /** `token` tells this claim from a later one on the same key and body (a takeover after it lapsed). */
  | { outcome: 'claimed'; token: string }
  | { outcome: 'replay'; status: number; body: unknown }
  | { outcome: 'mismatch' }
  | { outcome: 'in_flight' };

/**
 * Idempotency keys kept in PostgreSQL. A key is claimed atomically in its own short
 * transaction (so a concurrent retry sees it and gets 409), completed in the transaction of
 * the work it guards (so the stored answer exists exactly when the work does), and released
 * if that work fails (so the client may retry). A claim left by a crashed process lapses
 * after `lockSeconds`.
 */
export class IdempotencyStore {
  constructor(private readonly dataSource: DataSource) {}

  async claim(clientId: string, key: string, requestHash: Buffer, lockSeconds: number): Promise<IdempotencyClaim> {
    // The claim's lock time, as text: what a release names it by.
    const claimed = await queryRows<{ token: string }>(
      this.dataSource,
      `INSERT INTO idempotency_keys (client_id, key, request_hash, state, locked_until)
       VALUES ($1, $2, $3, 'in_flight', now() + make_interval(secs => $4))
       ON CONFLICT (client_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, locked_until = EXCLUDED.locked_until
         WHERE idempotency_keys.state = 'in_flight' AND idempotency_keys.locked_until < now()
       RETURNING locked_until::text AS token`,
      [clientId, key, requestHash, lockSeconds],
    );
    if (claimed[0]) return { outcome: 'claimed', token: claimed[0].token };

    const rows = await queryRows<Pick<IdempotencyKeysRow, 'request_hash' | 'state' | 'response_status' | 'response_body'>>(
      this.dataSource,
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
      [clientId, key],
    );
    const row = rows[0];
    // Released between our insert and this read: the caller may simply try again.
    if (!row) return { outcome: 'in_flight' };
    if (!row.request_hash.equals(requestHash)) return { outcome: 'mismatch' };
    if (row.state === 'completed') return { outcome: 'replay', status: row.response_status!, body: row.response_body };
    return { outcome: 'in_flight' };
  }

  async complete(manager: EntityManager, clientId: string, key: string, status: number, body: unknown): Promise<void> {
    await manager.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4
       WHERE client_id = $1 AND key = $2`,
      [clientId, key, status, JSON.stringify(body)],
    );
  }

  /** Releases this claim (its token), never a later one that took the key over. */
  async release(clientId: string, key: string, token: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND state = 'in_flight' AND locked_until = $3::timestamptz`,
      [clientId, key, token],
    );
  }

  /**
   * Releases a claim whose work failed, now or, if PostgreSQL is unreachable (often the reason
   * the work failed), as soon as it is back: otherwise the client's retries would get 409 until
   * the claim lapsed, long after the outage. Gives up at the lapse (nothing is left to release),
   * or when the process stops. Never throws.
   */
  releaseEventually(clientId: string, key: string, token: string, lockSeconds: number): Promise<void> {
    const lapse = Date.now() + lockSeconds * 1000;
    const attempt = async (delayMs: number): Promise<void> => {
      try {
        await this.release(clientId, key, token);
      } catch {
        if (Date.now() + delayMs >= lapse || !this.dataSource.isInitialized) return;
        await new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref());
        return attempt(Math.min(delayMs * 2, 2000));
      }
    };
    return attempt(100);
  }
}
