import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard } from '@ostracon/auth';
import { type Offence, OrdersService, offenceListSchema } from '@ostracon/orders';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/offences')
@UseGuards(AccessGuard)
export class OffencesController {
  constructor(private readonly orders: OrdersService) {}

  /** The offence codes an order may cite (docs/legal.md), kept as data. */
  @Get()
  @ApiRoute({
    operationId: 'listOffences',
    summary: 'The offence codes an order may cite',
    tag: 'orders',
    roles: ['authority', 'auditor', 'admin'],
    responses: { 200: { description: 'The list', schema: offenceListSchema } },
  })
  list(): { items: readonly Offence[] } {
    return { items: this.orders.offences() };
  }
}
