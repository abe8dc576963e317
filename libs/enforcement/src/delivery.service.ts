import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Batcher, CLOCK, type Clock, KeyRingCipher } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { deliveryMode } from '@ostracon/platforms';
import { type BulkheadPolicy, bulkhead, isBrokenCircuitError } from 'cockatiel';
import { PLATFORM_ADAPTERS, type PlatformAdapter, type PlatformTarget } from './adapters/platform-adapter';
import { CircuitBreakers } from './circuit-breakers';
import { type DeliveryOutcome, DeliveryRecorder } from './delivery-recorder';
import { directivePayload } from './directive-payload';
import { EnforcementReads } from './enforcement.reads';
import type { DirectiveToSend } from './enforcement.types';
import type { DeliverJob } from './queue';

/**
 * A batch's platform targets, opened once, by platform and whether its previous secret still
 * signs. A batch's rows come from one statement (EnforcementReads.toSend), so a platform's sealed
 * secrets are the same on each of them.
 */
type OpenedTargets = Map<string, PlatformTarget>;

/**
 * One turn of a delivery job: re-read the directive (or a relay pass's directives for one
 * platform), do nothing for one whose work is done, else send it through its platform's adapter
 * and breaker, and hand the result to the recorder.
 */
@Injectable()
export class DeliveryService implements OnApplicationShutdown {
  private readonly cipher: KeyRingCipher;
  private readonly breakers: CircuitBreakers;
  /** Directives of the jobs in hand are read together, one query for all. */
  private readonly reads: Batcher<string, DirectiveToSend | undefined>;
  /**
   * The POSTs under way, whichever job they belong to: DELIVERY_CONCURRENCY at most, the others
   * waiting their turn (cockatiel's bulkhead, its queue unbounded: a job's directives are already in
   * hand), so that a job carrying a relay pass sends as many at a time as that many jobs of one.
   */
  private readonly slots: BulkheadPolicy;

  constructor(
    private readonly directives: EnforcementReads,
    private readonly recorder: DeliveryRecorder,
    @Inject(PLATFORM_ADAPTERS) private readonly adapters: PlatformAdapter[],
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cipher = new KeyRingCipher(config.accounts.encryptionKeys);
    this.breakers = new CircuitBreakers(config.delivery.breakerFailures, config.delivery.breakerHalfOpenMs);
    this.slots = bulkhead(config.delivery.concurrency, Number.POSITIVE_INFINITY);
    this.reads = new Batcher(async (ids) => {
      const rows = new Map((await this.directives.toSend(ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id));
    });
  }

  onApplicationShutdown(): void {
    for (const adapter of this.adapters) adapter.close?.();
  }

  isBreakerOpen(platformId: string): boolean {
    return this.breakers.isOpen(platformId);
  }

  async deliver(job: DeliverJob): Promise<DeliveryOutcome> {
    return this.send(await this.reads.add(job.directiveId));
  }

  /**
   * A relay pass's directives for one platform (decision 0031): read in one query, sent as slots
   * free up, each recorded; the outcomes in the order of `ids`. A directive whose failed attempt
   * set its next time is left to the job of its own that the retry got. `settled` is called as
   * each directive is done with (the worker's watchdog counts it as progress).
   */
  async deliverBatch(ids: string[], settled: () => void = () => undefined): Promise<DeliveryOutcome[]> {
    const rows = new Map((await this.directives.toSend(ids)).map((r) => [r.id, r]));
    const now = this.clock.now().getTime();
    // The pass's platform secrets, opened once for the batch rather than once per directive.
    const targets: OpenedTargets = new Map();
    const outcomes = await Promise.allSettled(
      ids.map(async (id): Promise<DeliveryOutcome> => {
        const d = rows.get(id);
        if (d?.status === 'queued' && d.nextAttemptAt && d.nextAttemptAt.getTime() > now) {
          return { kind: 'done', note: 'waits for its retry' };
        }
        return this.send(d, targets).finally(settled);
      }),
    );
    // The job fails (and BullMQ runs it again) only once none of its POSTs is still under way, so
    // that the next run cannot send a directive a second time while its first POST is unanswered.
    const failure = outcomes.find((o) => o.status === 'rejected');
    if (failure) throw failure.reason;
    return outcomes.map((o) => (o as PromiseFulfilledResult<DeliveryOutcome>).value);
  }

  /** `targets`: the platforms' targets already opened for this batch, by platform (filled here). */
  private async send(d: DirectiveToSend | undefined, targets?: OpenedTargets): Promise<DeliveryOutcome> {
    if (!d) return { kind: 'done', note: 'no such directive' };
    // Jobs are added once the relay has committed (libs/enforcement OutboxRelay): a job sees its directive queued or beyond.
    if (d.status !== 'queued') return { kind: 'done', note: `already ${d.status}` };
    if (deliveryMode(d) === 'pull') return { kind: 'done', note: 'pull platform' };
    const at = this.clock.now();
    const target = this.targetOf(d, at, targets);
    const adapter = this.adapters.find((a) => a.handles(target));
    // A push platform no adapter takes is a configuration error: loud, and retried once it is fixed.
    if (!adapter) throw new Error(`no adapter delivers to platform ${d.platformId}`);

    const payload = directivePayload(d, this.cipher, at);
    try {
      // The breaker counts a `retry` result as a failure; an open breaker throws, and costs no attempt.
      // The signature's timestamp is checked against the receiver's wall clock, so it is the real
      // time, whatever the service's (injectable) clock says.
      const result = await this.slots.execute(() =>
        this.breakers.execute(d.platformId, () => adapter.deliver(target, payload, { webhookId: `msg_${d.id}`, at: new Date() })),
      );
      if (result.kind === 'delivered') {
        await this.recorder.recordDelivered(d.id, at, 'push');
        return { kind: 'done', note: 'delivered' };
      }
      return this.recorder.recordFailure(d, at, result);
    } catch (error) {
      if (!isBrokenCircuitError(error)) throw error;
      return { kind: 'retry', delayMs: this.breakers.retryAfterMs + Math.round(Math.random() * 1000), attempted: false };
    }
  }

  /** The target opened for an earlier directive of the batch, else opened now. */
  private targetOf(d: DirectiveToSend, now: Date, targets?: OpenedTargets): PlatformTarget {
    if (!targets) return this.target(d, now);
    const key = `${d.platformId}|${overlapping(d, now)}`;
    let target = targets.get(key);
    if (!target) targets.set(key, (target = this.target(d, now)));
    return target;
  }

  private target(d: DirectiveToSend, now: Date): PlatformTarget {
    const open = (data: Buffer | null, keyId: string | null) =>
      data && keyId ? this.cipher.open({ keyId, data }, `platform:${d.platformId}`).toString('utf8') : null;
    return {
      id: d.platformId,
      webhookUrl: d.webhookUrl,
      webhookSecret: open(d.webhookSecretEnc, d.webhookSecretKeyId),
      previousWebhookSecret: overlapping(d, now) ? open(d.webhookSecretPreviousEnc, d.webhookSecretPreviousKeyId) : null,
    };
  }
}

/** Whether a platform's previous webhook secret still signs at `now` (a rotation's overlap). */
function overlapping(d: DirectiveToSend, now: Date): boolean {
  return d.webhookSecretPreviousUntil !== null && d.webhookSecretPreviousUntil.getTime() > now.getTime();
}
