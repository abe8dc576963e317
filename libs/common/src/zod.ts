import type { z } from 'zod';
import { CommonErrors, DomainError, type FieldError } from './domain-error';

/**
 * A key the client chose (an unknown or repeated field) is shown only when it is shaped like a
 * field name: an identifier of ASCII letters, digits and `_`. Anything else (an e-mail, markup, a
 * name) could be a value pasted in the wrong place, and no error repeats one.
 */
const SHOWABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `a.b[2].c` from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
      continue;
    }
    const key = typeof segment === 'string' && SHOWABLE_KEY.test(segment) ? segment : '(a key not shown)';
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
