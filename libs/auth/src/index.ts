export {
  ClientsService,
  createClientSchema,
  updateClientLimitsSchema,
  type CreateClientInput,
  type UpdateClientLimitsInput,
} from './clients.service';
export { OrganisationsService, createOrganisationSchema, type CreateOrganisationInput } from './organisations.service';
export {
  PeopleService,
  invitePersonSchema,
  listPeopleQuerySchema,
  movePersonSchema,
  type InvitePersonInput,
  type MovePersonInput,
} from './people.service';
export {
  clientViewSchema,
  createdClientSchema,
  organisationViewSchema,
  personViewSchema,
  resolvedPersonSchema,
  resolvedPeopleSchema,
  resolvePeopleQuerySchema,
  sessionViewSchema,
  attemptMailsSchema,
  type AttemptMailsInput,
  signedOutSchema,
  type ClientView,
  type CreatedClient,
  type OrganisationView,
  type PersonView,
  type ResolvedPerson,
  type ResolvedPeople,
  type ResolvePeopleQuery,
  type SessionView,
  type SignedOut,
} from './auth.schemas';
export { SessionStore, type Session, touchEveryMs } from './session.store';
export { SignInService, SignInRefused, signInQuerySchema, type SignInRefusal } from './sign-in.service';
export { cookieNames, cookieOptions } from './cookies';
export { passesCsrfCheck } from './csrf';
export { AccessGuard, Roles, CurrentClient, CurrentSession, rolesOf } from './auth.guard';
export { AuthModule } from './auth.module';
export { ApiAccessModule } from './api-access.module';
export { ApiKeyIndex } from './api-key-index';
export { Authenticator, bearerKey } from './authenticator';
export { AuthErrors } from './auth.errors';
export { generateApiKey, hashApiKey } from './api-keys';
export { RateLimiter } from './rate-limiter';
export { rateLimitHeaders } from './token-bucket';
export { OidcProvider } from './oidc-provider';
