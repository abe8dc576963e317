import { SIGNAL_TYPES, type SignalType } from '@ostracon/identity';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { type IndexedOrder, type IndexedSignal, SignalIndex } from './signal-index';

/** Orders that can still match: not revoked, not purged, not yet ended. */
const LIVE = `o.revoked_at IS NULL AND o.purged_at IS NULL AND o.ends_at > $1`;
const ORDER_COLUMNS = `o.id::text, (extract(epoch FROM o.starts_at) * 1000)::float8, (extract(epoch FROM o.ends_at) * 1000)::float8,
  (SELECT array_agg(op.platform_id) FROM order_platforms op WHERE op.order_id = o.id)`;
const FETCH = 50_000;
const TYPES = new Set<string>(SIGNAL_TYPES);

type OrderRow = [string, number, number, string[]];
type SignalRow = [string, string, string, Buffer];

export interface LoadedOrders {
  live: { order: IndexedOrder; signals: IndexedSignal[] }[];
  /** Asked for, but revoked, purged, ended or unknown: they must not match. */
  gone: string[];
}

function toOrder(row: OrderRow): IndexedOrder {
  return { id: row[0], startsAt: row[1], endsAt: row[2], platforms: row[3] ?? [] };
}

function toSignal(row: SignalRow): IndexedSignal {
  if (!TYPES.has(row[1])) throw new Error(`unknown signal type in order_signals`);
  return { type: row[1] as SignalType, keyId: row[2], digest: row[3] };
}

/** Reads the index from PostgreSQL: everything at start and on reconciliation, or a few orders on NOTIFY. */
export class IndexLoader {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Builds a whole index from one consistent snapshot (REPEATABLE READ), streaming the signals
   * through a cursor so that a million rows never sit in memory at once.
   */
  async loadAll(now: Date): Promise<SignalIndex> {
    return this.withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const counts = await client.query<{ orders: string; signals: string }>(
          `SELECT (SELECT count(*) FROM ban_orders o WHERE ${LIVE}) AS orders,
                  (SELECT count(*) FROM order_signals s JOIN ban_orders o ON o.id = s.order_id WHERE ${LIVE}) AS signals`,
          [now],
        );
        const index = new SignalIndex(Number(counts.rows[0]!.signals), Number(counts.rows[0]!.orders));
        const slots = new Map<string, number>();
        const orders = await client.query<OrderRow>({
          text: `SELECT ${ORDER_COLUMNS} FROM ban_orders o WHERE ${LIVE}`,
          values: [now],
          rowMode: 'array',
        });
        for (const row of orders.rows) slots.set(row[0], index.upsert(toOrder(row), []));
        await client.query(
          `DECLARE signals NO SCROLL CURSOR FOR
           SELECT s.order_id::text, s.type, s.key_id, s.digest FROM order_signals s JOIN ban_orders o ON o.id = s.order_id WHERE ${LIVE}`,
          [now],
        );
        for (;;) {
          const batch = await client.query<SignalRow>({ text: `FETCH ${FETCH} FROM signals`, rowMode: 'array' });
          for (const row of batch.rows) index.addSignal(slots.get(row[0])!, toSignal(row));
          if (batch.rows.length < FETCH) break;
        }
        await client.query('COMMIT');
        return index;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** The current state of these orders: the live ones with their signals, and the rest. */
  async loadOrders(ids: readonly string[], now: Date): Promise<LoadedOrders> {
    return this.withClient(async (client) => {
      const orders = await client.query<OrderRow>({
        text: `SELECT ${ORDER_COLUMNS} FROM ban_orders o WHERE o.id = ANY($2::uuid[]) AND ${LIVE}`,
        values: [now, ids],
        rowMode: 'array',
      });
      const signals = await client.query<SignalRow>({
        text: `SELECT s.order_id::text, s.type, s.key_id, s.digest FROM order_signals s WHERE s.order_id = ANY($1::uuid[])`,
        values: [orders.rows.map((r) => r[0])],
        rowMode: 'array',
      });
      const byOrder = new Map<string, IndexedSignal[]>(orders.rows.map((r) => [r[0], []]));
      for (const row of signals.rows) byOrder.get(row[0])?.push(toSignal(row));
      const live = orders.rows.map((row) => ({ order: toOrder(row), signals: byOrder.get(row[0])! }));
      const liveIds = new Set(live.map((l) => l.order.id));
      return { live, gone: ids.filter((id) => !liveIds.has(id)) };
    });
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      return await work(client);
    } finally {
      await runner.release();
    }
  }
}
