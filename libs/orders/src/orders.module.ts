import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcementModule } from '@ostracon/enforcement';
import { PlatformsModule } from '@ostracon/platforms';
import { BanOrder } from './ban-order.entity';
import { OrderSignal } from './order-signal.entity';
import { OrderLifecycle } from './order-lifecycle.service';
import { OrdersService } from './orders.service';

@Module({
  imports: [TypeOrmModule.forFeature([BanOrder, OrderSignal]), PlatformsModule, EnforcementModule],
  providers: [OrdersService, OrderLifecycle],
  exports: [OrdersService, OrderLifecycle],
})
export class OrdersModule {}
