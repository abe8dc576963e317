import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlatformsModule } from '@ostracon/platforms';
import { BanOrder } from './ban-order.entity';
import { OrderSignal } from './order-signal.entity';
import { OrderChanges } from './order-changes';
import { OrderLifecycle } from './order-lifecycle';
import { LinkedAccountStore } from './linked-account.store';
import { LinkedAccountsService } from './linked-accounts.service';
import { OrderStore } from './order.store';
import { OrdersService } from './orders.service';

/**
 * Orders, and the publication of their changes. A process that imports this module also provides
 * the subscribers' stages (libs/enforcement's EnforcementModule, libs/private-checks'
 * PrivateSetModule; the API its Idempotency-Key record): it does not start without them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([BanOrder, OrderSignal]), PlatformsModule],
  providers: [OrderStore, OrderChanges, OrdersService, OrderLifecycle, LinkedAccountStore, LinkedAccountsService],
  exports: [OrdersService, OrderLifecycle, LinkedAccountsService],
})
export class OrdersModule {}
