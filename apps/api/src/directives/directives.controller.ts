import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type AckDirectiveInput,
  type AckResult,
  type DirectivePayload,
  DirectivesService,
  EnforcementErrors,
  type ListDirectivesQuery,
  ackDirectiveSchema,
  ackResultSchema,
  directivePageSchema,
  listDirectivesQuerySchema,
} from '@ostracon/enforcement';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/directives')
@UseGuards(AccessGuard)
export class DirectivesController {
  constructor(private readonly directives: DirectivesService) {}

  /** Pull mode: the calling platform's own directives, oldest first. */
  @Get()
  @ApiRoute({
    operationId: 'listDirectives',
    summary: 'Pull mode: this platform’s directives not yet acknowledged (reading one starts its SLA clock)',
    tag: 'directives',
    roles: ['platform'],
    responses: { 200: { description: 'One page, oldest first', schema: directivePageSchema } },
  })
  list(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(listDirectivesQuerySchema)) query: ListDirectivesQuery,
  ): Promise<Page<DirectivePayload>> {
    return this.directives.list(client, query);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiRoute({
    operationId: 'acknowledgeDirective',
    summary: 'Acknowledge a directive: enforced, account_not_found or rejected',
    tag: 'directives',
    roles: ['platform'],
    responses: { 200: { description: 'Recorded (the same ack again answers the same)', schema: ackResultSchema } },
    errors: [
      { error: EnforcementErrors.directiveNotFound, note: 'no such directive, or another platform’s' },
      EnforcementErrors.notAcknowledgeable,
    ],
  })
  ack(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(ackDirectiveSchema)) body: AckDirectiveInput,
  ): Promise<AckResult> {
    return this.directives.ack(client, id, body);
  }
}
