/**
 * The rows a statement returned. TypeORM's `query()` answers UPDATE and DELETE … RETURNING
 * with `[rows, rowCount]` but SELECT and INSERT with `rows`; this reads both the same way.
 */
export async function queryRows<T>(
  runner: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = await runner.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** Whether PostgreSQL answers (readiness, a worker's start). */
export async function pingDatabase(runner: { query(sql: string): Promise<unknown> }): Promise<void> {
  await runner.query('SELECT 1');
}
