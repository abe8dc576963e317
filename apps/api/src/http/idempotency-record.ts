import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IdempotencyStore } from '@ostracon/database';
import { type OrderChange, OrderRequestRecord } from '@ostracon/orders';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The request stage of order changes (libs/orders' OrderChanges): the answer to an Idempotency-Key
 * that Idempotency claimed, stored in the order's own transaction, so it exists exactly when the
 * order does.
 */
@Injectable()
export class IdempotencyRecord extends OrderRequestRecord {
  private readonly store: IdempotencyStore;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.store = new IdempotencyStore(dataSource);
  }

  async onOrderChange(em: EntityManager, change: OrderChange): Promise<void> {
    if (change.type !== 'created' || change.request.idempotencyKey === undefined) return;
    await this.store.complete(em, change.request.caller.id, change.request.idempotencyKey, 201, change.view);
  }
}
