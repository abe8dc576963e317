/** PostgreSQL's unique_violation (23505), as TypeORM surfaces it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return false;
  return constraint === undefined || (e.driverError?.constraint ?? e.constraint) === constraint;
}

/** PostgreSQL's foreign_key_violation (23503), on the named constraint if one is given. */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23503') return false;
  return constraint === undefined || (e.driverError?.constraint ?? e.constraint) === constraint;
}
