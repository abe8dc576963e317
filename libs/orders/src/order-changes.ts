import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type AuditEventInput, AuditService } from '@ostracon/audit';
import type { Actor, AuthenticatedClient } from '@ostracon/common';
import type { OrderPlatformsRow } from '@ostracon/database';
import type { SignalStrength } from '@ostracon/identity';
import type { EntityManager } from 'typeorm';
import type { OrderView } from './orders.schemas';

/** A platform an order names, with its accounts sealed for that platform (never readable here again). */
export interface SealedPlatform {
  platformId: string;
  accountCount: number;
  accountsEnc: Buffer;
  accountsKeyId: string;
}

/** A stored signal of a new order, with the prehash at hand only while the order is created. */
export interface NewSignal {
  signalId: string;
  prehash: string;
  strength: SignalStrength;
}

/**
 * What happened to orders, published inside the transaction that made it happen: a subscriber's
 * writes commit or roll back with the order's. `at` is the instant of the change (the injected clock).
 */
export type OrderChange =
  | {
      type: 'created';
      at: Date;
      order: { id: string; startsAt: Date; endsAt: Date };
      platforms: SealedPlatform[];
      signals: NewSignal[];
      view: OrderView;
      /** The caller, and the Idempotency-Key its request carried (the edge checked it before). */
      request: { caller: AuthenticatedClient; idempotencyKey?: string };
    }
  | { type: 'revoked'; at: Date; orderId: string; actor: Actor }
  /** An appeal against the sentence suspends the order: the platforms are told to lift, the SLA clocks of unanswered suspends stop. */
  | { type: 'appealed'; at: Date; orderId: string; actor: Actor }
  /** The appeal confirmed the ban: it runs again in this window, a new suspend to every platform. */
  | { type: 'appeal_confirmed'; at: Date; orderId: string; actor: Actor; order: { id: string; startsAt: Date; endsAt: Date } }
  /** The appeal quashed the ban: it ends (its platforms were told to lift when it was suspended). */
  | { type: 'appeal_quashed'; at: Date; orderId: string; actor: Actor }
  /** A relèvement ends the ban early: the platforms are told to lift. */
  | { type: 'relieved'; at: Date; orderId: string; actor: Actor }
  /** startsAt came: the suspends are due. */
  | { type: 'activated'; at: Date; orderIds: string[] }
  /** endsAt came: the platforms are told to lift. */
  | { type: 'expired'; at: Date; orderIds: string[] }
  /** The retention period passed: the order's identifying data went with this transaction. */
  | { type: 'purged'; at: Date; orderIds: string[] }
  /**
   * The authority accepted an account a platform linked to the person (decision 0026): its own
   * suspend on that platform (and lift at the end), its signals matched there only.
   */
  | {
      type: 'linked_accepted';
      at: Date;
      order: { id: string; startsAt: Date; endsAt: Date };
      platformId: string;
      reportId: string;
      signals: NewSignal[];
    };

export interface OrderChangeSubscriber {
  onOrderChange(em: EntityManager, change: OrderChange): Promise<void>;
}

/** How far one platform named by an order got, as the order view shows it (libs/enforcement knows). */
export interface OrderPlatformState {
  orderId: string;
  platformId: string;
  status: OrderPlatformsRow['status'];
  accountCount: number;
  deliveredAt: Date | null;
  enforcedAt: Date | null;
  slaDeadline: Date | null;
  liftedAt: Date | null;
  outcome: string | null;
  /** Acknowledged within the SLA; null while it can still be (libs/enforcement's rule). */
  slaMet: boolean | null;
  /** Past its deadline with no answer yet: the clerk chases it (libs/enforcement's rule). */
  overdue: boolean;
}

/**
 * The subscribers, one per stage, as tokens: each lib that acts on order changes provides its
 * stage's implementation (libs/enforcement, libs/private-checks, the API's Idempotency-Key record),
 * so libs/orders imports none of them (docs/decisions/0013).
 */
export abstract class OrderEnforcement implements OrderChangeSubscriber {
  abstract onOrderChange(em: EntityManager, change: OrderChange): Promise<void>;
  /** The platforms' progress, read in the caller's transaction; `now` decides the SLA's verdict. */
  abstract platformsOf(runner: Pick<EntityManager, 'query'>, orderIds: string[], now: Date): Promise<OrderPlatformState[]>;
  /** The `overdue` rule as an SQL condition on a row of `order_platforms` named `op`, at the instant `at` (an SQL expression). */
  abstract overdueSql(op: string, at: string): string;
  /** The directives of an order's accepted linked accounts, by report (decision 0026). */
  abstract linkedDirectivesOf(runner: Pick<EntityManager, 'query'>, orderId: string): Promise<LinkedDirectiveState[]>;
}

/** How far a linked account's suspend or lift got (libs/enforcement knows). */
export interface LinkedDirectiveState {
  id: string;
  reportId: string;
  type: 'suspend' | 'lift';
  status: string;
  outcome: string | null;
}
export abstract class OrderPrivateSets implements OrderChangeSubscriber {
  abstract onOrderChange(em: EntityManager, change: OrderChange): Promise<void>;
}
/** The sign-up matches recorded against orders (libs/screening): what an order's purge means for its attempts. */
export abstract class OrderMatches implements OrderChangeSubscriber {
  abstract onOrderChange(em: EntityManager, change: OrderChange): Promise<void>;
}
/** The request that created an order: its Idempotency-Key's stored answer, in the order's transaction. */
export abstract class OrderRequestRecord implements OrderChangeSubscriber {
  abstract onOrderChange(em: EntityManager, change: OrderChange): Promise<void>;
}

/**
 * The ordered, in-transaction publisher of order changes. The stages run one after the other, in
 * this order, each for every change:
 * 1. enforcement — the directives the change calls for (their own audit events, such as a
 *    cancelled suspend, come before the order's);
 * 2. the request's record — the Idempotency-Key's answer exists exactly when the order does;
 * 3. the change's own audit events;
 * 4. the private sets — last, because their writers' lock is taken there and held to the commit,
 *    so it is held for as short a time as possible (docs/private-checks.md § Intake). After
 *    `publish`, a caller reads no more than its answer (`platformsOf`, one indexed query) before
 *    it commits.
 */
@Injectable()
export class OrderChanges implements OnApplicationBootstrap {
  private enforcement?: OrderEnforcement;
  private privateSets?: OrderPrivateSets;
  private request?: OrderRequestRecord;
  private matches?: OrderMatches;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly audit: AuditService,
  ) {}

  /** A process that changes orders without a stage's subscriber would lose its effects: it does not start. */
  onApplicationBootstrap(): void {
    this.enforcement = this.moduleRef.get(OrderEnforcement, { strict: false });
    this.privateSets = this.moduleRef.get(OrderPrivateSets, { strict: false });
    try {
      this.matches = this.moduleRef.get(OrderMatches, { strict: false });
    } catch {
      // Only the worker purges orders; a process without this stage fails at a purge (below), never silently.
    }
    try {
      this.request = this.moduleRef.get(OrderRequestRecord, { strict: false });
    } catch {
      // Only the API creates orders on a request; the worker and the CLI publish no `created` with a key.
    }
  }

  async publish(em: EntityManager, change: OrderChange, events: AuditEventInput[]): Promise<void> {
    const enforcement = this.enforcement ?? this.fail('enforcement');
    const privateSets = this.privateSets ?? this.fail('private sets');
    await enforcement.onOrderChange(em, change);
    if (change.type === 'created' && change.request.idempotencyKey !== undefined) {
      await (this.request ?? this.fail('request record')).onOrderChange(em, change);
    }
    await this.audit.recordMany(em, events);
    if (change.type === 'purged') await (this.matches ?? this.fail('sign-up matches')).onOrderChange(em, change);
    await privateSets.onOrderChange(em, change);
  }

  /** The order view's platforms: what libs/enforcement knows of each. */
  platformsOf(runner: Pick<EntityManager, 'query'>, orderIds: string[], now: Date): Promise<OrderPlatformState[]> {
    return (this.enforcement ?? this.fail('enforcement')).platformsOf(runner, orderIds, now);
  }

  /** The linked accounts' directives (OrderEnforcement.linkedDirectivesOf). */
  linkedDirectivesOf(runner: Pick<EntityManager, 'query'>, orderId: string): Promise<LinkedDirectiveState[]> {
    return (this.enforcement ?? this.fail('enforcement')).linkedDirectivesOf(runner, orderId);
  }

  /** The enforcement stage's `overdue` rule in SQL (OrderEnforcement.overdueSql). */
  overdueSql(op: string, at: string): string {
    return (this.enforcement ?? this.fail('enforcement')).overdueSql(op, at);
  }

  private fail(stage: string): never {
    throw new Error(`No subscriber for the ${stage} stage of order changes: the process is not wired (docs/decisions/0013)`);
  }
}
