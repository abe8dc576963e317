import { CommonErrors, DomainError, isCleanText, sendProblem } from '@ostracon/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Logger } from 'pino';

/**
 * Path parameters are ids: every one, of every route (Nest's and those registered on Fastify),
 * must be clean text (libs/common text.ts: no NUL, control character, bidirectional override or
 * unpaired surrogate) before any handler runs. A NUL reached PostgreSQL (SQLSTATE 22021) and
 * answered 500 (issue 29). Refused with REQUEST.BAD_PATH_PARAMETER, the value not echoed.
 *
 * The hook is added, by `onRoute`, to the routes whose URL has a parameter (`:id`, or a wildcard)
 * and only to them: a global `onRequest` hook ran on every request, the sign-up checks and the
 * probes included, which have none (docs/screening.md § Where the time goes). Must be called
 * before any route is registered (createApiApp does, before Nest's routes and the checks').
 */
export function refuseUncleanPathParameters(fastify: FastifyInstance, logger: Logger): void {
  const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    for (const value of Object.values(params)) {
      if (typeof value === 'string' && !isCleanText(value)) {
        sendProblem(new DomainError(CommonErrors.badPathParameter), request, reply, logger);
        return reply;
      }
    }
  };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!hasParameters(route.url)) return;
    const existing = route.onRequest;
    route.onRequest = existing === undefined ? [refuse] : [refuse, ...(Array.isArray(existing) ? existing : [existing])];
  });
}

/** Whether a route's URL captures anything: a named parameter (`:id`, `:id(regex)`) or a wildcard. */
export function hasParameters(url: string): boolean {
  return url.includes(':') || url.includes('*');
}
