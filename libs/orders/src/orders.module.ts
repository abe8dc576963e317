import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcementModule } from '@ostracon/enforcement';
import { PlatformsModule } from '@ostracon/platforms';
import { PrivateSetModule } from '@ostracon/private-checks';
import { BanOrder } from './ban-order.entity';
import { OrderSignal } from './order-signal.entity';
import { OrderLifecycle } from './order-lifecycle.service';
import { OrdersService } from './orders.service';

@Module({
  imports: [TypeOrmModule.forFeature([BanOrder, OrderSignal]), PlatformsModule, EnforcementModule, PrivateSetModule],
  providers: [OrdersService, OrderLifecycle],
  exports: [OrdersService, OrderLifecycle],
})
export class OrdersModule {}
