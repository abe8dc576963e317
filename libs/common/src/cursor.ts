import { z } from 'zod';
import { CommonErrors, DomainError } from './domain-error';
import { text } from './text';

/** Opaque keyset cursors: base64url of a JSON array of the sort key of the last item. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The cursor's key; a cursor it did not write is a validation error on `path` (the parameter that carried it). */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S, path = 'after'): z.output<S> {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: a cursor we did not write
  }
  throw new DomainError(CommonErrors.validation, 'The cursor is not one this service issued', [{ path, message: 'invalid cursor' }]);
}

export const pageQuerySchema = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: text().min(1).max(512).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
