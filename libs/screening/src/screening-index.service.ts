import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { CHANNELS, PgListener } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { buildIndexInWorker } from './index-builder';
import { IndexLoader } from './index-loader';
import type { SignalIndex } from './signal-index';

export interface IndexStats {
  ready: boolean;
  signals: number;
  orders: number;
  bytes: number;
  loadMs: number;
  loadedAt: Date | null;
  /** When PostgreSQL last confirmed the index holds its live orders (a full load, or a reconciliation that agreed). */
  confirmedAt: Date | null;
  keyUsage: Record<string, number>;
}

/**
 * This process's index of banned signals. Built from PostgreSQL at start (readiness waits for
 * it), then kept fresh: a NOTIFY on every order created, revoked or purged makes this process
 * re-read those orders at once; a periodic reconciliation compares the index with PostgreSQL and
 * rebuilds it when they disagree (a lost notification), and a LISTEN outage rebuilds it anyway.
 * A whole build runs in a worker thread and is swapped in complete (index-builder.ts): the checks
 * this process answers meanwhile are served by the index it had, with no stall.
 */
@Injectable()
export class ScreeningIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ScreeningIndex');
  private readonly loader: IndexLoader;
  private index: SignalIndex | null = null;
  private reconcileTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Aborts a build under way at shutdown. */
  private readonly stopping = new AbortController();
  private rebuilding: Promise<void> | null = null;
  /** Orders notified while a rebuild runs: applied again to the new index once it is in place. */
  private notedDuringRebuild: Set<string> | null = null;
  private pending = new Set<string>();
  private applying: Promise<void> | null = null;
  private lastLoadMs = 0;
  /** The moment the current index was read at (IndexLoader.summary compares from it). */
  private builtAt: Date | null = null;
  private loadedAt: Date | null = null;
  private confirmedAt: Date | null = null;
  private readonly readyWaiters: (() => void)[] = [];

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly listener: PgListener,
  ) {
    this.loader = new IndexLoader(dataSource);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the API serves health and the other routes while the index loads.
    void this.start();
  }

  /** The index, or null until the first build has finished. */
  get current(): SignalIndex | null {
    return this.index;
  }

  /** Resolves once the first build has finished. */
  ready(): Promise<void> {
    if (this.index) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  stats(): IndexStats {
    const index = this.index;
    return {
      ready: index !== null,
      signals: index?.size ?? 0,
      orders: index?.orderCount ?? 0,
      bytes: index?.byteLength ?? 0,
      loadMs: this.lastLoadMs,
      loadedAt: this.loadedAt,
      confirmedAt: this.confirmedAt,
      keyUsage: index?.keyUsage() ?? {},
    };
  }

  private async start(): Promise<void> {
    // LISTEN first: a change committed while the snapshot loads is then seen twice, never missed.
    await this.listener.subscribe(CHANNELS.orders, {
      onNotify: (orderId) => {
        this.note(orderId);
        void this.applyPending();
      },
      // Notifications sent while nobody listened are lost: read everything again.
      onResume: () => {
        if (this.index) void this.rebuild();
      },
    });
    while (!this.stopped && !this.index) {
      await this.rebuild();
      if (!this.index) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!this.stopped) this.reconcileTimer = setInterval(() => void this.reconcile(), this.config.screening.reconcileMs);
  }

  /**
   * Every SCREENING_RECONCILE_MS: the index's live orders against PostgreSQL's, by one aggregate
   * (count and XOR of ids, IndexLoader.summary). They agree unless a notification was lost; then,
   * and only then, a full rebuild. A full rebuild every time cost each process a stall of its
   * checks (1.4–3.4 s at a million signals on 2 cores: docs/screening.md § Reconciliation).
   */
  async reconcile(): Promise<void> {
    if (!this.index || this.rebuilding || this.stopped) return;
    try {
      if (await this.agrees()) return this.confirmed();
      // An order committed an instant ago may have its notification on the way: look again.
      await new Promise((r) => setTimeout(r, 1000));
      if (await this.agrees()) return this.confirmed();
      this.logger.warn('the index and PostgreSQL disagree (a notification was lost): rebuilding it');
      await this.rebuild();
    } catch (error) {
      this.logger.warn(`index reconciliation failed, tried again later: ${(error as Error).message}`);
    }
  }

  private confirmed(): void {
    this.confirmedAt = this.clock.now();
  }

  private async agrees(): Promise<boolean> {
    await this.applying;
    const index = this.index;
    if (!index || !this.builtAt || this.pending.size > 0) return false;
    const theirs = await this.loader.summary(this.builtAt);
    const ours = index.liveSummary;
    return theirs.orders === ours.orders && theirs.xorHigh === ours.xorHigh && theirs.xorLow === ours.xorLow;
  }

  /**
   * A full rebuild from one snapshot, built in a worker thread and swapped in when complete (one
   * assignment: a check sees the old index or the new one, never a mix). A failed build leaves
   * the current index serving.
   */
  rebuild(): Promise<void> {
    if (this.rebuilding) return this.rebuilding;
    this.rebuilding = (async () => {
      this.notedDuringRebuild = new Set();
      const started = performance.now();
      try {
        const builtAt = this.clock.now();
        const index = await buildIndexInWorker({ database: this.config.database, at: builtAt.getTime() }, { signal: this.stopping.signal });
        this.lastLoadMs = Math.round(performance.now() - started);
        const first = this.index === null;
        this.index = index;
        this.builtAt = builtAt;
        this.loadedAt = this.clock.now();
        this.confirmedAt = this.loadedAt;
        const noted = this.notedDuringRebuild;
        this.notedDuringRebuild = null;
        for (const id of noted) this.pending.add(id);
        if (this.pending.size > 0) await this.applyPending();
        const known = new Set(this.config.signals.peppers.map((p) => p.keyId));
        const orphans = Object.entries(index.keyUsage()).filter(([keyId]) => !known.has(keyId));
        if (orphans.length > 0) {
          // A pepper retired while live orders still use it: those signals can never match.
          this.logger.error(
            `index holds signals under key ids with no pepper configured: ${orphans.map(([k, n]) => `${k} (${n})`).join(', ')}`,
          );
        }
        if (first) {
          this.logger.log(`index ready: ${index.size} signals of ${index.orderCount} orders in ${this.lastLoadMs} ms`);
          for (const wake of this.readyWaiters.splice(0)) wake();
        }
      } catch (error) {
        this.notedDuringRebuild = null;
        this.logger.error(`index rebuild failed (the current index stays): ${(error as Error).message}`);
      }
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private note(orderId: string): void {
    if (!z.uuid().safeParse(orderId).success) return;
    this.pending.add(orderId);
    this.notedDuringRebuild?.add(orderId);
  }

  private applyPending(): Promise<void> {
    if (this.applying) return this.applying.then(() => (this.pending.size > 0 ? this.applyPending() : undefined));
    this.applying = (async () => {
      while (this.pending.size > 0 && this.index) {
        const ids = [...this.pending].slice(0, 1000);
        for (const id of ids) this.pending.delete(id);
        try {
          const { live, gone } = await this.loader.loadOrders(ids, this.clock.now());
          const index = this.index;
          for (const id of gone) index.remove(id);
          // An order with signals scoped to one platform (an accepted linked account, decision 0026)
          // may have gained some: read again whole.
          for (const { order, signals } of live) if (signals.some((s) => s.platforms) || !index.update(order)) index.upsert(order, signals);
        } catch (error) {
          for (const id of ids) this.pending.add(id);
          this.logger.warn(`could not re-read ${ids.length} order(s), retrying: ${(error as Error).message}`);
          await new Promise((r) => setTimeout(r, 500));
          if (this.stopped) return;
        }
      }
    })().finally(() => {
      this.applying = null;
    });
    return this.applying;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearInterval(this.reconcileTimer);
    await this.rebuilding;
    await this.applying;
  }
}
