import { type BanOrdersRow, type OrderSignalsRow, queryRows } from '@ostracon/database';
import { SIGNAL_TYPES, type SignalType } from '@ostracon/identity';
import type { PoolClient, QueryArrayConfig } from 'pg';
import { orderRelations } from '@ostracon/orders';
import type { DataSource } from 'typeorm';
import { type IndexedOrder, type IndexedSignal, SignalIndex } from './signal-index';

/** Orders that can still match: not revoked, not purged, not yet ended (libs/orders names them). */
const UNENDED = orderRelations.unended('$1');
const ORDER_COLUMNS = `o.id::text, (extract(epoch FROM o.starts_at) * 1000)::float8, (extract(epoch FROM o.ends_at) * 1000)::float8,
  (SELECT string_agg(op.platform_id, ',') FROM order_platforms op WHERE op.order_id = o.id)`;
const TYPES = new Set<string>(SIGNAL_TYPES);
/** Orders fetched and added to a new index between two turns of the event loop: a few milliseconds' work. */
const ORDERS_PER_SLICE = 5_000;

// Array-mode rows (rowMode: 'array', no object per row): positional, in ORDER_COLUMNS' order.
// The instants are epoch milliseconds (float8) and the platforms a comma-separated string_agg,
// computed by the statement, so only the columns read as they are take the generated types.
type OrderRow = [id: BanOrdersRow['id'], startsAtMs: number, endsAtMs: number, platformIds: string | null];
type SignalRow = [
  orderId: OrderSignalsRow['order_id'],
  type: OrderSignalsRow['type'],
  keyId: OrderSignalsRow['key_id'],
  digest: OrderSignalsRow['digest'],
  platformId: OrderSignalsRow['platform_id'],
];
/**
 * An order and its signals folded: `type:key_id` pairs (`type:key_id:platform` for a signal matched
 * on one platform only, decision 0026) joined by commas, and their 32-byte digests end to end.
 */
type FoldedRow = [...OrderRow, kinds: string, digests: Buffer];

function addFolded(index: SignalIndex, row: FoldedRow): void {
  const slot = index.upsert(toOrder([row[0], row[1], row[2], row[3]]), []);
  const kinds = row[4].split(',');
  const digests = row[5];
  if (digests.length !== kinds.length * 32) throw new Error('order_signals: a digest is not 32 bytes');
  for (let i = 0; i < kinds.length; i++) {
    const [type, keyId, platform] = kinds[i]!.split(':');
    if (!TYPES.has(type!) || !keyId) throw new Error('unknown signal type in order_signals');
    index.addSignal(slot, {
      type: type as SignalType,
      keyId,
      digest: digests.subarray(i * 32, i * 32 + 32),
      ...(platform ? { platforms: [platform] } : {}),
    });
  }
}

export interface LoadedOrders {
  live: { order: IndexedOrder; signals: IndexedSignal[] }[];
  /** Asked for, but revoked, purged, ended or unknown: they must not match. */
  gone: string[];
}

function toOrder(row: OrderRow): IndexedOrder {
  return { id: row[0], startsAt: row[1], endsAt: row[2], platforms: row[3] ? row[3].split(',') : [] };
}

function toSignal(row: SignalRow): IndexedSignal {
  if (!TYPES.has(row[1])) throw new Error(`unknown signal type in order_signals`);
  return { type: row[1] as SignalType, keyId: row[2], digest: row[3], ...(row[4] ? { platforms: [row[4]] } : {}) };
}

/** Reads the index from PostgreSQL: everything at start and on reconciliation, or a few orders on NOTIFY. */
export class IndexLoader {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Builds a whole index from one consistent snapshot (REPEATABLE READ), streaming the signals
   * in one query (see below). `ordersPerSlice`: orders fetched at a time (a worker thread, which
   * serves nothing meanwhile, takes larger slices: fewer round trips).
   */
  async loadAll(now: Date, ordersPerSlice = ORDERS_PER_SLICE): Promise<SignalIndex> {
    return this.withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        // Sizes first, so the arrays are allocated once at their final size.
        // count and sum are bigints: node-postgres hands them over as text (sum is null on no rows).
        const counts = await client.query<{ orders: string; signals: string | null }>(
          `SELECT count(*) AS orders, sum(o.signal_count) AS signals FROM ${UNENDED} o`,
          [now],
        );
        const index = new SignalIndex(Number(counts.rows[0]!.signals ?? 0), Number(counts.rows[0]!.orders));
        // One row per order, its signals folded into two columns (kinds, and the digests end to
        // end): a third of the rows, one Buffer per order. Fetched from a cursor a slice at a
        // time, the event loop running between slices: a rebuild (reconciliation) happens while
        // this process serves checks, and one query for a million signals held every check for
        // 2.5 s (the rows' parsing and garbage as much as the index's work; docs/screening.md).
        // JIT only adds compile time to this one big scan.
        await client.query('SET LOCAL jit = off');
        await client.query({
          text: `DECLARE index_rows NO SCROLL CURSOR FOR
           SELECT ${ORDER_COLUMNS},
                  string_agg(s.type || ':' || s.key_id || coalesce(':' || s.platform_id, ''), ','),
                  string_agg(s.digest, ''::bytea)
           FROM ${UNENDED} o JOIN ${orderRelations.signals} s ON s.order_id = o.id
           GROUP BY o.id, o.starts_at, o.ends_at`,
          values: [now],
        });
        // The next slice is asked for before this one is added, so that PostgreSQL aggregates
        // while this thread builds (one after the other, each took about half of a load: 3.5 s
        // and 3.4 s of 6.9 s at a million signals; docs/performance.md § Issue 31: what each job
        // costs by itself). The socket's buffers bound the overlap: 6.9 s became 5.9–6.2 s.
        const slice: QueryArrayConfig = { text: `FETCH ${ordersPerSlice} FROM index_rows`, rowMode: 'array' };
        const fetchSlice = () => {
          const next = client.query<FoldedRow>(slice);
          // Awaited below; should adding a slice throw first, that failure is the one reported.
          next.catch(() => undefined);
          return next;
        };
        let next = fetchSlice();
        for (;;) {
          const rows = (await next).rows;
          const more = rows.length === ordersPerSlice;
          if (more) next = fetchSlice();
          for (const row of rows) addFolded(index, row);
          if (!more) break;
        }
        await client.query('COMMIT');
        return index;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * SignalIndex.liveSummary as PostgreSQL sees it, for an index built at `builtAt` and kept by
   * notifications since: the orders neither revoked nor purged that end after `builtAt` (every
   * order the index holds ends after the moment it was read), counted, and the XOR of their ids'
   * first 8 bytes. One aggregate, computed by PostgreSQL: nothing per order reaches this process.
   */
  async summary(builtAt: Date): Promise<{ orders: number; xorHigh: number; xorLow: number }> {
    const [summary] = await this.dataSource.transaction(async (em) => {
      // One core: on a machine the API shares with PostgreSQL, parallel workers would take every
      // core for the scan's duration and the checks would wait (measured at a million signals,
      // 5,000 checks/s: p99 186 ms with them, 6.2 ms without, as with no reconciliation at all).
      await em.query('SET LOCAL max_parallel_workers_per_gather = 0');
      await em.query('SET LOCAL jit = off');
      return queryRows<{ orders: number; xorHigh: number; xorLow: number }>(
        em,
        `SELECT count(*)::int AS orders,
              coalesce(bit_xor(('x' || left(o.id::text, 8))::bit(32)::int), 0) AS "xorHigh",
              coalesce(bit_xor(('x' || substr(o.id::text, 10, 4) || substr(o.id::text, 15, 4))::bit(32)::int), 0) AS "xorLow"
       FROM ${UNENDED} o`,
        [builtAt],
      );
    });
    return summary!;
  }

  /** The current state of these orders: the live ones with their signals, and the rest. */
  async loadOrders(ids: readonly string[], now: Date): Promise<LoadedOrders> {
    return this.withClient(async (client) => {
      const orders = await client.query<OrderRow>({
        text: `SELECT ${ORDER_COLUMNS} FROM ${UNENDED} o WHERE o.id = ANY($2::uuid[])`,
        values: [now, ids],
        rowMode: 'array',
      });
      const signals = await client.query<SignalRow>({
        text: `SELECT s.order_id::text, s.type, s.key_id, s.digest, s.platform_id FROM ${orderRelations.signals} s WHERE s.order_id = ANY($1::uuid[])`,
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
