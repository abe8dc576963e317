import { type AuthenticatedClient, type Authenticator, type RateLimiter, type Role, bearerKey } from '@ostracon/auth';
import { CommonErrors, DomainError, parseOrThrow, sendProblem } from '@ostracon/common';
import type { SignalInput } from '@ostracon/identity';
import { SIGNUP_LIMITS, type SignupChecksService, type SignupOutcome, signupBatchSchema, signupCheckSchema } from '@ostracon/screening';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { useJsonBodies } from '../http/json-body';
import type { Metrics } from '../metrics/metrics';

/** Who may check sign-ups: the OpenAPI document says the same (a test holds them together). */
export const SIGNUP_CHECK_ROLES: readonly Role[] = ['platform'];
export const SIGNUP_CHECK_PATHS = ['/v1/signup-checks', '/v1/signup-checks/batch'] as const;

export interface SignupRouteDeps {
  authenticator: Authenticator;
  limiter: RateLimiter;
  checks: SignupChecksService;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The sign-up check routes: the hot path, so plain Fastify handlers rather than Nest controllers
 * (no guard, interceptor or pipe chain, no reflection). The same parts as everywhere else, called
 * directly: the API key (from memory), the zod schema (built once), a Redis rate limit,
 * the in-memory index. The global hooks still add x-request-id and the request metrics.
 */
export async function registerSignupCheckRoutes(root: FastifyInstance, deps: SignupRouteDeps): Promise<void> {
  await root.register(async (fastify) => {
    useJsonBodies(fastify, 'plain');
    // Errors raised before the handler (body parsing, size) get the same problem+json as the
    // handler's own: this context was registered before Nest set its error handler on the root.
    fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, deps.logger));
    routes(fastify, deps);
  });
}

function routes(fastify: FastifyInstance, deps: SignupRouteDeps): void {
  const run = async (
    request: FastifyRequest,
    reply: FastifyReply,
    parse: (body: unknown) => readonly { ref?: string; signals: readonly SignalInput[] }[],
    cost: (body: unknown) => number,
    answer: (outcomes: SignupOutcome[]) => unknown,
  ) => {
    try {
      const client = await authenticate(deps.authenticator, request);
      const rate = await deps.limiter.take(client.id, cost(request.body));
      if (!rate.allowed) {
        const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
        throw new DomainError(CommonErrors.rateLimited, `Over this key's sign-up check rate; retry in ${seconds} s`, undefined, {
          'retry-after': String(seconds),
        });
      }
      const outcomes = await deps.checks.check(client, parse(request.body));
      for (const o of outcomes) deps.metrics.countSignupCheck(client.platformId!, o.decision);
      return reply
        .code(200)
        .type('application/json')
        .send(JSON.stringify(answer(outcomes)));
    } catch (error) {
      sendProblem(error, request, reply, deps.logger);
      return reply;
    }
  };

  // No access log line per check: this is the highest-volume route, its requests are counted in
  // the metrics, and its failures (5xx) are still logged.
  const options = { logLevel: 'warn' as const };
  fastify.post(SIGNUP_CHECK_PATHS[0], options, (request, reply) =>
    run(
      request,
      reply,
      (body) => [parseOrThrow(signupCheckSchema, body)],
      () => 1,
      (outcomes) => outcomes[0],
    ),
  );
  fastify.post(SIGNUP_CHECK_PATHS[1], options, (request, reply) =>
    run(
      request,
      reply,
      (body) => parseOrThrow(signupBatchSchema, body).checks,
      // Charged per check, before the body is validated: a malformed batch still costs.
      (body) => {
        const checks = (body as { checks?: unknown } | null)?.checks;
        return Array.isArray(checks) ? Math.min(Math.max(checks.length, 1), SIGNUP_LIMITS.checksPerBatch) : 1;
      },
      (outcomes) => ({ results: outcomes }),
    ),
  );
}

async function authenticate(authenticator: Authenticator, request: FastifyRequest): Promise<AuthenticatedClient> {
  const client = await authenticator.authenticate(bearerKey(request.headers.authorization), request.ip);
  if (!SIGNUP_CHECK_ROLES.includes(client.role) || !client.platformId) {
    throw new DomainError(CommonErrors.forbidden, 'Only platform clients check sign-ups');
  }
  return client;
}
