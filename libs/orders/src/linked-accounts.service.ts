import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import {
  type AuthenticatedClient,
  CLOCK,
  type Clock,
  DomainError,
  type FieldError,
  KeyRingCipher,
  actorOf,
  parisDate,
} from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type PreparedSignal, type SignalStrength, prepareSignal, signalDigest } from '@ostracon/identity';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { BanOrder } from './ban-order.entity';
import { type LinkedAccountReport, LinkedAccountStore } from './linked-account.store';
import { LinkedAccountErrors } from './linked-accounts.errors';
import type { LinkedAccountDecisionInput, LinkedAccountList, LinkedAccountView, ReportLinkedAccountInput } from './linked-accounts.schemas';
import { OrderChanges, type LinkedDirectiveState } from './order-changes';
import { orderStatus } from './order-rules';
import { OrderStore } from './order.store';

/** The reported prehashes, as sealed until the decision. */
type SealedSignals = { type: PreparedSignal['type']; prehash: string; strength: SignalStrength }[];

const accountAad = (reportId: string) => `linked:${reportId}`;
const signalsAad = (reportId: string) => `linked-signals:${reportId}`;

/**
 * The person's other accounts (issue 30 §2, decision 0026): a platform enforcing an order reports
 * an account it linked to the person, with prehashed signals; the order's authority accepts or
 * rejects it. Accepted, the account gets its own suspend on that platform (and lift when the order
 * ends), and its signals are matched for sign-ups on that platform only: art. 131-35-1 scopes the
 * ban per platform.
 */
@Injectable()
export class LinkedAccountsService {
  private readonly cipher: KeyRingCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly store: LinkedAccountStore,
    private readonly orders: OrderStore,
    private readonly changes: OrderChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cipher = new KeyRingCipher(config.accounts.encryptionKeys);
  }

  /** POST /v1/orders/{orderId}/linked-accounts, by a platform the order names, while the order is active or scheduled. */
  async report(client: AuthenticatedClient, orderId: string, input: ReportLinkedAccountInput): Promise<LinkedAccountView> {
    const platformId = client.platformId!;
    const signals = this.prepareSignals(input);
    const pepper = this.config.signals.peppers[0]!;
    const id = uuidv7();
    return this.dataSource.transaction(async (em) => {
      const order = await this.orderOfPlatform(em, orderId, platformId);
      const now = this.clock.now();
      this.mustBeInForce(order, now);
      const account = this.cipher.seal(Buffer.from(JSON.stringify([{ accountId: input.accountId }]), 'utf8'), accountAad(id));
      const sealedSignals = this.cipher.seal(Buffer.from(JSON.stringify(signals satisfies SealedSignals), 'utf8'), signalsAad(id));
      const inserted = await this.store.insert(em, {
        id,
        orderId,
        platformId,
        reportedBy: client.id,
        accountDigest: createHmac('sha256', pepper.key).update(`linked-account\n${platformId}\n${input.accountId}`).digest(),
        accountDigestKeyId: pepper.keyId,
        accountEnc: account.data,
        accountKeyId: account.keyId,
        signalsEnc: sealedSignals.data,
        signalsKeyId: sealedSignals.keyId,
        signalTypes: signals.map((s) => s.type),
        at: now,
      });
      if (!inserted) throw new DomainError(LinkedAccountErrors.duplicate, 'This platform already reported this account for this order');
      await this.audit.record(em, {
        type: 'linked_account.reported',
        actor: actorOf(client),
        orderId,
        platformId,
        data: { reportId: id, signalCount: signals.length, signalTypes: signals.map((s) => s.type) },
      });
      // The row just written, already locked by this transaction.
      return this.view((await this.store.lock(em, orderId, id))!, []);
    });
  }

  /**
   * GET /v1/orders/{orderId}/linked-accounts: the order's authority sees every report with the
   * account ids (the court needs them); a platform sees its own reports only. An audited read.
   */
  async list(client: AuthenticatedClient, orderId: string): Promise<LinkedAccountList> {
    return this.dataSource.transaction(async (em) => {
      const ownOnly = client.role === 'platform';
      if (ownOnly) await this.orderOfPlatform(em, orderId, client.platformId!);
      else await this.orderOfAuthority(em, client, orderId);
      const reports = await this.store.ofOrder(em, orderId, ownOnly ? client.platformId! : undefined);
      const directives = await this.changes.linkedDirectivesOf(em, orderId);
      await this.audit.record(em, {
        type: 'linked_account.listed',
        actor: actorOf(client),
        orderId,
        ...(ownOnly ? { platformId: client.platformId! } : {}),
        data: { count: reports.length },
      });
      return { items: reports.map((r) => this.view(r, directives)) };
    });
  }

  /** POST /v1/orders/{orderId}/linked-accounts/{reportId}/decision, by the order's authority; once. */
  async decide(
    client: AuthenticatedClient,
    orderId: string,
    reportId: string,
    input: LinkedAccountDecisionInput,
  ): Promise<LinkedAccountView> {
    return this.dataSource.transaction(async (em) => {
      // Locked: a revocation or an expiry waits, so an accepted account's suspend is always lifted with the order's.
      const order = await this.orderOfAuthority(em, client, orderId, true);
      const now = this.clock.now();
      const notFound = () => new DomainError(LinkedAccountErrors.notFound, 'No linked-account report with this id on this order');
      if (!z.uuid().safeParse(reportId).success) throw notFound();
      const report = await this.store.lock(em, orderId, reportId);
      if (!report) throw notFound();
      if (report.status !== 'reported')
        throw new DomainError(LinkedAccountErrors.alreadyDecided, `The report was already ${report.status}`);
      const actor = actorOf(client);
      const data = { reportId, signalCount: report.signalTypes.length, signalTypes: report.signalTypes };
      if (input.decision === 'reject') {
        await this.store.reject(em, reportId, now, actor);
        await this.audit.record(em, { type: 'linked_account.rejected', actor, orderId, platformId: report.platformId, data });
      } else {
        this.mustBeInForce(order, now);
        const signals = JSON.parse(
          this.cipher.open({ keyId: report.signalsKeyId!, data: report.signalsEnc! }, signalsAad(reportId)).toString('utf8'),
        ) as SealedSignals;
        const pepper = this.config.signals.peppers[0]!;
        const ids = await this.orders.addPlatformSignals(
          em,
          orderId,
          report.platformId,
          signals.map((s) => ({ type: s.type, keyId: pepper.keyId, digest: signalDigest(s.prehash, pepper.key) })),
        );
        await this.store.accept(em, reportId, now, actor);
        await this.changes.publish(
          em,
          {
            type: 'linked_accepted',
            at: now,
            order: { id: order.id, startsAt: order.startsAt, endsAt: order.endsAt },
            platformId: report.platformId,
            reportId,
            signals: signals.map((s, i) => ({ signalId: ids[i]!, prehash: s.prehash, strength: s.strength })),
          },
          [{ type: 'linked_account.accepted', actor, orderId, platformId: report.platformId, data }],
        );
      }
      const decided = (await this.store.lock(em, orderId, reportId))!;
      return this.view(decided, await this.changes.linkedDirectivesOf(em, orderId));
    });
  }

  private prepareSignals(input: ReportLinkedAccountInput): SealedSignals {
    const context = { defaultCountry: this.config.signals.defaultPhoneCountry, today: parisDate(this.clock.now()) };
    const invalid: FieldError[] = [];
    const seen = new Set<string>();
    const prepared: SealedSignals = [];
    (input.signals ?? []).forEach((signal, index) => {
      const result = prepareSignal(signal, context);
      if (!result.ok) invalid.push({ path: `signals[${index}]`, message: result.reason });
      else if (seen.has(result.signal.prehash)) invalid.push({ path: `signals[${index}]`, message: 'the same signal twice' });
      else {
        seen.add(result.signal.prehash);
        prepared.push({ type: result.signal.type, prehash: result.signal.prehash, strength: result.signal.strength });
      }
    });
    if (invalid.length > 0) throw new DomainError(LinkedAccountErrors.signalInvalid, 'Fix the signals listed in errors', invalid);
    return prepared;
  }

  /** The order, if it names this platform; else not found (a platform learns nothing of other orders). */
  private async orderOfPlatform(em: EntityManager, orderId: string, platformId: string): Promise<BanOrder> {
    const notFound = () => new DomainError(LinkedAccountErrors.orderNotFound, 'No order with this id names this platform');
    if (!z.uuid().safeParse(orderId).success) throw notFound();
    const order = await this.orders.find(em, orderId);
    if (!order) throw notFound();
    const platforms = await this.changes.platformsOf(em, [orderId], this.clock.now());
    if (!platforms.some((p) => p.platformId === platformId)) throw notFound();
    return order;
  }

  private async orderOfAuthority(em: EntityManager, client: AuthenticatedClient, orderId: string, forUpdate = false): Promise<BanOrder> {
    const notFound = () => new DomainError(LinkedAccountErrors.orderNotFound, 'No order with this id that this client may see');
    if (!z.uuid().safeParse(orderId).success) throw notFound();
    const order = await this.orders.find(em, orderId, forUpdate);
    if (!order || order.organisationId !== client.organisationId) throw notFound();
    return order;
  }

  private mustBeInForce(order: BanOrder, now: Date): void {
    const status = orderStatus(order, now);
    if (status !== 'active' && status !== 'scheduled') {
      throw new DomainError(LinkedAccountErrors.orderNotInForce, `The order is ${status}: it binds no platform any more`);
    }
  }

  private view(r: LinkedAccountReport, directives: LinkedDirectiveState[]): LinkedAccountView {
    const accountId =
      r.accountEnc && r.accountKeyId
        ? (
            JSON.parse(this.cipher.open({ keyId: r.accountKeyId, data: r.accountEnc }, accountAad(r.id)).toString('utf8')) as {
              accountId: string;
            }[]
          )[0]!.accountId
        : null;
    return {
      id: r.id,
      orderId: r.orderId,
      platform: r.platformId,
      accountId,
      signalTypes: r.signalTypes,
      signalCount: r.signalTypes.length,
      status: r.status,
      reportedAt: r.reportedAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
      directives: directives
        .filter((d) => d.reportId === r.id)
        .map((d) => ({ id: d.id, type: d.type, status: d.status, outcome: d.outcome })),
    };
  }
}
