import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Actor, AuditService } from '@ostracon/audit';
import type { AuthenticatedClient } from '@ostracon/auth';
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
} from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { IdempotencyStore } from '@ostracon/database';
import { DirectivePlanner } from '@ostracon/enforcement';
import { type PreparedSignal, prepareSignal, signalDigest } from '@ostracon/identity';
import { PlatformsService } from '@ostracon/platforms';
import canonicalize from 'canonicalize';
import { DataSource, type EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { BanOrder } from './ban-order.entity';
import { OFFENCES, type Offence } from './offences';
import { checkOrderRules, orderStatus } from './order-rules';
import { OrderPlatform } from './order-platform.entity';
import { OrderSignal } from './order-signal.entity';
import { OrderErrors } from './orders.errors';
import type { CreateOrderInput, ListOrdersQuery, OrderView, RevokeOrderInput } from './orders.schemas';

export interface CreateOrderResult {
  status: number;
  body: OrderView;
  replayed: boolean;
}

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const cursorSchema = z.tuple([z.uuid()]);

@Injectable()
export class OrdersService {
  private readonly accountCipher: KeyRingCipher;
  private readonly idempotency: IdempotencyStore;
  private readonly requestHashKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly platforms: PlatformsService,
    private readonly planner: DirectivePlanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.accountCipher = new KeyRingCipher(config.accounts.encryptionKeys);
    this.idempotency = new IdempotencyStore(dataSource);
    // Request bodies carry identity values: their fingerprint is keyed, so it confirms nothing offline.
    this.requestHashKey = createHmac('sha256', config.signals.peppers[0]!.key).update('ostracon:idempotency:v1').digest();
  }

  offences(): readonly Offence[] {
    return OFFENCES;
  }

  /** POST /v1/orders, exactly once per Idempotency-Key. */
  async create(client: AuthenticatedClient, idempotencyKey: string | undefined, input: CreateOrderInput): Promise<CreateOrderResult> {
    if (!idempotencyKey || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new DomainError(OrderErrors.idempotencyKeyRequired, 'Send an Idempotency-Key header of 1 to 255 visible ASCII characters');
    }
    const requestHash = createHmac('sha256', this.requestHashKey)
      .update(canonicalize(input) ?? '')
      .digest();
    const claim = await this.idempotency.claim(client.id, idempotencyKey, requestHash, this.config.idempotency.lockSeconds);
    switch (claim.outcome) {
      case 'replay':
        return { status: claim.status, body: claim.body as OrderView, replayed: true };
      case 'mismatch':
        throw new DomainError(OrderErrors.idempotencyMismatch);
      case 'in_flight':
        throw new DomainError(OrderErrors.idempotencyInFlight, 'Retry once the first request has finished', undefined, {
          'retry-after': '1',
        });
    }
    try {
      const body = await this.insertOrder(client, input, async (em, view) => {
        await this.idempotency.complete(em, client.id, idempotencyKey, 201, view);
      });
      return { status: 201, body, replayed: false };
    } catch (error) {
      // Released before the answer, so that a corrected retry is not a 409; when PostgreSQL is down
      // the answer (503) goes now and the release follows once it is back.
      const { token } = claim;
      await this.idempotency
        .release(client.id, idempotencyKey, token)
        .catch(() => void this.idempotency.releaseEventually(client.id, idempotencyKey, token, this.config.idempotency.lockSeconds));
      throw error;
    }
  }

  private async insertOrder(
    client: AuthenticatedClient,
    input: CreateOrderInput,
    inTransaction: (em: EntityManager, view: OrderView) => Promise<void>,
  ): Promise<OrderView> {
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
    const digests = new Map<string, OrderSignal>();
    const orderId = uuidv7();
    for (const s of signals) {
      const digest = signalDigest(s.prehash, pepper.key);
      digests.set(digest.toString('hex'), Object.assign(new OrderSignal(), { orderId, type: s.type, keyId: pepper.keyId, digest }));
    }

    return this.dataSource.transaction(async (em) => {
      const order = em.create(BanOrder, {
        id: orderId,
        authorityClientId: client.id,
        courtReference: input.courtReference,
        court: input.court,
        decisionDate: input.decisionDate,
        legalBasis: input.legalBasis,
        offence: input.offence,
        repeatOffender: input.repeatOffender,
        startsAt,
        endsAt,
        signalCount: digests.size,
        revokedAt: null,
        revocationReason: null,
        revocationDecisionReference: null,
      });
      // insert, not save: save would turn a clash on the key into a silent update.
      await em.insert(BanOrder, order);
      await em.insert(OrderSignal, [...digests.values()]);
      const platformRows = input.platforms.map((entry) => {
        const sealed = this.accountCipher.seal(Buffer.from(JSON.stringify(entry.accounts), 'utf8'), `${orderId}|${entry.platform}`);
        return em.create(OrderPlatform, {
          orderId,
          platformId: entry.platform,
          status: 'pending',
          accountCount: entry.accounts.length,
          accountsEnc: sealed.data,
          accountsKeyId: sealed.keyId,
          deliveredAt: null,
          enforcedAt: null,
          slaDeadline: null,
          liftedAt: null,
          outcome: null,
          acknowledgedAt: null,
        });
      });
      await em.insert(OrderPlatform, platformRows);
      await this.planner.planSuspends(em, order, platformIds);
      const view = toView(order, platformRows, now);
      await inTransaction(em, view);
      await this.audit.record(em, {
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
          accountCount: platformRows.reduce((n, p) => n + p.accountCount, 0),
        },
      });
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

  /** GET /v1/orders/{id}: its authority or an auditor; anyone else is told it does not exist. */
  async get(client: AuthenticatedClient, id: string): Promise<OrderView> {
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id);
      const platforms = await em.find(OrderPlatform, { where: { orderId: id }, order: { platformId: 'ASC' } });
      await this.audit.record(em, { type: 'order.read', actor: actorOf(client), orderId: id });
      return toView(order, platforms, this.clock.now());
    });
  }

  /** GET /v1/orders: an authority sees its own orders, an auditor every order. Newest first. */
  async list(client: AuthenticatedClient, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const qb = em
        .createQueryBuilder(BanOrder, 'o')
        .orderBy('o.id', 'DESC')
        .take(query.limit + 1);
      if (client.role === 'authority') qb.andWhere('o.authority_client_id = :client', { client: client.id });
      if (query.courtReference) qb.andWhere('o.court_reference = :ref', { ref: query.courtReference });
      if (query.platform) {
        qb.andWhere('EXISTS (SELECT 1 FROM order_platforms op WHERE op.order_id = o.id AND op.platform_id = :platform)', {
          platform: query.platform,
        });
      }
      switch (query.status) {
        case 'revoked':
          qb.andWhere('o.revoked_at IS NOT NULL');
          break;
        case 'scheduled':
          qb.andWhere('o.revoked_at IS NULL AND o.starts_at > :now', { now });
          break;
        case 'active':
          qb.andWhere('o.revoked_at IS NULL AND o.starts_at <= :now AND o.ends_at > :now', { now });
          break;
        case 'expired':
          qb.andWhere('o.revoked_at IS NULL AND o.ends_at <= :now', { now });
          break;
      }
      if (query.after) {
        const [lastId] = decodeCursor(query.after, cursorSchema);
        qb.andWhere('o.id < :lastId', { lastId });
      }
      const rows = await qb.getMany();
      const items = rows.slice(0, query.limit);
      const platforms = items.length
        ? await em.find(OrderPlatform, { where: { orderId: In(items.map((o) => o.id)) }, order: { platformId: 'ASC' } })
        : [];
      await this.audit.record(em, {
        type: 'order.listed',
        actor: actorOf(client),
        data: { filter: { status: query.status, platform: query.platform, courtReference: query.courtReference }, count: items.length },
      });
      return {
        items: items.map((o) =>
          toView(
            o,
            platforms.filter((p) => p.orderId === o.id),
            now,
          ),
        ),
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
      order.revokedAt = now;
      order.revocationReason = input.reason;
      order.revocationDecisionReference = input.decisionReference;
      await em.update(
        BanOrder,
        { id },
        { revokedAt: now, revocationReason: input.reason, revocationDecisionReference: input.decisionReference },
      );
      // The signals stop matching with this commit; the platforms are told to lift.
      await this.planner.planLifts(em, id, now, actorOf(client));
      const platforms = await em.find(OrderPlatform, { where: { orderId: id }, order: { platformId: 'ASC' } });
      await this.audit.record(em, {
        type: 'order.revoked',
        actor: actorOf(client),
        orderId: id,
        data: { decisionReference: input.decisionReference, previousStatus: status },
      });
      return toView(order, platforms, now);
    });
  }

  private async findVisible(em: EntityManager, client: AuthenticatedClient, id: string, forUpdate = false): Promise<BanOrder> {
    const notFound = () => new DomainError(OrderErrors.notFound, 'No order with this id that this client may see');
    if (!z.uuid().safeParse(id).success) throw notFound();
    const order = await em.findOne(BanOrder, { where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!order) throw notFound();
    if (client.role === 'authority' && order.authorityClientId !== client.id) throw notFound();
    return order;
  }
}

export function actorOf(client: AuthenticatedClient): Actor {
  return `client:${client.id}`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Answered by the deadline: true; deadline passed without an answer, or answered late: false. */
function slaMet(p: OrderPlatform, now: Date): boolean | null {
  if (!p.slaDeadline) return null;
  if (p.acknowledgedAt) return p.acknowledgedAt.getTime() <= p.slaDeadline.getTime();
  return now.getTime() > p.slaDeadline.getTime() ? false : null;
}

function toView(order: BanOrder, platforms: OrderPlatform[], now: Date): OrderView {
  return {
    id: order.id,
    status: orderStatus(order, now),
    courtReference: order.courtReference,
    court: order.court,
    decisionDate: order.decisionDate,
    legalBasis: order.legalBasis,
    offence: order.offence,
    repeatOffender: order.repeatOffender,
    startsAt: order.startsAt.toISOString(),
    endsAt: order.endsAt.toISOString(),
    signalCount: order.signalCount,
    platforms: platforms.map((p) => ({
      platform: p.platformId,
      status: p.status,
      accountCount: p.accountCount,
      deliveredAt: iso(p.deliveredAt),
      enforcedAt: iso(p.enforcedAt),
      slaDeadline: iso(p.slaDeadline),
      liftedAt: iso(p.liftedAt),
      outcome: p.outcome,
      slaMet: slaMet(p, now),
    })),
    createdAt: order.createdAt.toISOString(),
    revokedAt: iso(order.revokedAt),
    revocation:
      order.revokedAt && order.revocationReason
        ? { reason: order.revocationReason, decisionReference: order.revocationDecisionReference ?? '' }
        : null,
  };
}
