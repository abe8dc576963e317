import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrors, DomainError } from '@ostracon/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator, bearerKey } from './authenticator';
import type { AuthenticatedClient, Role } from './roles';

const ROLES_KEY = 'ostracon:roles';

/** The roles that may call a route. A route without it is refused to everyone (deny by default). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The roles a route handler admits (for the OpenAPI agreement test). */
export function rolesOf(handler: object): Role[] | undefined {
  return Reflect.getMetadata(ROLES_KEY, handler) as Role[] | undefined;
}

type AuthedRequest = FastifyRequest & { client?: AuthenticatedClient };

/** Bearer API keys: 401 without a valid key (429 past the failures allowed), 403 for a role the route does not admit. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const client = await this.authenticator.authenticate(bearerKey(request.headers.authorization), request.ip);
    request.client = client;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles?.includes(client.role)) {
      throw new DomainError(CommonErrors.forbidden, 'This client’s role may not call this route');
    }
    return true;
  }
}

/** The authenticated caller, set by ApiKeyGuard. */
export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedClient => {
  const client = context.switchToHttp().getRequest<AuthedRequest>().client;
  if (!client) throw new Error('CurrentClient used on a route without ApiKeyGuard');
  return client;
});
