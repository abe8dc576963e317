import type { ScreeningIndexService } from '@ostracon/screening';
import { Gauge, type Registry } from 'prom-client';

/** This process's sign-up index: size, memory, last load time, and the pepper key ids in use. */
export function registerScreeningMetrics(registry: Registry, index: ScreeningIndexService, now: () => Date = () => new Date()): void {
  const stat = (name: string, help: string, read: (s: ReturnType<ScreeningIndexService['stats']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(index.stats()));
      },
    });
  stat('ostracon_screening_index_ready', '1 once the sign-up index is built', (s) => (s.ready ? 1 : 0));
  stat('ostracon_screening_index_signals', 'Signals in the sign-up index (dead ones until the next rebuild)', (s) => s.signals);
  stat('ostracon_screening_index_orders', 'Orders in the sign-up index that can still match', (s) => s.orders);
  stat('ostracon_screening_index_bytes', 'Bytes held by the sign-up index arrays', (s) => s.bytes);
  stat('ostracon_screening_index_load_seconds', 'Duration of the last full index build', (s) => s.loadMs / 1000);
  stat(
    'ostracon_screening_index_unconfirmed_seconds',
    'Seconds since PostgreSQL last confirmed the index holds its live orders (a load, or a reconciliation every SCREENING_RECONCILE_MS)',
    (s) => (s.confirmedAt ? Math.max(0, (now().getTime() - s.confirmedAt.getTime()) / 1000) : 0),
  );
  new Gauge({
    name: 'ostracon_screening_index_signals_by_key',
    help: 'Signals in the index by pepper key id: a retired pepper must reach 0 before it leaves the config',
    labelNames: ['key_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [keyId, n] of Object.entries(index.stats().keyUsage)) this.set({ key_id: keyId }, n);
    },
  });
}
