import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient, Roles } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type CreateOrderInput,
  type ListOrdersQuery,
  type OrderView,
  OrdersService,
  type RevokeOrderInput,
  createOrderSchema,
  listOrdersQuerySchema,
  revokeOrderSchema,
} from '@ostracon/orders';
import type { FastifyReply } from 'fastify';
import { Idempotency } from '../http/idempotency';

@Controller('v1/orders')
@UseGuards(AccessGuard)
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly idempotency: Idempotency,
  ) {}

  @Post()
  @Roles('authority')
  async create(
    @CurrentClient() client: AuthenticatedClient,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body(new ZodPipe(createOrderSchema)) body: CreateOrderInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    // Exactly once per Idempotency-Key: the key's record is written in the order's own transaction.
    const result = await this.idempotency.run<OrderView>(client.id, idempotencyKey, body, () =>
      this.orders.create(client, body, { idempotencyKey }),
    );
    void reply.status(result.status).header('location', `/v1/orders/${result.body.id}`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get()
  @Roles('authority', 'auditor')
  list(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(listOrdersQuerySchema)) query: ListOrdersQuery,
  ): Promise<Page<OrderView>> {
    return this.orders.list(client, query);
  }

  @Get(':id')
  @Roles('authority', 'auditor')
  get(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<OrderView> {
    return this.orders.get(client, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('authority')
  revoke(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(revokeOrderSchema)) body: RevokeOrderInput,
  ): Promise<OrderView> {
    return this.orders.revoke(client, id, body);
  }
}
