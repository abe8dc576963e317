export { ROLES, type Role, type AuthenticatedClient } from './roles';
export { ApiClient } from './api-client.entity';
export { ClientsService, createClientSchema, type CreateClientInput, type CreatedClient } from './clients.service';
export { ApiKeyGuard, Roles, CurrentClient } from './auth.guard';
export { AuthModule } from './auth.module';
export { AuthErrors } from './auth.errors';
export { generateApiKey, hashApiKey } from './api-keys';
export { RateLimiter, type RateDecision } from './rate-limiter';
export { RateLimitModule } from './rate-limit.module';
