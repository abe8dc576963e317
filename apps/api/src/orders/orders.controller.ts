import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type AppealOrderInput,
  type AppealOutcomeInput,
  type RelieveOrderInput,
  appealOrderSchema,
  appealOutcomeSchema,
  relieveOrderSchema,
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

  // Appeals and relèvement (docs/legal.md § Appeals and relèvement, decision 0027). Like a
  // revocation, each is guarded by the order's state: a replay is a 409, never a second effect.

  @Post(':id/appeal')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'appealOrder',
    summary:
      'Record an appeal against the sentence: the order is suspended (art. 506 CPP), its signals stop matching, the platforms are told to lift',
    tag: 'orders',
    roles: ['authority'],
    responses: { 200: { description: 'The suspended order', schema: orderViewSchema } },
    errors: [OrderErrors.notFound, OrderErrors.appealNotASentence, OrderErrors.notAppealable, OrderErrors.decisionDateInvalid],
  })
  appeal(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(appealOrderSchema)) body: AppealOrderInput,
  ): Promise<OrderView> {
    return this.orders.appeal(client, id, body);
  }

  @Post(':id/appeal/outcome')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'recordAppealOutcome',
    summary:
      'Record the court of appeal’s decision: confirmed (the ban runs again, in new dates or for what was left of it, new suspends) or quashed (the order ends)',
    tag: 'orders',
    roles: ['authority'],
    responses: { 200: { description: 'The order, running again or ended', schema: orderViewSchema } },
    errors: [
      OrderErrors.notFound,
      OrderErrors.noPendingAppeal,
      OrderErrors.decisionDateInvalid,
      OrderErrors.decisionInFuture,
      OrderErrors.startBeforeDecision,
      OrderErrors.startTooFar,
      OrderErrors.durationExceeded,
      OrderErrors.alreadyEnded,
    ],
  })
  appealOutcome(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(appealOutcomeSchema)) body: AppealOutcomeInput,
  ): Promise<OrderView> {
    return this.orders.appealOutcome(client, id, body);
  }

  @Post(':id/relief')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'relieveOrder',
    summary: 'Record a relèvement (art. 702-1 CPP): the ban ends early, the platforms are told to lift',
    tag: 'orders',
    roles: ['authority'],
    responses: { 200: { description: 'The relieved order', schema: orderViewSchema } },
    errors: [OrderErrors.notFound, OrderErrors.notRelievable, OrderErrors.decisionDateInvalid],
  })
  relieve(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(relieveOrderSchema)) body: RelieveOrderInput,
  ): Promise<OrderView> {
    return this.orders.relieve(client, id, body);
  }
}
