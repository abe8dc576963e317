import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryService } from './delivery.service';
import { Directive } from './directive.entity';
import { DirectivePlanner } from './directive-planner';
import { DirectivesService } from './directives.service';
import { LifecycleService } from './lifecycle.service';
import { OutboxRelay } from './outbox-relay';

@Module({
  imports: [TypeOrmModule.forFeature([Directive])],
  providers: [DirectivePlanner, DeliveryService, DirectivesService, LifecycleService, OutboxRelay],
  exports: [DirectivePlanner, DeliveryService, DirectivesService, LifecycleService, OutboxRelay],
})
export class EnforcementModule {}
