export interface FieldError {
  /** Where in the input, e.g. `platforms[0].accounts` or `subject.signals[2]`. */
  path: string;
  /** Why, in words or a stable reason code. Never the offending value. */
  message: string;
}

export interface ErrorDefinition {
  code: string;
  status: number;
  title: string;
}

/**
 * An error a library throws on purpose. The code is stable and part of the API contract;
 * the HTTP edge maps it to problem+json. `detail` and `errors` must never carry a raw
 * identity value.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;

  constructor(
    definition: ErrorDefinition,
    readonly detail: string = definition.title,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(`${definition.code}: ${detail}`);
    this.name = 'DomainError';
    this.code = definition.code;
    this.status = definition.status;
    this.title = definition.title;
  }
}

/**
 * An error of a catalogue: its definition and when the service answers it. docs/errors.md is made
 * of these (npm run docs:errors), and the OpenAPI document's error responses name them.
 */
export interface CataloguedError extends ErrorDefinition {
  /** When a client gets it, for docs/errors.md (Markdown, one line). */
  when: string;
}

/** A lib's catalogue of the errors it throws (apps/api/src/openapi/error-catalogues.ts lists every one). */
export function defineErrors<const T extends Record<string, CataloguedError>>(definitions: T): T {
  return definitions;
}

/** Codes shared by every part of the service. */
export const CommonErrors = defineErrors({
  validation: {
    code: 'VALIDATION.FAILED',
    status: 400,
    title: 'The request is not valid',
    when: 'the body or query does not match the schema (unknown fields included); `errors` lists each path. Text refuses NUL, control characters, bidirectional overrides and unpaired surrogates (docs/decisions/0005)',
  },
  malformedJson: {
    code: 'REQUEST.MALFORMED_JSON',
    status: 400,
    title: 'The request body is not valid JSON',
    when: 'the body is not JSON, not UTF-8, nests deeper than 32 levels, or carries `__proto__` / `constructor` keys',
  },
  emptyBody: {
    code: 'REQUEST.EMPTY_BODY',
    status: 400,
    title: 'The request body is empty',
    when: '`Content-Type: application/json` with no body',
  },
  duplicateKey: {
    code: 'REQUEST.DUPLICATE_KEY',
    status: 400,
    title: 'A key appears twice in one JSON object',
    when: 'a key given twice in one JSON object (`errors` names each); the sign-up routes excepted',
  },
  badRequest: {
    code: 'REQUEST.MALFORMED',
    status: 400,
    title: 'The HTTP request is malformed',
    when: 'an HTTP request Node cannot parse (answered before any route)',
  },
  badPathParameter: {
    code: 'REQUEST.BAD_PATH_PARAMETER',
    status: 400,
    title: 'A path parameter is not valid',
    when: 'a path parameter (an id) holding NUL, a control character, a bidirectional override or an unpaired surrogate',
  },
  badUrl: { code: 'REQUEST.BAD_URL', status: 400, title: 'The URL is not valid', when: 'a URL with a malformed percent-encoding' },
  timeout: {
    code: 'REQUEST.TIMEOUT',
    status: 408,
    title: 'The request did not arrive in time',
    when: 'the request did not arrive whole within `HTTP_REQUEST_TIMEOUT_MS` (the connection is closed)',
  },
  uriTooLong: {
    code: 'REQUEST.URI_TOO_LONG',
    status: 414,
    title: 'A path segment is too long',
    when: 'a path parameter (an id) over 100 characters (no id is that long)',
  },
  headersTooLarge: {
    code: 'REQUEST.HEADERS_TOO_LARGE',
    status: 431,
    title: 'The request headers are too large',
    when: "headers over Node's limit (16 KiB)",
  },
  tooLarge: { code: 'REQUEST.TOO_LARGE', status: 413, title: 'The request body is too large', when: 'over `BODY_LIMIT_BYTES`' },
  unsupportedMediaType: {
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    title: 'The request body must be application/json',
    when: 'a body that is not `application/json`, or with a `charset` other than UTF-8',
  },
  routeNotFound: { code: 'ROUTE.NOT_FOUND', status: 404, title: 'No such route', when: 'no such route, or no such method on it' },
  methodNotAllowed: {
    code: 'ROUTE.METHOD_NOT_ALLOWED',
    status: 405,
    title: 'Method not allowed',
    when: 'a 405 raised by the framework or a library; a method a path does not serve is `ROUTE.NOT_FOUND` (Fastify answers 404)',
  },
  unauthenticated: {
    code: 'AUTH.UNAUTHENTICATED',
    status: 401,
    title: 'A valid API key or session is required',
    when: 'no key, a malformed, unknown or revoked key (`WWW-Authenticate: Bearer`), or a session that has ended; counted against the source address (see `RATE_LIMIT.EXCEEDED`)',
  },
  forbidden: {
    code: 'AUTH.FORBIDDEN',
    status: 403,
    title: 'This client may not do that',
    when: "the client's role may not call this route",
  },
  rateLimited: {
    code: 'RATE_LIMIT.EXCEEDED',
    status: 429,
    title: 'Too many requests',
    when: 'over the rate limit (`Retry-After`); on sign-up checks, one token per check; on any route, too many failed authentications from this address',
  },
  unavailable: {
    code: 'SERVICE.UNAVAILABLE',
    status: 503,
    title: 'The service is not ready',
    when: "`GET /health/ready` while this process's sign-up index or API keys are loading (`Retry-After`)",
  },
  dependencyUnavailable: {
    code: 'DEPENDENCY.UNAVAILABLE',
    status: 503,
    title: 'A dependency is unavailable',
    when: 'PostgreSQL or Redis could not be reached or went away (`Retry-After: 5`). Retry: an order with the same `Idempotency-Key` (if the connection was lost just as the first one committed, the retry replays it); a revocation retried after a lost commit may answer `ORDER.NOT_REVOCABLE` because the first took effect. A sign-up check that matches during a PostgreSQL outage gets it too (docs/screening.md)',
  },
  internal: {
    code: 'INTERNAL',
    status: 500,
    title: 'Internal error',
    when: 'a bug: the answer says only the traceId; the log has the rest',
  },
});
