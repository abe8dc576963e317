import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrors, DomainError, type AuthenticatedClient, type Role } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthErrors } from './auth.errors';
import { Authenticator, bearerKey } from './authenticator';
import { cookieNames } from './cookies';
import { passesCsrfCheck } from './csrf';
import type { Session } from './session.store';

const ROLES_KEY = 'ostracon:roles';

/** The roles that may call a route. A route without it is refused to everyone (deny by default). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The roles a route handler admits (for the OpenAPI agreement test). */
export function rolesOf(handler: object): Role[] | undefined {
  return Reflect.getMetadata(ROLES_KEY, handler) as Role[] | undefined;
}

type AuthedRequest = FastifyRequest & { client?: AuthenticatedClient; session?: Session; cookies?: Record<string, string | undefined> };

/**
 * Who calls a /v1 route, and whether their role may: a bearer API key (machines), or a person's
 * session cookie (docs/people.md) under the same role rules. A request with an Authorization
 * header is judged by its key alone. A request made with a cookie must also pass the cross-site
 * check (libs/auth csrf.ts): a change needs the session's token, and nothing comes from another site. 401 without a valid key or session (429 past the failures allowed),
 * 403 for a role the route does not admit or a cross-site change.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly cookie: string;
  private readonly origin: string;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookie = cookieNames(config).session;
    this.origin = new URL(config.signIn.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const cookie = request.cookies?.[this.cookie];
    if (request.headers.authorization === undefined && cookie !== undefined) {
      const session = await this.authenticator.authenticateSession(cookie, request.ip).catch((error: unknown) => {
        // An ended session's cookie is dropped, so that a polling tab stops counting failures.
        void context.switchToHttp().getResponse<FastifyReply>().clearCookie(this.cookie, { path: '/' });
        throw error;
      });
      if (!passesCsrfCheck(request.method, request.headers, this.origin, session.csrfToken)) throw new DomainError(AuthErrors.csrf);
      request.session = session;
      request.client = session.caller;
    } else {
      request.client = await this.authenticator.authenticate(bearerKey(request.headers.authorization), request.ip);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles?.includes(request.client.role)) {
      throw new DomainError(CommonErrors.forbidden, 'This client’s role may not call this route');
    }
    return true;
  }
}

/** The authenticated caller, set by AccessGuard. */
export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedClient => {
  const client = context.switchToHttp().getRequest<AuthedRequest>().client;
  if (!client) throw new Error('CurrentClient used on a route without AccessGuard');
  return client;
});

/** The session of a caller signed in with a cookie, or null for a key. */
export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): Session | null => context.switchToHttp().getRequest<AuthedRequest>().session ?? null,
);
