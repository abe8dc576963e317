import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcementModule } from '@ostracon/enforcement';
import { PlatformsModule } from '@ostracon/platforms';
import { BanOrder } from './ban-order.entity';
import { OrderPlatform } from './order-platform.entity';
import { OrderSignal } from './order-signal.entity';
import { OrdersService } from './orders.service';

@Module({
  imports: [TypeOrmModule.forFeature([BanOrder, OrderPlatform, OrderSignal]), PlatformsModule, EnforcementModule],
  providers: [OrdersService],
  exports: [OrdersService],
})
export class OrdersModule {}
