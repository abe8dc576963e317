import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  AccessGuard,
  actorOf,
  type AuthenticatedClient,
  type ClientView,
  ClientsService,
  type CreateClientInput,
  type CreatedClient,
  CurrentClient,
  type CreateOrganisationInput,
  type InvitePersonInput,
  OrganisationsService,
  type OrganisationView,
  PeopleService,
  type PersonView,
  Roles,
  createClientSchema,
  updateClientLimitsSchema,
  type UpdateClientLimitsInput,
  createOrganisationSchema,
  invitePersonSchema,
  listPeopleQuerySchema,
} from '@ostracon/auth';
import { CLOCK, type Clock, ZodPipe } from '@ostracon/common';
import {
  type CreatePlatformInput,
  type PlatformView,
  PlatformsService,
  type RotateWebhookSecretInput,
  type UpdatePlatformInput,
  type WebhookRotation,
  createPlatformSchema,
  rotateWebhookSecretSchema,
  updatePlatformSchema,
} from '@ostracon/platforms';

/**
 * What an operator did with the CLI and a database URL, over the API for admins (keys or people
 * signed in): platforms (register, change, rotate the webhook secret), organisations, their API
 * clients (create, list, revoke) and people (invite, list, remove). The CLI calls the same
 * services; every change is audited with the admin as its actor.
 */
@Controller('v1/admin')
@UseGuards(AccessGuard)
@Roles('admin')
export class AdminController {
  constructor(
    private readonly platforms: PlatformsService,
    private readonly clients: ClientsService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
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
  ): Promise<WebhookRotation> {
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

  /** A key's own sign-up check limits (null: back to the global setting). */
  @Patch('clients/:id')
  updateClient(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(updateClientLimitsSchema)) body: UpdateClientLimitsInput,
  ): Promise<ClientView> {
    return this.clients.setLimits(id, body, actorOf(client));
  }

  @Delete('clients/:id')
  @HttpCode(204)
  revokeClient(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<void> {
    return this.clients.revoke(id, actorOf(client));
  }

  @Get('organisations')
  listOrganisations(): Promise<OrganisationView[]> {
    return this.organisations.list();
  }

  @Post('organisations')
  createOrganisation(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createOrganisationSchema)) body: CreateOrganisationInput,
  ): Promise<OrganisationView> {
    return this.organisations.create(body, actorOf(client));
  }

  @Get('people')
  @Header('cache-control', 'no-store')
  listPeople(@Query(new ZodPipe(listPeopleQuerySchema)) query: { organisation?: string }): Promise<PersonView[]> {
    return this.people.list(query.organisation);
  }

  @Post('people')
  invitePerson(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(invitePersonSchema)) body: InvitePersonInput,
  ): Promise<PersonView> {
    return this.people.invite(body, actorOf(client));
  }

  @Delete('people/:id')
  @HttpCode(204)
  removePerson(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<void> {
    return this.people.remove(id, actorOf(client));
  }
}
