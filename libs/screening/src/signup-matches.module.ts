import { Module } from '@nestjs/common';
import { OrderMatches } from '@ostracon/orders';
import { SignupMatchesOfOrders } from './signup-checks.service';

/**
 * The sign-up matches' stage of order changes, without the index: what a process that purges
 * orders (the worker) needs of libs/screening.
 */
@Module({
  providers: [{ provide: OrderMatches, useClass: SignupMatchesOfOrders }],
  exports: [OrderMatches],
})
export class SignupMatchesModule {}
