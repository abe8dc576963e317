import type { z } from 'zod';
import { CommonErrors, DomainError, type FieldError } from './domain-error';

/** A key the client chose is shown only when it is a short run of visible ASCII: an error never echoes arbitrary input. */
const SHOWABLE_KEY = /^[\x21-\x7e]{1,64}$/;

/** `a.b[2].c` from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
      continue;
    }
    const key = typeof segment === 'string' && SHOWABLE_KEY.test(segment) ? segment : '(unprintable key)';
    out += out ? `.${key}` : key;
  }
  return out || '(root)';
}

export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key], prefix), message: 'unknown field' }))
      : [{ path: formatPath(issue.path, prefix), message: issue.message }],
  );
}

/** Messages that name what was expected, never what was sent (it may be an identity value). */
const errorMap: z.core.$ZodErrorMap = (issue) => (issue.input === undefined ? 'required' : undefined);

/** Parses input at an edge; a failure is a 400 `VALIDATION.FAILED` listing every path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input, { error: errorMap });
  if (!result.success) {
    throw new DomainError(CommonErrors.validation, 'The request is not valid; see errors', zodFieldErrors(result.error, prefix));
  }
  return result.data;
}
