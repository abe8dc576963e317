import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type CreateOrderInput,
  type ExportOrdersQuery,
  type LateSummary,
  type OrderProgress,
  type ListOrdersQuery,
  OrderErrors,
  type OrderView,
  OrdersService,
  type RevokeOrderInput,
  createOrderSchema,
  exportOrdersQuerySchema,
  lateSummarySchema,
  orderProgressSchema,
  listOrdersQuerySchema,
  orderPageSchema,
  orderViewSchema,
  revokeOrderSchema,
} from '@ostracon/orders';
import type { FastifyReply } from 'fastify';
import { Idempotency, IdempotencyErrors } from '../http/idempotency';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/orders')
@UseGuards(AccessGuard)
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly idempotency: Idempotency,
  ) {}

  @Post()
  @ApiRoute({
    operationId: 'submitOrder',
    summary: 'Submit a ban order',
    tag: 'orders',
    roles: ['authority'],
    headers: [{ name: 'Idempotency-Key', required: true, description: 'Same key and body replays the first answer' }],
    responses: { 201: { description: 'The order, without its raw signals or account ids', schema: orderViewSchema } },
    errors: [
      IdempotencyErrors.keyRequired,
      IdempotencyErrors.inFlight,
      // The legal rules (libs/orders order-rules.ts), then the signals and platforms.
      OrderErrors.unknownOffence,
      OrderErrors.decisionInFuture,
      OrderErrors.decisionBeforeLaw,
      OrderErrors.startBeforeDecision,
      OrderErrors.startTooFar,
      OrderErrors.durationExceeded,
      OrderErrors.alreadyEnded,
      OrderErrors.unknownPlatform,
      OrderErrors.devicePlatformNotNamed,
      OrderErrors.signalInvalid,
      OrderErrors.signalDuplicate,
      OrderErrors.duplicateReference,
      IdempotencyErrors.mismatch,
    ],
  })
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
  @ApiRoute({
    operationId: 'listOrders',
    summary: 'List orders (an authority its own, an auditor all), newest first',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'One page', schema: orderPageSchema } },
  })
  list(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(listOrdersQuerySchema)) query: ListOrdersQuery,
  ): Promise<Page<OrderView>> {
    return this.orders.list(client, query);
  }

  @Get('late')
  @ApiRoute({
    operationId: 'countLateOrders',
    summary: 'How many orders (an authority its own, an auditor all) have a platform past its deadline without an answer',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The counts', schema: lateSummarySchema } },
  })
  late(@CurrentClient() client: AuthenticatedClient): Promise<LateSummary> {
    return this.orders.lateSummary(client);
  }

  @Get('export')
  @ApiRoute({
    operationId: 'exportOrders',
    summary: 'The orders the list filters would show, every one, as CSV (text/csv, French headers); audited',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'One line per order, newest first', mediaType: 'text/csv' } },
    errors: [OrderErrors.exportTooLarge],
  })
  async export(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(exportOrdersQuerySchema)) query: ExportOrdersQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const csv = await this.orders.exportCsv(client, query);
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="ordonnances.csv"');
    return csv;
  }

  @Get(':id')
  @ApiRoute({
    operationId: 'getOrder',
    summary: 'Read one order',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The order', schema: orderViewSchema } },
    errors: [OrderErrors.notFound],
  })
  get(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<OrderView> {
    return this.orders.get(client, id);
  }

  @Get(':id/progress')
  @ApiRoute({
    operationId: 'getOrderProgress',
    summary: 'How far an order’s enforcement got (status, platforms), without its terms: for a page that polls; not audited',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The order’s progress', schema: orderProgressSchema } },
    errors: [OrderErrors.notFound],
  })
  progress(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<OrderProgress> {
    return this.orders.progress(client, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'revokeOrder',
    summary: 'Revoke an order: its signals stop matching and the platforms are told to lift',
    tag: 'orders',
    roles: ['authority'],
    responses: { 200: { description: 'The revoked order', schema: orderViewSchema } },
    errors: [OrderErrors.notFound, OrderErrors.notRevocable],
  })
  revoke(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(revokeOrderSchema)) body: RevokeOrderInput,
  ): Promise<OrderView> {
    return this.orders.revoke(client, id, body);
  }
}
