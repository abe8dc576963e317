import { type Authenticator, type RateLimiter, bearerKey, rateLimitHeaders } from '@ostracon/auth';
import { CommonErrors, DomainError, parseOrThrow, sendProblem, type AuthenticatedClient, type Role } from '@ostracon/common';
import type { SignalInput } from '@ostracon/identity';
import {
  SIGNUP_LIMITS,
  ScreeningErrors,
  type SignupChecksService,
  type SignupOutcome,
  fastSignupChecks,
  signupBatchResultSchema,
  signupBatchSchema,
  signupCheckSchema,
  signupResultSchema,
} from '@ostracon/screening';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { useJsonBodies } from '../http/json-body';
import type { Metrics } from '../metrics/metrics';
import type { OutsideNestRoute, RouteError } from '../openapi/api-route';

/** How the sign-up routes read JSON: JSON.parse alone (apps/api/src/http/json-body.ts says why). */
const BODIES = 'plain';

/** Who may check sign-ups: mayCheckSignups admits them, and the routes' descriptions say so. */
export const SIGNUP_CHECK_ROLES: readonly Role[] = ['platform'];
export const SIGNUP_CHECK_PATHS = ['/v1/signup-checks', '/v1/signup-checks/batch'] as const;

export interface SignupRouteDeps {
  authenticator: Authenticator;
  limiter: RateLimiter;
  checks: SignupChecksService;
  metrics: Metrics;
  logger: Logger;
}

/** One of the two routes: how its body is read, what it costs, how its answer is shaped, what the OpenAPI document says of it. */
export interface CheckRoute {
  path: (typeof SIGNUP_CHECK_PATHS)[number];
  description: Omit<OutsideNestRoute, 'method' | 'path'>;
  parse(body: unknown): readonly { ref?: string; signals: readonly SignalInput[] }[];
  /** Tokens of the key's rate limit, charged before the body is validated: a malformed batch still costs. */
  cost(body: unknown): number;
  answer(outcomes: SignupOutcome[]): unknown;
}

/** What either route may answer besides a result (with the problems of every keyed route with a body: openapi.ts). */
const checkErrors = (cost: string): RouteError[] => [
  {
    error: CommonErrors.rateLimited,
    note: `over this key’s sign-up check rate (${cost}), or too many failed authentications from this address; with Retry-After`,
  },
  { error: ScreeningErrors.indexLoading, note: 'this process is building its index; with Retry-After' },
  {
    error: CommonErrors.dependencyUnavailable,
    note: 'PostgreSQL unreachable when a match must be recorded or an unknown key looked up; with Retry-After',
  },
];

export const CHECK_ROUTES: readonly CheckRoute[] = [
  {
    path: SIGNUP_CHECK_PATHS[0],
    description: {
      operationId: 'checkSignup',
      summary: 'Check one sign-up against the bans that name the calling platform',
      tag: 'sign-up checks',
      roles: SIGNUP_CHECK_ROLES,
      keysOnly: true,
      body: signupCheckSchema,
      json: BODIES,
      responses: {
        200: { description: 'block (a strong match), review (only possible matches) or allow', schema: signupResultSchema },
      },
      errors: checkErrors('a check costs one token'),
    },
    // The prehashed shape without zod (fastSignupChecks says exactly when); zod for the rest and for errors.
    parse: (body) => fastSignupChecks(body, false) ?? [parseOrThrow(signupCheckSchema, body)],
    cost: () => 1,
    answer: (outcomes) => outcomes[0],
  },
  {
    path: SIGNUP_CHECK_PATHS[1],
    description: {
      operationId: 'checkSignups',
      summary: `Check up to ${SIGNUP_LIMITS.checksPerBatch} sign-ups; results in the same order, with each ref`,
      tag: 'sign-up checks',
      roles: SIGNUP_CHECK_ROLES,
      keysOnly: true,
      body: signupBatchSchema,
      json: BODIES,
      responses: { 200: { description: 'One result per check', schema: signupBatchResultSchema } },
      errors: checkErrors('a batch costs one token per check'),
    },
    parse: (body) => fastSignupChecks(body, true) ?? parseOrThrow(signupBatchSchema, body).checks,
    cost: (body) => {
      const checks = (body as { checks?: unknown } | null)?.checks;
      return Array.isArray(checks) ? Math.min(Math.max(checks.length, 1), SIGNUP_LIMITS.checksPerBatch) : 1;
    },
    answer: (outcomes) => ({ results: outcomes }),
  },
];

/** The routes as the OpenAPI document lists them (apps/api/src/openapi/openapi.ts). */
export const SIGNUP_CHECK_DESCRIPTIONS: readonly OutsideNestRoute[] = CHECK_ROUTES.map((route) => ({
  method: 'post',
  path: route.path,
  ...route.description,
}));

/** Whether a client may check sign-ups: a platform's key. */
export function mayCheckSignups(client: AuthenticatedClient): boolean {
  return SIGNUP_CHECK_ROLES.includes(client.role) && Boolean(client.platformId);
}

/**
 * What a check does once its caller is known, whichever way it came in (the hot path or the
 * Fastify route): the key's rate limit, the strict schema, the checks (matches recorded and
 * audited), the counts. Resolves to the answer's JSON; throws a DomainError to be answered as a problem.
 */
export async function answerChecks(
  deps: SignupRouteDeps,
  client: AuthenticatedClient,
  route: CheckRoute,
  body: unknown,
): Promise<{ json: string; headers: Record<string, string> }> {
  const rate = await deps.limiter.take(client, route.cost(body));
  if (!rate.allowed) {
    const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
    throw new DomainError(CommonErrors.rateLimited, `Over this key's sign-up check rate; retry in ${seconds} s`, undefined, {
      'retry-after': String(seconds),
      ...rateLimitHeaders(rate, seconds),
    });
  }
  const outcomes = await deps.checks.checkSignups(client, route.parse(body));
  countDecisions(deps.metrics, client.platformId!, outcomes);
  return { json: JSON.stringify(route.answer(outcomes)), headers: rateLimitHeaders(rate) };
}

/** One counter increment per decision present, not per check: a batch is a thousand checks. */
function countDecisions(metrics: Metrics, platform: string, outcomes: readonly SignupOutcome[]): void {
  let allow = 0;
  let review = 0;
  let block = 0;
  for (const o of outcomes) {
    if (o.decision === 'allow') allow++;
    else if (o.decision === 'review') review++;
    else block++;
  }
  if (allow > 0) metrics.countSignupChecks(platform, 'allow', allow);
  if (review > 0) metrics.countSignupChecks(platform, 'review', review);
  if (block > 0) metrics.countSignupChecks(platform, 'block', block);
}

/**
 * The sign-up check routes as Fastify routes. An ordinary check from a key this process knows
 * never reaches them: the hot path (signup-checks.hot-path.ts) answers it ahead of Fastify. They
 * answer everything else (an unknown or wrong key, an unusual request) with Fastify's whole
 * machinery: failed authentications counted per address, body limits, content types.
 */
export async function registerSignupCheckRoutes(root: FastifyInstance, deps: SignupRouteDeps): Promise<void> {
  await root.register(async (fastify) => {
    useJsonBodies(fastify, BODIES);
    // Errors raised before the handler (body parsing, size) get the same problem+json as the
    // handler's own: this context was registered before Nest set its error handler on the root.
    fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, deps.logger));
    // No access log line per check: this is the highest-volume route, its requests are counted in
    // the metrics, and its failures (5xx) are still logged.
    for (const route of CHECK_ROUTES) {
      fastify.post(route.path, { logLevel: 'warn' }, async (request, reply) => {
        try {
          const client = await authenticate(deps.authenticator, request);
          const { json, headers } = await answerChecks(deps, client, route, request.body);
          return reply.code(200).headers(headers).type('application/json').send(json);
        } catch (error) {
          sendProblem(error, request, reply, deps.logger);
          return reply;
        }
      });
    }
  });
}

async function authenticate(authenticator: Authenticator, request: FastifyRequest): Promise<AuthenticatedClient> {
  const client = await authenticator.authenticate(bearerKey(request.headers.authorization), request.ip);
  if (!mayCheckSignups(client)) throw new DomainError(CommonErrors.forbidden, 'Only platform clients check sign-ups');
  return client;
}
