import type { EnforcementMetricsQueries } from '@ostracon/enforcement';
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/**
 * Queue and enforcement gauges, read at scrape time from BullMQ and PostgreSQL (the record),
 * so every API process reports the same numbers whichever worker did the work.
 */
export function registerEnforcementMetrics(registry: Registry, queue: Queue, figures: EnforcementMetricsQueries): void {
  new Gauge({
    name: 'ostracon_queue_jobs',
    help: 'Directive delivery jobs in BullMQ by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      } catch {
        // Redis down: the gauge keeps its last values; readiness says why.
      }
    },
  });
  new Gauge({
    name: 'ostracon_directives',
    help: 'Directives by type and status',
    labelNames: ['type', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.countByTypeAndStatus().catch(() => null);
      if (!rows) return; // PostgreSQL unreachable: readiness says so; the scrape still answers
      this.reset();
      for (const r of rows) this.set({ type: r.type, status: r.status }, r.count);
    },
  });
  new Gauge({
    name: 'ostracon_directives_sla_breached',
    help: 'Directives whose platform did not answer by the SLA deadline, by platform',
    labelNames: ['platform'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.slaBreachesByPlatform().catch(() => null);
      if (!rows) return;
      this.reset();
      for (const r of rows) this.set({ platform: r.platformId }, r.count);
    },
  });
  new Gauge({
    name: 'ostracon_outbox_oldest_unrelayed_seconds',
    help: 'Age of the oldest directive change not yet relayed to the queue (0 when none waits)',
    registers: [registry],
    async collect() {
      const age = await figures.oldestUnrelayedSeconds().catch(() => null);
      if (age !== null) this.set(age);
    },
  });
  new Gauge({
    name: 'ostracon_directives_retrying',
    help: 'Directives queued that failed at least once, by platform (a platform not answering: its circuit breaker opens)',
    labelNames: ['platform'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.retryingByPlatform().catch(() => null);
      if (!rows) return;
      this.reset();
      for (const r of rows) this.set({ platform: r.platformId }, r.count);
    },
  });
}
