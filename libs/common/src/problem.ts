import type { FieldError } from './domain-error';

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  traceId: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are documented in docs/errors.md, one anchor per code. */
export function problemType(code: string): string {
  return `/docs/errors#${code}`;
}
