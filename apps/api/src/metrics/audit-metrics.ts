import type { WitnessStatus, WitnessingService } from '@ostracon/audit';
import { Gauge, type Registry } from 'prom-client';

/**
 * The witnessed log's gauges, read at scrape time from PostgreSQL (docs/auditing.md § Watching
 * the witnesses). The alert: the newest witnessed checkpoint is old while a newer one waits
 * (ostracon_audit_witnessed_checkpoint_age_seconds > 900 and signed size > witnessed size).
 */
export function registerAuditMetrics(registry: Registry, witnessing: WitnessingService, now: () => Date): void {
  new Gauge({
    name: 'ostracon_audit_checkpoint_size',
    help: 'Tree size of the newest checkpoint (state="signed") and of the newest one a quorum of witnesses cosigned (state="witnessed")',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const [latest, witnessed] = await Promise.all([witnessing.noteCheckpoint(), witnessing.newestWitnessed()]).catch(() => [
        undefined,
        undefined,
      ]);
      if (latest === undefined) return; // PostgreSQL unreachable: readiness says so
      this.set({ state: 'signed' }, latest?.size ?? 0);
      this.set({ state: 'witnessed' }, witnessed?.size ?? 0);
    },
  });
  new Gauge({
    name: 'ostracon_audit_witnessed_checkpoint_age_seconds',
    help: 'Seconds since the newest checkpoint a quorum of witnesses cosigned was signed (since the first checkpoint if none was)',
    registers: [registry],
    async collect() {
      const witnessed = await witnessing.newestWitnessed().catch(() => undefined);
      if (witnessed === undefined) return;
      const since = witnessed?.signedAt ?? (await witnessing.firstCheckpointAt().catch(() => null));
      this.set(since ? Math.max(0, (now().getTime() - since.getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'ostracon_audit_log_events',
    help: 'Events in the audit log (its highest seq)',
    registers: [registry],
    async collect() {
      const progress = await witnessing.logProgress().catch(() => null);
      if (progress) this.set(progress.events);
    },
  });
  new Gauge({
    name: 'ostracon_audit_checkpoint_age_seconds',
    help: 'Seconds since the newest checkpoint was signed (the worker signs one every few seconds while the log grows)',
    registers: [registry],
    async collect() {
      const progress = await witnessing.logProgress().catch(() => null);
      // Never signed yet: as old as the first event (a signer broken from the start is seen too).
      const since = progress?.lastSignedAt ?? progress?.firstEventAt;
      if (since) this.set(Math.max(0, (now().getTime() - since.getTime()) / 1000));
    },
  });
  const perWitness: [name: string, help: string, value: (w: WitnessStatus) => number][] = [
    ['ostracon_audit_witness_cosigned_size', 'The tree size each witness last cosigned', (w) => w.cosignedSize],
    [
      'ostracon_audit_witness_refusals',
      'Checkpoints each witness refused as inconsistent with one it cosigned (a split view, or a log that went back): any is an incident',
      (w) => w.refusals,
    ],
    ['ostracon_audit_witness_failures', 'Consecutive failed requests to each witness (0 after a cosignature)', (w) => w.failures],
  ];
  for (const [name, help, value] of perWitness) {
    new Gauge({
      name,
      help,
      labelNames: ['witness'] as const,
      registers: [registry],
      async collect() {
        const status = await witnessing.status().catch(() => null);
        if (!status) return;
        for (const w of status) this.set({ witness: w.name }, value(w));
      },
    });
  }
}
