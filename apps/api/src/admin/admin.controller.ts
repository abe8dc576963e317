import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  AccessGuard,
  type ClientView,
  ClientsService,
  type CreateClientInput,
  type CreatedClient,
  CurrentClient,
  type CreateOrganisationInput,
  type InvitePersonInput,
  type MovePersonInput,
  OrganisationsService,
  type OrganisationView,
  PeopleService,
  type PersonView,
  clientViewSchema,
  createClientSchema,
  createdClientSchema,
  updateClientLimitsSchema,
  type UpdateClientLimitsInput,
  createOrganisationSchema,
  invitePersonSchema,
  movePersonSchema,
  listPeopleQuerySchema,
  organisationViewSchema,
  personViewSchema,
  AuthErrors,
} from '@ostracon/auth';
import { CLOCK, type Clock, ZodPipe, platformIdSchema, type AuthenticatedClient, actorOf } from '@ostracon/common';
import {
  type CreatePlatformInput,
  type PlatformView,
  PlatformsService,
  type RotateWebhookSecretInput,
  type UpdatePlatformInput,
  type WebhookRotation,
  PlatformErrors,
  createPlatformSchema,
  platformViewSchema,
  rotateWebhookSecretSchema,
  updatePlatformSchema,
  webhookRotationSchema,
} from '@ostracon/platforms';
import { z } from 'zod';
import { ApiRoute } from '../openapi/api-route';

const admin = ['admin'] as const;

/**
 * What an operator did with the CLI and a database URL, over the API for admins (keys or people
 * signed in): platforms (register, change, rotate the webhook secret), organisations, their API
 * clients (create, list, revoke) and people (invite, list, remove). The CLI calls the same
 * services; every change is audited with the admin as its actor.
 */
@Controller('v1/admin')
@UseGuards(AccessGuard)
export class AdminController {
  constructor(
    private readonly platforms: PlatformsService,
    private readonly clients: ClientsService,
    private readonly organisations: OrganisationsService,
    private readonly people: PeopleService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('platforms')
  @ApiRoute({
    operationId: 'adminListPlatforms',
    summary: 'Every platform (operators)',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The platforms, by id', schema: z.array(platformViewSchema) } },
  })
  listPlatforms(): Promise<PlatformView[]> {
    return this.platforms.list();
  }

  @Post('platforms')
  @Header('cache-control', 'no-store') // may carry a secret or a key, shown once
  @ApiRoute({
    operationId: 'adminCreatePlatform',
    summary: 'Register a platform: push with a webhook URL (a secret is generated and shown once if none is given), pull otherwise',
    tag: 'admin',
    roles: admin,
    responses: { 201: { description: 'The platform', schema: platformViewSchema } },
    errors: [PlatformErrors.alreadyExists],
  })
  createPlatform(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createPlatformSchema)) body: CreatePlatformInput,
  ): Promise<PlatformView> {
    return this.platforms.create(body, actorOf(client));
  }

  @Patch('platforms/:id')
  @ApiRoute({
    operationId: 'adminUpdatePlatform',
    params: { id: platformIdSchema },
    summary: 'Change a platform’s name, SLA or (push platforms) webhook URL',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The platform', schema: platformViewSchema } },
    errors: [PlatformErrors.notFound, PlatformErrors.notPush],
  })
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
  @ApiRoute({
    operationId: 'adminRotateWebhookSecret',
    params: { id: platformIdSchema },
    summary: 'Rotate a push platform’s webhook secret: both sign until the overlap ends',
    tag: 'admin',
    roles: admin,
    responses: {
      200: {
        description: 'The new secret (when generated, shown once) and when the old one stops signing',
        schema: webhookRotationSchema,
      },
    },
    errors: [PlatformErrors.notFound, PlatformErrors.notPush, PlatformErrors.rotationInProgress],
  })
  rotateWebhookSecret(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(rotateWebhookSecretSchema)) body: RotateWebhookSecretInput,
  ): Promise<WebhookRotation> {
    return this.platforms.rotateWebhookSecret(id, body, actorOf(client), this.clock.now());
  }

  @Get('clients')
  @ApiRoute({
    operationId: 'adminListClients',
    summary: 'Every API client, newest first; never a key',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The clients', schema: z.array(clientViewSchema) } },
  })
  listClients(): Promise<ClientView[]> {
    return this.clients.list();
  }

  @Post('clients')
  @Header('cache-control', 'no-store') // may carry a secret or a key, shown once
  @ApiRoute({
    operationId: 'adminCreateClient',
    summary: 'Create an API client; its key is in this answer only',
    tag: 'admin',
    roles: admin,
    responses: { 201: { description: 'The client and its key', schema: createdClientSchema } },
    errors: [
      AuthErrors.platformRequired,
      PlatformErrors.notFound,
      AuthErrors.organisationNotFound,
      {
        error: AuthErrors.organisationRoleMismatch,
        note: 'a role or platform other than the organisation’s, or neither organisation nor role',
      },
    ],
  })
  createClient(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createClientSchema)) body: CreateClientInput,
  ): Promise<CreatedClient> {
    return this.clients.create(body, actorOf(client));
  }

  /** A key's own sign-up check limits (null: back to the global setting). */
  @Patch('clients/:id')
  @ApiRoute({
    operationId: 'adminUpdateClientLimits',
    summary: 'Set an API key’s own sign-up check rate and burst (null: back to the global setting); audited, applied by every API process',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The client', schema: clientViewSchema } },
    errors: [AuthErrors.clientNotFound],
  })
  updateClient(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(updateClientLimitsSchema)) body: UpdateClientLimitsInput,
  ): Promise<ClientView> {
    return this.clients.setLimits(id, body, actorOf(client));
  }

  @Delete('clients/:id')
  @HttpCode(204)
  @ApiRoute({
    operationId: 'adminRevokeClient',
    summary: 'Revoke an API client: its key stops working on every API process within milliseconds',
    tag: 'admin',
    roles: admin,
    responses: { 204: { description: 'Revoked' } },
    errors: [AuthErrors.clientNotFound],
  })
  revokeClient(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<void> {
    return this.clients.revoke(id, actorOf(client));
  }

  @Get('organisations')
  @ApiRoute({
    operationId: 'adminListOrganisations',
    summary: 'Every organisation, newest first',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The organisations', schema: z.array(organisationViewSchema) } },
  })
  listOrganisations(): Promise<OrganisationView[]> {
    return this.organisations.list();
  }

  @Post('organisations')
  @ApiRoute({
    operationId: 'adminCreateOrganisation',
    summary: 'Register an organisation: its API keys and people act in its role (audited)',
    tag: 'admin',
    roles: admin,
    responses: { 201: { description: 'The organisation', schema: organisationViewSchema } },
    errors: [AuthErrors.platformRequired, PlatformErrors.notFound],
  })
  createOrganisation(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(createOrganisationSchema)) body: CreateOrganisationInput,
  ): Promise<OrganisationView> {
    return this.organisations.create(body, actorOf(client));
  }

  @Get('people')
  @Header('cache-control', 'no-store')
  @ApiRoute({
    operationId: 'adminListPeople',
    summary: 'People, newest first; of one organisation when given',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The people', schema: z.array(personViewSchema) } },
  })
  listPeople(@Query(new ZodPipe(listPeopleQuerySchema)) query: { organisation?: string }): Promise<PersonView[]> {
    return this.people.list(query.organisation);
  }

  @Post('people')
  @ApiRoute({
    operationId: 'adminInvitePerson',
    summary: 'Invite a person: they sign in with their provider and are matched by this e-mail the first time (audited)',
    tag: 'admin',
    roles: admin,
    responses: { 201: { description: 'The person', schema: personViewSchema } },
    errors: [
      AuthErrors.organisationNotFound,
      { error: AuthErrors.personAlreadyInvited, note: 'a member with this e-mail exists' },
      { error: AuthErrors.platformPeople, note: 'platforms have no people' },
    ],
  })
  invitePerson(
    @CurrentClient() client: AuthenticatedClient,
    @Body(new ZodPipe(invitePersonSchema)) body: InvitePersonInput,
  ): Promise<PersonView> {
    return this.people.invite(body, actorOf(client));
  }

  @Patch('people/:id')
  @ApiRoute({
    operationId: 'adminMovePerson',
    summary:
      'Move a person to another organisation, in its role: the same person id; their sessions end at once (audited as person.moved, from and to)',
    tag: 'admin',
    roles: admin,
    responses: { 200: { description: 'The person, in their new organisation', schema: personViewSchema } },
    errors: [
      { error: AuthErrors.personNotFound, note: 'no member with this id (or removed)' },
      AuthErrors.organisationNotFound,
      AuthErrors.personAlreadyInOrganisation,
      { error: AuthErrors.platformPeople, note: 'platforms have no people' },
    ],
  })
  movePerson(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body(new ZodPipe(movePersonSchema)) body: MovePersonInput,
  ): Promise<PersonView> {
    return this.people.move(id, body, actorOf(client));
  }

  @Delete('people/:id')
  @HttpCode(204)
  @ApiRoute({
    operationId: 'adminRemovePerson',
    summary: 'Remove a person: their sessions end at once; they can no longer sign in (audited)',
    tag: 'admin',
    roles: admin,
    responses: { 204: { description: 'Removed' } },
    errors: [AuthErrors.personNotFound],
  })
  removePerson(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<void> {
    return this.people.remove(id, actorOf(client));
  }
}
