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
import { checkOrderRules, orderStatus, resumedWindow } from './order-rules';
import { OrderChanges, type OrderPlatformState } from './order-changes';
import { orderView } from './order-view';
import { OrderStore } from './order.store';
import { OrderErrors } from './orders.errors';
import { ordersCsv } from './orders-csv';
import {
  type AppealOrderInput,
  type AppealOutcomeInput,
  type CreateOrderInput,
  type RelieveOrderInput,
  EXPORT_LIMIT,
  type ExportOrdersQuery,
  type LateSummary,
  type ListOrdersQuery,
  type Offence,
  type OrderProgress,
  type OrderView,
  type RevokeOrderInput,
} from './orders.schemas';

const cursorSchema = z.tuple([z.uuid()]);
const PLANNED = {
  status: 'pending',
  deliveredAt: null,
  enforcedAt: null,
  slaDeadline: null,
  liftedAt: null,
  outcome: null,
  slaMet: null,
  overdue: false,
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
      // A reference registered twice is more often a slip than a second decision: said, unless confirmed.
      if (!input.duplicateReferenceConfirmed && (await this.store.referenceTaken(em, client.organisationId, input.courtReference))) {
        throw new DomainError(
          OrderErrors.duplicateReference,
          'Your organisation already registered an order with this court reference; send duplicateReferenceConfirmed: true to register another',
        );
      }
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
        endedBy: null,
        suspendedAt: null,
        appealedAt: null,
        appealLodgedOn: null,
        appealReference: null,
        appealDecidedAt: null,
        appealDecidedOn: null,
        appealOutcome: null,
        appealDecisionReference: null,
        reliefDecidedOn: null,
        reliefDecisionReference: null,
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
              ...(input.duplicateReferenceConfirmed ? { duplicateReferenceConfirmed: true } : {}),
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

  /**
   * GET /v1/orders/{id}/progress: the order's status and its platforms' progress, for a page that
   * polls it every few seconds. Not audited, unlike `get`: it carries none of the order's terms nor
   * anything about the person (ids, statuses, instants and counts), and the page reads the order
   * again (an audited read) only when this changed.
   */
  async progress(client: AuthenticatedClient, id: string): Promise<OrderProgress> {
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id);
      const now = this.clock.now();
      const { status, platforms, revokedAt } = orderView(order, await this.changes.platformsOf(em, [id], now), now);
      return { id, status, platforms, revokedAt };
    });
  }

  /** GET /v1/orders: an authority sees its organisation's orders, an auditor every order. Newest first. */
  async list(client: AuthenticatedClient, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const rows = await this.store.list(
        em,
        {
          ...this.filterOf(client, query),
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
        data: { filter: filterData(query), count: items.length },
      });
      return {
        items: items.map((o) => orderView(o, byOrder(platforms, o.id), now)),
        nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null,
      };
    });
  }

  /**
   * GET /v1/orders/export: the list's orders as CSV (RFC 4180, a cell a spreadsheet would run as a
   * formula defused), every one the filters match, newest first; audited as a listing in CSV.
   */
  async exportCsv(client: AuthenticatedClient, query: ExportOrdersQuery): Promise<string> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const rows = await this.store.list(em, { ...this.filterOf(client, query), limit: EXPORT_LIMIT }, now);
      if (rows.length > EXPORT_LIMIT) {
        throw new DomainError(OrderErrors.exportTooLarge, `More than ${EXPORT_LIMIT} orders match: narrow the filters`);
      }
      const platforms = await this.changes.platformsOf(
        em,
        rows.map((o) => o.id),
        now,
      );
      await this.audit.record(em, {
        type: 'order.listed',
        actor: actorOf(client),
        data: { filter: filterData(query), count: rows.length, format: 'csv' },
      });
      return ordersCsv(rows.map((o) => orderView(o, byOrder(platforms, o.id), now)));
    });
  }

  /** GET /v1/orders/late: how many of the orders the client may see have a platform to chase, and how many platforms. */
  async lateSummary(client: AuthenticatedClient): Promise<LateSummary> {
    const now = this.clock.now();
    return this.store.overdueCounts(
      this.dataSource,
      client.role === 'authority' ? client.organisationId : undefined,
      this.changes.overdueSql('op', '$1'),
      now,
    );
  }

  private filterOf(client: AuthenticatedClient, query: ExportOrdersQuery) {
    return {
      organisationId: client.role === 'authority' ? client.organisationId : undefined,
      courtReferencePrefix: query.courtReference,
      platform: query.platform,
      status: query.status,
      overdue: query.late === undefined ? undefined : { is: query.late, sql: this.changes.overdueSql('op', ':now') },
    };
  }

  /** POST /v1/orders/{id}/revoke: the issuing authority ends the order early. */
  async revoke(client: AuthenticatedClient, id: string, input: RevokeOrderInput): Promise<OrderView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id, true);
      const status = orderStatus(order, now);
      if (status !== 'scheduled' && status !== 'active' && status !== 'suspended') {
        throw new DomainError(OrderErrors.notRevocable, `The order is ${status}; there is nothing left to revoke`);
      }
      const revocation = { at: now, reason: input.reason, decisionReference: input.decisionReference };
      await this.store.revoke(em, id, revocation);
      Object.assign(order, {
        revokedAt: now,
        endedBy: 'revocation',
        suspendedAt: null,
        revocationReason: input.reason,
        revocationDecisionReference: input.decisionReference,
      });
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
   * POST /v1/orders/{id}/appeal: an appeal lodged against the sentence suspends it (art. 506 CPP):
   * its signals stop matching with this commit, the platforms are told to lift, the SLA clocks of
   * suspends still unanswered stop. Only a sentence (`conviction`) is appealed here, once.
   */
  async appeal(client: AuthenticatedClient, id: string, input: AppealOrderInput): Promise<OrderView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id, true);
      if (order.legalBasis !== 'conviction') {
        throw new DomainError(
          OrderErrors.appealNotASentence,
          `Code de procédure pénale, art. 506 suspends a sentence under appeal; this order is a ${order.legalBasis === 'pretrial_supervision' ? 'contrôle judiciaire measure (art. 138 CPP)' : 'probation condition'}, which an appeal does not suspend`,
        );
      }
      const status = orderStatus(order, now);
      if (order.appealedAt || (status !== 'scheduled' && status !== 'active')) {
        throw new DomainError(
          OrderErrors.notAppealable,
          order.appealedAt ? 'An appeal was already recorded for this order' : `The order is ${status}; there is nothing left to suspend`,
        );
      }
      checkDecisionDay(input.lodgedOn, order.decisionDate, now, 'lodgedOn', 'the sentence');
      await this.store.suspendForAppeal(em, id, { at: now, lodgedOn: input.lodgedOn, reference: input.reference });
      Object.assign(order, { suspendedAt: now, appealedAt: now, appealLodgedOn: input.lodgedOn, appealReference: input.reference });
      await this.changes.publish(em, { type: 'appealed', at: now, orderId: id, actor: actorOf(client) }, [
        {
          type: 'order.appealed',
          actor: actorOf(client),
          orderId: id,
          data: { lodgedOn: input.lodgedOn, reference: input.reference, previousStatus: status },
        },
      ]);
      return orderView(order, await this.changes.platformsOf(em, [id], now), now);
    });
  }

  /**
   * POST /v1/orders/{id}/appeal/outcome: the court of appeal confirmed the ban — it runs again, in
   * the new window the court set (checked against art. 131-35-1's caps as a new order's is) or for
   * what was left of it from now, with a new suspend to every platform — or quashed it: it ends.
   */
  async appealOutcome(client: AuthenticatedClient, id: string, input: AppealOutcomeInput): Promise<OrderView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id, true);
      const status = orderStatus(order, now);
      if (status !== 'suspended' || !order.suspendedAt || !order.appealLodgedOn) {
        throw new DomainError(OrderErrors.noPendingAppeal, `The order is ${status}; no appeal waits for its outcome`);
      }
      checkDecisionDay(input.decidedOn, order.appealLodgedOn, now, 'decidedOn', 'the appeal');
      const decision = { at: now, decidedOn: input.decidedOn, decisionReference: input.decisionReference };
      const actor = actorOf(client);
      if (input.outcome === 'quashed') {
        await this.store.quashOnAppeal(em, id, decision);
        Object.assign(order, {
          suspendedAt: null,
          revokedAt: now,
          endedBy: 'appeal_quashed',
          appealDecidedAt: now,
          appealOutcome: 'quashed',
          appealDecidedOn: input.decidedOn,
          appealDecisionReference: input.decisionReference,
        });
        await this.changes.publish(em, { type: 'appeal_quashed', at: now, orderId: id, actor }, [
          {
            type: 'order.appeal_quashed',
            actor,
            orderId: id,
            data: { decidedOn: input.decidedOn, decisionReference: input.decisionReference },
          },
        ]);
        return orderView(order, await this.changes.platformsOf(em, [id], now), now);
      }
      // New dates: the rules of a new order, the court of appeal's decision in place of the first one.
      const window =
        input.startsAt !== undefined && input.endsAt !== undefined
          ? checkOrderRules(
              {
                decisionDate: input.decidedOn,
                legalBasis: order.legalBasis,
                offence: order.offence,
                repeatOffender: order.repeatOffender,
                startsAt: input.startsAt,
                endsAt: input.endsAt,
              },
              now,
            )
          : resumedWindow(order, order.suspendedAt, now);
      const previous = { startsAt: order.startsAt.toISOString(), endsAt: order.endsAt.toISOString() };
      await this.store.resumeAfterAppeal(em, id, { ...decision, ...window });
      Object.assign(order, {
        suspendedAt: null,
        startsAt: window.startsAt,
        endsAt: window.endsAt,
        appealDecidedAt: now,
        appealOutcome: 'confirmed',
        appealDecidedOn: input.decidedOn,
        appealDecisionReference: input.decisionReference,
      });
      await this.changes.publish(em, { type: 'appeal_confirmed', at: now, orderId: id, actor, order: { id, ...window } }, [
        {
          type: 'order.appeal_confirmed',
          actor,
          orderId: id,
          data: {
            decidedOn: input.decidedOn,
            decisionReference: input.decisionReference,
            newDates: input.startsAt !== undefined,
            previous,
            startsAt: window.startsAt.toISOString(),
            endsAt: window.endsAt.toISOString(),
          },
        },
      ]);
      return orderView(order, await this.changes.platformsOf(em, [id], now), now);
    });
  }

  /** POST /v1/orders/{id}/relief: a relèvement (art. 702-1 CPP) ends a running ban early; the platforms are told to lift. */
  async relieve(client: AuthenticatedClient, id: string, input: RelieveOrderInput): Promise<OrderView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const order = await this.findVisible(em, client, id, true);
      const status = orderStatus(order, now);
      if (status !== 'scheduled' && status !== 'active') {
        throw new DomainError(
          OrderErrors.notRelievable,
          status === 'suspended'
            ? 'The order is suspended by an appeal: the court of appeal decides on it (record its outcome)'
            : `The order is ${status}; there is nothing left to lift`,
        );
      }
      checkDecisionDay(input.decidedOn, order.decisionDate, now, 'decidedOn', 'the sentence');
      await this.store.relieve(em, id, { at: now, decidedOn: input.decidedOn, decisionReference: input.decisionReference });
      Object.assign(order, {
        revokedAt: now,
        endedBy: 'relief',
        reliefDecidedOn: input.decidedOn,
        reliefDecisionReference: input.decisionReference,
      });
      await this.changes.publish(em, { type: 'relieved', at: now, orderId: id, actor: actorOf(client) }, [
        {
          type: 'order.relieved',
          actor: actorOf(client),
          orderId: id,
          data: { decidedOn: input.decidedOn, decisionReference: input.decisionReference, previousStatus: status },
        },
      ]);
      return orderView(order, await this.changes.platformsOf(em, [id], now), now);
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

/** A decision's day (Paris calendar): not in the future, not before the decision it follows. */
function checkDecisionDay(day: string, notBefore: string, now: Date, path: string, follows: string): void {
  const today = parisDate(now);
  if (day > today || day < notBefore) {
    throw new DomainError(
      OrderErrors.decisionDateInvalid,
      day > today ? `${path} is after today (${today}, Paris time)` : `${path} is before ${follows} (${notBefore})`,
      [{ path, message: day > today ? 'in the future' : `before ${follows}` }],
    );
  }
}

function filterData(query: ExportOrdersQuery) {
  return { status: query.status, platform: query.platform, courtReference: query.courtReference, late: query.late };
}

function byOrder(platforms: OrderPlatformState[], orderId: string): OrderPlatformState[] {
  return platforms.filter((p) => p.orderId === orderId);
}
