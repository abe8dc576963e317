import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient, Roles } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient } from '@ostracon/common';
import {
  type AckDirectiveInput,
  type AckResult,
  type DirectivePayload,
  DirectivesService,
  type ListDirectivesQuery,
  ackDirectiveSchema,
  listDirectivesQuerySchema,
} from '@ostracon/enforcement';

@Controller('v1/directives')
@UseGuards(AccessGuard)
export class DirectivesController {
  constructor(private readonly directives: DirectivesService) {}

  /** Pull mode: the calling platform's own directives, oldest first. */
  @Get()
  @Roles('platform')
  list(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(listDirectivesQuerySchema)) query: ListDirectivesQuery,
  ): Promise<Page<DirectivePayload>> {
    return this.directives.list(client, query);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Roles('platform')
  ack(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(ackDirectiveSchema)) body: AckDirectiveInput,
  ): Promise<AckResult> {
    return this.directives.ack(client, id, body);
  }
}
