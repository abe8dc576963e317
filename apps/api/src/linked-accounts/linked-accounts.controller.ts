import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type AuthenticatedClient, ZodPipe } from '@ostracon/common';
import {
  type LinkedAccountDecisionInput,
  LinkedAccountErrors,
  type LinkedAccountList,
  type LinkedAccountView,
  LinkedAccountsService,
  type ReportLinkedAccountInput,
  linkedAccountDecisionSchema,
  linkedAccountListSchema,
  linkedAccountViewSchema,
  reportLinkedAccountSchema,
} from '@ostracon/orders';
import { ApiRoute } from '../openapi/api-route';

/** The person's other accounts, as platforms report them and the order's authority decides (decision 0026). */
@Controller('v1/orders/:id/linked-accounts')
@UseGuards(AccessGuard)
export class LinkedAccountsController {
  constructor(private readonly linked: LinkedAccountsService) {}

  @Post()
  @ApiRoute({
    operationId: 'reportLinkedAccount',
    summary: 'A platform the order names reports another account of the person (signals as prehashes only)',
    tag: 'orders',
    roles: ['platform'],
    responses: { 201: { description: 'The report, awaiting the authority’s decision', schema: linkedAccountViewSchema } },
    errors: [
      LinkedAccountErrors.orderNotFound,
      LinkedAccountErrors.orderNotInForce,
      LinkedAccountErrors.duplicate,
      LinkedAccountErrors.signalInvalid,
    ],
  })
  report(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') orderId: string,
    @Body(new ZodPipe(reportLinkedAccountSchema)) body: ReportLinkedAccountInput,
  ): Promise<LinkedAccountView> {
    return this.linked.report(client, orderId, body);
  }

  @Get()
  @ApiRoute({
    operationId: 'listLinkedAccounts',
    summary: 'The linked accounts reported for an order (its authority: all; a platform: its own); audited',
    tag: 'orders',
    roles: ['authority', 'platform'],
    responses: { 200: { description: 'Oldest first', schema: linkedAccountListSchema } },
    errors: [LinkedAccountErrors.orderNotFound],
  })
  list(@CurrentClient() client: AuthenticatedClient, @Param('id') orderId: string): Promise<LinkedAccountList> {
    return this.linked.list(client, orderId);
  }

  @Post(':reportId/decision')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'decideLinkedAccount',
    summary: 'The order’s authority accepts (suspended on that platform, its signals checked there) or rejects a linked account',
    tag: 'orders',
    roles: ['authority'],
    responses: { 200: { description: 'The report, decided', schema: linkedAccountViewSchema } },
    errors: [
      LinkedAccountErrors.orderNotFound,
      LinkedAccountErrors.notFound,
      LinkedAccountErrors.alreadyDecided,
      LinkedAccountErrors.orderNotInForce,
    ],
  })
  decide(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') orderId: string,
    @Param('reportId') reportId: string,
    @Body(new ZodPipe(linkedAccountDecisionSchema)) body: LinkedAccountDecisionInput,
  ): Promise<LinkedAccountView> {
    return this.linked.decide(client, orderId, reportId, body);
  }
}
