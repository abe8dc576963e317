import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type AuditScope, AuditService } from '@ostracon/audit';
import { type AuthenticatedClient, actorOf } from '@ostracon/auth';
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
import { DirectivePlanner, EnforcementStore, type PlatformEnforcement } from '@ostracon/enforcement';
import { type PreparedSignal, prepareSignal, signalDigest } from '@ostracon/identity';
import { PlatformsService } from '@ostracon/platforms';
import { PrivateSetStore, type SignalForElements } from '@ostracon/private-checks';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { BanOrder } from './ban-order.entity';
import { OFFENCES } from './offences';
import { checkOrderRules, orderStatus } from './order-rules';
import { OrderSignal } from './order-signal.entity';
import { orderView } from './order-view';
import { OrderErrors } from './orders.errors';
import type { CreateOrderInput, ListOrdersQuery, Offence, OrderView, RevokeOrderInput } from './orders.schemas';

/** Runs inside the order's transaction, with its view: the edge's Idempotency-Key record (apps/api). */
export type InOrderTransaction = (em: EntityManager, view: OrderView) => Promise<void>;

const cursorSchema = z.tuple([z.uuid()]);
const PLANNED = {
  status: 'pending',
  deliveredAt: null,
  enforcedAt: null,
  slaDeadline: null,
  liftedAt: null,
  outcome: null,
  acknowledgedAt: null,
} as const satisfies Partial<PlatformEnforcement>;

@Injectable()
export class OrdersService {
  private readonly accountCipher: KeyRingCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly platforms: PlatformsService,
    private readonly planner: DirectivePlanner,
    private readonly enforcement: EnforcementStore,
    private readonly privateSets: PrivateSetStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.accountCipher = new KeyRingCipher(config.accounts.encryptionKeys);
  }

  offences(): readonly Offence[] {
    return OFFENCES;
  }

  /**
   * A new order, in one transaction: the order, its keyed signal digests, its platforms with their
   * sealed accounts, a suspend directive each, the audit event, and whatever `inTransaction` adds.
   */
  async create(client: AuthenticatedClient, input: CreateOrderInput, inTransaction?: InOrderTransaction): Promise<OrderView> {
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
    const digests = new Map<string, { row: OrderSignal; signal: PreparedSignal }>();
    const orderId = uuidv7();
    for (const s of signals) {
      const digest = signalDigest(s.prehash, pepper.key);
      const row = Object.assign(new OrderSignal(), { orderId, type: s.type, keyId: pepper.keyId, digest });
      digests.set(digest.toString('hex'), { row, signal: s });
    }

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
        signalCount: digests.size,
        revokedAt: null,
        revocationReason: null,
        revocationDecisionReference: null,
      });
      // insert, not save: save would turn a clash on the key into a silent update.
      await em.insert(BanOrder, order);
      const kept = [...digests.values()];
      const inserted = await em.insert(
        OrderSignal,
        kept.map((k) => k.row),
      );
      const platforms = input.platforms.map((entry) => {
        const sealed = this.accountCipher.seal(Buffer.from(JSON.stringify(entry.accounts), 'utf8'), `${orderId}|${entry.platform}`);
        return { platformId: entry.platform, accountCount: entry.accounts.length, accountsEnc: sealed.data, accountsKeyId: sealed.keyId };
      });
      await this.planner.planOrder(em, order, platforms);
      // Just planned: every platform pending, nothing delivered yet (no need to read it back).
      const view = orderView(
        order,
        platforms.map((p) => ({ ...PLANNED, orderId, platformId: p.platformId, accountCount: p.accountCount })),
        now,
      );
      await inTransaction?.(em, view);
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
          accountCount: platforms.reduce((n, p) => n + p.accountCount, 0),
        },
      });
      // Last, once order_platforms is written: the private sets' elements, from the prehashes at hand,
      // and the sets of the platforms it names (docs/private-checks.md § Intake). The sets' lock is
      // taken here, so it is held for the commit only.
      await this.privateSets.addOrder(
        em,
        orderId,
        kept.map((k, i): SignalForElements => ({
          signalId: String(inserted.identifiers[i]!.id),
          prehash: k.signal.prehash,
          strength: k.signal.strength,
        })),
        now,
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
      const platforms = await this.enforcement.platformsOf(em, [id]);
      await this.audit.record(em, { type: 'order.read', actor: actorOf(client), orderId: id });
      return orderView(order, platforms, this.clock.now());
    });
  }

  /** GET /v1/orders: an authority sees its organisation's orders, an auditor every order. Newest first. */
  async list(client: AuthenticatedClient, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const qb = em
        .createQueryBuilder(BanOrder, 'o')
        .orderBy('o.id', 'DESC')
        .take(query.limit + 1);
      if (client.role === 'authority') qb.andWhere('o.organisation_id = :organisation', { organisation: client.organisationId });
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
      const platforms = await this.enforcement.platformsOf(
        em,
        items.map((o) => o.id),
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
      const platforms = await this.enforcement.platformsOf(em, [id]);
      await this.audit.record(em, {
        type: 'order.revoked',
        actor: actorOf(client),
        orderId: id,
        data: { decisionReference: input.decisionReference, previousStatus: status },
      });
      // Out of the private sets with this commit (last: the sets' lock is held to the commit).
      await this.privateSets.refresh(em, [id], now);
      return orderView(order, platforms, now);
    });
  }

  /** Which audit events a client may read: every one (an auditor), or those of its organisation's orders (an authority). */
  async auditScope(client: AuthenticatedClient): Promise<AuditScope> {
    if (client.role === 'auditor') return { all: true };
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM ban_orders WHERE organisation_id = $1`, [
      client.organisationId,
    ]);
    return { orderIds: rows.map((r) => r.id) };
  }

  private async findVisible(em: EntityManager, client: AuthenticatedClient, id: string, forUpdate = false): Promise<BanOrder> {
    const notFound = () => new DomainError(OrderErrors.notFound, 'No order with this id that this client may see');
    if (!z.uuid().safeParse(id).success) throw notFound();
    const order = await em.findOne(BanOrder, { where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!order) throw notFound();
    if (client.role === 'authority' && order.organisationId !== client.organisationId) throw notFound();
    return order;
  }
}

function byOrder(platforms: PlatformEnforcement[], orderId: string): PlatformEnforcement[] {
  return platforms.filter((p) => p.orderId === orderId);
}
