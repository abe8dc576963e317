import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CHANNELS, PgListener } from '@ostracon/database';

/**
 * Long polls of the private sets: a request with nothing new waits here until its platform's set
 * changes (NOTIFY from PrivateSetStore at commit, on any API process or the worker) or its time
 * is up. Subscribes on first use.
 */
@Injectable()
export class PrivateSetFeed implements OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscribed: Promise<void> | undefined;

  constructor(private readonly listener: PgListener) {}

  /**
   * Starts watching `platformId`'s set before the caller reads it, so a change committed between
   * the read and the wait is not missed. `changed` resolves on a change, after `ms`, or at
   * shutdown, and never rejects; `cancel` stops watching.
   */
  async watch(platformId: string, ms: number): Promise<{ changed: Promise<void>; cancel: () => void }> {
    this.subscribed ??= this.listener.subscribe(CHANNELS.privateSet, {
      onNotify: (platform) => this.wake(platform),
      // Notifications during a gap are lost: every waiter reads again.
      onResume: () => [...this.waiters.keys()].forEach((p) => this.wake(p)),
    });
    await this.subscribed;
    let done!: () => void;
    const changed = new Promise<void>((resolve) => {
      const set = this.waiters.get(platformId) ?? new Set();
      done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(platformId) === set) this.waiters.delete(platformId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      this.waiters.set(platformId, set);
    });
    return { changed, cancel: done };
  }

  private wake(platformId: string): void {
    for (const done of [...(this.waiters.get(platformId) ?? [])]) done();
  }

  onApplicationShutdown(): void {
    for (const platform of [...this.waiters.keys()]) this.wake(platform);
  }
}
