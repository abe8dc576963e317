import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CommonErrors, DomainError, type ErrorDefinition } from './domain-error';
import { type Problem, PROBLEM_CONTENT_TYPE, problemType } from './problem';
import { isDependencyUnavailable } from './unavailable';

/** How long a client is asked to wait when PostgreSQL or Redis is unreachable. */
const DEPENDENCY_RETRY_AFTER_SECONDS = '5';

/** Fastify's own request errors, raised before any controller runs. */
const FASTIFY_ERRORS: Record<string, ErrorDefinition> = {
  FST_ERR_CTP_INVALID_JSON_BODY: CommonErrors.malformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: CommonErrors.emptyBody,
  FST_ERR_CTP_BODY_TOO_LARGE: CommonErrors.tooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: CommonErrors.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: CommonErrors.validation,
  FST_ERR_MAX_PARAM_LENGTH: CommonErrors.uriTooLong,
  FST_ERR_BAD_URL: CommonErrors.badUrl,
};

const HTTP_STATUS_ERRORS: Record<number, ErrorDefinition> = {
  400: CommonErrors.validation,
  401: CommonErrors.unauthenticated,
  403: CommonErrors.forbidden,
  404: CommonErrors.routeNotFound,
  405: CommonErrors.methodNotAllowed,
  408: CommonErrors.timeout,
  413: CommonErrors.tooLarge,
  414: CommonErrors.uriTooLong,
  415: CommonErrors.unsupportedMediaType,
  431: CommonErrors.headersTooLarge,
  429: CommonErrors.rateLimited,
};

export interface MappedError {
  problem: Problem;
  headers: Record<string, string>;
  /** Unexpected: log it with its stack. */
  unexpected: boolean;
}

export function toProblem(error: unknown, traceId: string): MappedError {
  if (error instanceof DomainError) {
    return {
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.detail,
        code: error.code,
        ...(error.errors ? { errors: error.errors } : {}),
        traceId,
      },
      headers: error.headers ?? {},
      unexpected: false,
    };
  }
  const fastifyCode = (error as { code?: unknown })?.code;
  const known =
    (typeof fastifyCode === 'string' ? FASTIFY_ERRORS[fastifyCode] : undefined) ??
    (error instanceof HttpException ? HTTP_STATUS_ERRORS[error.getStatus()] : undefined) ??
    statusError(error);
  if (known) return toProblem(new DomainError(known), traceId);
  if (isDependencyUnavailable(error)) {
    return toProblem(
      new DomainError(CommonErrors.dependencyUnavailable, 'A service this request needs is unreachable; retry later', undefined, {
        'retry-after': DEPENDENCY_RETRY_AFTER_SECONDS,
      }),
      traceId,
    );
  }

  const internal = CommonErrors.internal;
  return {
    problem: {
      type: problemType(internal.code),
      title: internal.title,
      status: internal.status,
      detail: `Something went wrong on our side; quote traceId ${traceId}`,
      code: internal.code,
      traceId,
    },
    headers: {},
    unexpected: true,
  };
}

/** Any other client error Fastify raises with a 4xx status keeps its status, under a generic code. */
function statusError(error: unknown): ErrorDefinition | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return HTTP_STATUS_ERRORS[status] ?? { ...CommonErrors.validation, status };
}

/** Writes an error as problem+json; a 500 tells the client only its traceId, the log has the rest. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { problem, headers } = problemFor(error, String(request.id), logger, request.routeOptions?.url);
  (request as ProblemRequest)[PROBLEM_CODE] = problem.code;
  void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * The problem an error is answered with, after logging what must be: an unexpected error with its
 * stack, a 5xx with its code. sendProblem's first half, for answers written without Fastify (the
 * sign-up hot path).
 */
export function problemFor(error: unknown, traceId: string, logger: Logger, route?: string): MappedError {
  const mapped = toProblem(error, traceId);
  const { problem } = mapped;
  if (mapped.unexpected) {
    logger.error({ err: error, traceId: problem.traceId, route }, 'unhandled error');
  } else if (problem.status >= 500) {
    // The cause, when there is one (an unreachable dependency), goes through the safe error serializer.
    logger.warn({ code: problem.code, traceId: problem.traceId, ...(error instanceof DomainError ? {} : { err: error }) }, problem.detail);
  }
  return mapped;
}

/** Where the stable code of a problem answer is left on its request, for metrics. */
export const PROBLEM_CODE = Symbol('ostracon.problemCode');
type ProblemRequest = FastifyRequest & { [PROBLEM_CODE]?: string };

/** The stable code of the problem this request was answered with, if it was. */
export function problemCodeOf(request: FastifyRequest): string | undefined {
  return (request as ProblemRequest)[PROBLEM_CODE];
}

/** The one place where errors of Nest routes become problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}
