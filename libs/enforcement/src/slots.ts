/**
 * At most `size` calls of `run` under way at once; the others wait their turn, first come first
 * served. The worker's POSTs share it whatever job they belong to, so that a job carrying a relay
 * pass's directives sends as many at a time as DELIVERY_CONCURRENCY jobs of one directive would.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`slots need a positive whole size, not ${size}`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy < this.size) this.busy++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // The slot goes straight to the next caller, or back to the pool.
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}
