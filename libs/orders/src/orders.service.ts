import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type AuditScope, AuditService } from '@ostracon/audit';

import {
  CLOCK,
  type Clock,
  DomainError,
  type FieldError,
  KeyRingCipher,
  type Page,
  decodeCursor,
  encodeCursor,
  parisDate,
  type AuthenticatedClient,
  actorOf,
} from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type PreparedSignal, prepareSignal, signalDigest } from '@ostracon/identity';
import { PlatformsService } from '@ostracon/platforms';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { BanOrder } from './ban-order.entity';
import { OFFENCES } from './offences';
import { checkOrderRules, orderStatus } from './order-rules';
import { OrderChanges, type OrderPlatformState } from './order-changes';
import { orderView } from './order-view';
import { OrderStore } from './order.store';
import { OrderErrors } from './orders.errors';
import type { CreateOrderInput, ListOrdersQuery, Offence, OrderView, RevokeOrderInput } from './orders.schemas';

const cursorSchema = z.tuple([z.uuid()]);
const PLANNED = {
  status: 'pending',
  deliveredAt: null,
  enforcedAt: null,
  slaDeadline: null,
  liftedAt: null,
  outcome: null,
  slaMet: null,
} as const satisfies Partial<OrderPlatformState>;

@Injectable()
export class OrdersService {
  private readonly accountCipher: KeyRingCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly platforms: PlatformsService,
    private readonly store: OrderStore,
    private readonly changes: OrderChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.accountCipher = new KeyRingCipher(config.accounts.encryptionKeys);
  }

  offences(): readonly Offence[] {
    return OFFENCES;
  }

  /**
   * A new order, in one transaction: the order, its keyed signal digests, and what its publication
   * brings (its platforms with their sealed accounts and a suspend each, the request's
   * Idempotency-Key record, the audit event, the private sets' elements).
   */
  async create(client: AuthenticatedClient, input: CreateOrderInput, request: { idempotencyKey?: string } = {}): Promise<OrderView> {
    const now = this.clock.now();
    const { startsAt, endsAt } = checkOrderRules(input, now);
    const signals = this.prepareSignals(input, now);
    const platformIds = input.platforms.map((p) => p.platform);
    const unknown = await this.platforms.unknownIds(platformIds);
    if (unknown.length > 0) {
      throw new DomainError(
        OrderErrors.unknownPlatform,
        'Every platform an order names must be registered with the service',
        unknown.map((id) => ({ path: `platforms[${platformIds.indexOf(id)}].platform`, message: 'unknown platform' })),
      );
    }

    const pepper = this.config.signals.peppers[0]!;
    const orderId = uuidv7();
    const rows = signals.map((s) => ({ orderId, type: s.type, keyId: pepper.keyId, digest: signalDigest(s.prehash, pepper.key) }));

    return this.dataSource.transaction(async (em) => {
      const order = em.create(BanOrder, {
        id: orderId,
        organisationId: client.organisationId,
        courtReference: input.courtReference,
        court: input.court,
        decisionDate: input.decisionDate,
        legalBasis: input.legalBasis,
        offence: input.offence,
        repeatOffender: input.repeatOffender,
        startsAt,
        endsAt,
        signalCount: rows.length,
        revokedAt: null,
        revocationReason: null,
        revocationDecisionReference: null,
      });
      const signalIds = await this.store.insert(em, order, rows);
      const platforms = input.platforms.map((entry) => {
        const sealed = this.accountCipher.seal(Buffer.from(JSON.stringify(entry.accounts), 'utf8'), `${orderId}|${entry.platform}`);
        return { platformId: entry.platform, accountCount: entry.accounts.length, accountsEnc: sealed.data, accountsKeyId: sealed.keyId };
      });
      // Just planned: every platform pending, nothing delivered yet (no need to read it back).
      const view = orderView(
        order,
        platforms.map((p) => ({ ...PLANNED, orderId, platformId: p.platformId, accountCount: p.accountCount })),
        now,
      );
      await this.changes.publish(
        em,
        {
          type: 'created',
          at: now,
          order,
          platforms,
          signals: signals.map((s, i) => ({ signalId: signalIds[i]!, prehash: s.prehash, strength: s.strength })),
          view,
          request: { caller: client, ...request },
        },
        [
          {
            type: 'order.created',
            actor: actorOf(client),
            orderId,
            data: {
              legalBasis: order.legalBasis,
              offence: order.offence,
              repeatOffender: order.repeatOffender,
              startsAt: view.startsAt,
              endsAt: view.endsAt,
              platforms: platformIds,
              signalCount: order.signalCount,
              accountCount: platforms.reduce((n, p) => n + p.accountCount, 0),
            },
          },
        ],
      );
      return view;
    });
  }

  /** Every signal through libs/identity; all invalid ones are reported together, by index. */
  private prepareSignals(input: CreateOrderInput, now: Date): PreparedSignal[] {
    const context = { defaultCountry: this.config.signals.defaultPhoneCountry, today: parisDate(now) };
    const named = new Set(input.platforms.map((p) => p.platform));
    const prepared: PreparedSignal[] = [];
    const invalid: FieldError[] = [];
    const strayDevices: FieldError[] = [];
    const duplicates: FieldError[] = [];
    /** Index of the first signal with each prehash: two spellings of one e-mail are one signal. */
    const first = new Map<string, number>();
    input.subject.signals.forEach((signal, index) => {
      const path = `subject.signals[${index}]`;
      if (signal.type === 'device' && signal.platform !== undefined && !named.has(signal.platform)) {
        strayDevices.push({ path: `${path}.platform`, message: 'not one of the order platforms' });
        return;
      }
      const result = prepareSignal(signal, context);
      if (!result.ok) {
        invalid.push({ path, message: result.reason });
        return;
      }
      const earlier = first.get(result.signal.prehash);
      if (earlier !== undefined) {
        duplicates.push({ path, message: `the same signal as subject.signals[${earlier}]` });
        return;
      }
      first.set(result.signal.prehash, index);
      prepared.push(result.signal);
    });
    if (invalid.length > 0) {
      throw new DomainError(OrderErrors.signalInvalid, 'Fix the signals listed in errors (index and reason)', invalid);
    }
    if (strayDevices.length > 0) throw new DomainError(OrderErrors.devicePlatformNotNamed, undefined, strayDevices);
    if (duplicates.length > 0) {
      throw new DomainError(
        OrderErrors.signalDuplicate,
        'Give each signal once (compared after normalization, docs/signals.md)',
        duplicates,
      );
    }
    return prepared;
  }

  /** GET /v1/orders/{id}: its authority's keys and people, or an auditor; anyone else is told it does not exist. */
  async get(client: AuthenticatedClient, id: string): Promise<OrderView> {
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id);
      const now = this.clock.now();
      const platforms = await this.changes.platformsOf(em, [id], now);
      await this.audit.record(em, { type: 'order.read', actor: actorOf(client), orderId: id });
      return orderView(order, platforms, now);
    });
  }

  /** GET /v1/orders: an authority sees its organisation's orders, an auditor every order. Newest first. */
  async list(client: AuthenticatedClient, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const rows = await this.store.list(
        em,
        {
          organisationId: client.role === 'authority' ? client.organisationId : undefined,
          courtReference: query.courtReference,
          platform: query.platform,
          status: query.status,
          beforeId: query.after ? decodeCursor(query.after, cursorSchema)[0] : undefined,
          limit: query.limit,
        },
        now,
      );
      const items = rows.slice(0, query.limit);
      const platforms = await this.changes.platformsOf(
        em,
        items.map((o) => o.id),
        now,
      );
      await this.audit.record(em, {
        type: 'order.listed',
        actor: actorOf(client),
        data: { filter: { status: query.status, platform: query.platform, courtReference: query.courtReference }, count: items.length },
      });
      return {
        items: items.map((o) => orderView(o, byOrder(platforms, o.id), now)),
        nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null,
      };
    });
  }

  /** POST /v1/orders/{id}/revoke: the issuing authority ends the order early. */
  async revoke(client: AuthenticatedClient, id: string, input: RevokeOrderInput): Promise<OrderView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id, true);
      const status = orderStatus(order, now);
      if (status === 'revoked' || status === 'expired') {
        throw new DomainError(OrderErrors.notRevocable, `The order is ${status}; there is nothing left to revoke`);
      }
      const revocation = { at: now, reason: input.reason, decisionReference: input.decisionReference };
      await this.store.revoke(em, id, revocation);
      Object.assign(order, { revokedAt: now, revocationReason: input.reason, revocationDecisionReference: input.decisionReference });
      // The signals stop matching with this commit; the platforms are told to lift.
      await this.changes.publish(em, { type: 'revoked', at: now, orderId: id, actor: actorOf(client) }, [
        {
          type: 'order.revoked',
          actor: actorOf(client),
          orderId: id,
          data: { decisionReference: input.decisionReference, previousStatus: status },
        },
      ]);
      const platforms = await this.changes.platformsOf(em, [id], now);
      return orderView(order, platforms, now);
    });
  }

  /**
   * Which audit events a client may read: every one (an auditor), or those of its organisation's
   * orders (an authority); with a court reference, those of the orders it names among them — none
   * for another organisation's reference, which says nothing of whether it exists.
   */
  async auditScope(client: AuthenticatedClient, courtReference?: string): Promise<AuditScope> {
    if (courtReference !== undefined) {
      const organisation = client.role === 'auditor' ? null : client.organisationId;
      return { orderIds: await this.store.idsWithCourtReference(this.dataSource, courtReference, organisation) };
    }
    if (client.role === 'auditor') return { all: true };
    return { orderIds: await this.store.idsOfOrganisation(this.dataSource, client.organisationId) };
  }

  private async findVisible(em: EntityManager, client: AuthenticatedClient, id: string, forUpdate = false): Promise<BanOrder> {
    const notFound = () => new DomainError(OrderErrors.notFound, 'No order with this id that this client may see');
    if (!z.uuid().safeParse(id).success) throw notFound();
    const order = await this.store.find(em, id, forUpdate);
    if (!order) throw notFound();
    if (client.role === 'authority' && order.organisationId !== client.organisationId) throw notFound();
    return order;
  }
}

function byOrder(platforms: OrderPlatformState[], orderId: string): OrderPlatformState[] {
  return platforms.filter((p) => p.orderId === orderId);
}
