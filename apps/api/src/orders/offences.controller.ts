import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard, Roles } from '@ostracon/auth';
import { type Offence, OrdersService } from '@ostracon/orders';

@Controller('v1/offences')
@UseGuards(AccessGuard)
export class OffencesController {
  constructor(private readonly orders: OrdersService) {}

  /** The offence codes an order may cite (docs/legal.md), kept as data. */
  @Get()
  @Roles('authority', 'auditor', 'admin')
  list(): { items: readonly Offence[] } {
    return { items: this.orders.offences() };
  }
}
