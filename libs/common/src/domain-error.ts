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

export function defineErrors<const T extends Record<string, ErrorDefinition>>(definitions: T): T {
  return definitions;
}

/** Codes shared by every part of the service. */
export const CommonErrors = defineErrors({
  validation: { code: 'VALIDATION.FAILED', status: 400, title: 'The request is not valid' },
  malformedJson: { code: 'REQUEST.MALFORMED_JSON', status: 400, title: 'The request body is not valid JSON' },
  emptyBody: { code: 'REQUEST.EMPTY_BODY', status: 400, title: 'The request body is empty' },
  duplicateKey: { code: 'REQUEST.DUPLICATE_KEY', status: 400, title: 'A key appears twice in one JSON object' },
  badRequest: { code: 'REQUEST.MALFORMED', status: 400, title: 'The HTTP request is malformed' },
  badUrl: { code: 'REQUEST.BAD_URL', status: 400, title: 'The URL is not valid' },
  timeout: { code: 'REQUEST.TIMEOUT', status: 408, title: 'The request did not arrive in time' },
  uriTooLong: { code: 'REQUEST.URI_TOO_LONG', status: 414, title: 'A path segment is too long' },
  headersTooLarge: { code: 'REQUEST.HEADERS_TOO_LARGE', status: 431, title: 'The request headers are too large' },
  tooLarge: { code: 'REQUEST.TOO_LARGE', status: 413, title: 'The request body is too large' },
  unsupportedMediaType: {
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    title: 'The request body must be application/json',
  },
  routeNotFound: { code: 'ROUTE.NOT_FOUND', status: 404, title: 'No such route' },
  methodNotAllowed: { code: 'ROUTE.METHOD_NOT_ALLOWED', status: 405, title: 'Method not allowed' },
  unauthenticated: { code: 'AUTH.UNAUTHENTICATED', status: 401, title: 'A valid API key or session is required' },
  forbidden: { code: 'AUTH.FORBIDDEN', status: 403, title: 'This client may not do that' },
  rateLimited: { code: 'RATE_LIMIT.EXCEEDED', status: 429, title: 'Too many requests' },
  unavailable: { code: 'SERVICE.UNAVAILABLE', status: 503, title: 'The service is not ready' },
  dependencyUnavailable: { code: 'DEPENDENCY.UNAVAILABLE', status: 503, title: 'A dependency is unavailable' },
  internal: { code: 'INTERNAL', status: 500, title: 'Internal error' },
});
