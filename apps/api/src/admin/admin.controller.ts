import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiKeyGuard,
  type AuthenticatedClient,
  type ClientView,
  ClientsService,
  type CreateClientInput,
  type CreatedClient,
  CurrentClient,
  Roles,
  createClientSchema,
} from '@ostracon/auth';
import { CLOCK, type Clock, ZodPipe } from '@ostracon/common';
import { actorOf } from '@ostracon/orders';
import {
  type CreatePlatformInput,
  type PlatformView,
  PlatformsService,
  type RotateWebhookSecretInput,
  type UpdatePlatformInput,
  createPlatformSchema,
  rotateWebhookSecretSchema,
  updatePlatformSchema,
} from '@ostracon/platforms';

/**
 * What an operator did with the CLI and a database URL, over the API for admin keys: platforms
 * (register, change, rotate the webhook secret) and API clients (create, list, revoke). The CLI
 * calls the same services; every change is audited with the admin client as its actor.
 */
@Controller('v1/admin')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminController {
  constructor(
    private readonly platforms: PlatformsService,
    private readonly clients: ClientsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('platforms')
  listPlatforms(): Promise<PlatformView[]> {
    return this.platforms.list();
  }

  @Post('platforms')
  @Header('cache-control', 'no-store') // may carry a secret or a key, shown once
  createPlatform(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createPlatformSchema)) body: CreatePlatformInput,
  ): Promise<PlatformView> {
    return this.platforms.create(body, actorOf(client));
  }

  @Patch('platforms/:id')
  updatePlatform(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(updatePlatformSchema)) body: UpdatePlatformInput,
  ): Promise<PlatformView> {
    return this.platforms.update(id, body, actorOf(client));
  }

  @Post('platforms/:id/webhook-secret')
  @Header('cache-control', 'no-store') // may carry a secret or a key, shown once
  @HttpCode(200)
  rotateWebhookSecret(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(rotateWebhookSecretSchema)) body: RotateWebhookSecretInput,
  ): Promise<{ platform: string; webhookSecret?: string; previousSecretSignsUntil: string }> {
    return this.platforms.rotateWebhookSecret(id, body, actorOf(client), this.clock.now());
  }

  @Get('clients')
  listClients(): Promise<ClientView[]> {
    return this.clients.list();
  }

  @Post('clients')
  @Header('cache-control', 'no-store') // may carry a secret or a key, shown once
  createClient(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createClientSchema)) body: CreateClientInput,
  ): Promise<CreatedClient> {
    return this.clients.create(body, actorOf(client));
  }

  @Delete('clients/:id')
  @HttpCode(204)
  revokeClient(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<void> {
    return this.clients.revoke(id, actorOf(client));
  }
}
