/**
 * Jest runs several test files at a time (scripts/test.sh). Each worker gets a database and a Redis
 * database of its own, so that a suite reading "every order" or draining "the queue" never meets
 * another suite's rows or jobs: worker N uses ostracon_test_N (a copy of the migrated template that
 * scripts/test.sh makes) and Redis database 10 + N. With TEST_DATABASE_URL or TEST_REDIS_URL given,
 * that one is used as it is.
 */
const worker = Number(process.env.JEST_WORKER_ID ?? '1');

function withPath(name: string, path: string): void {
  const value = process.env[name];
  if (!value) return;
  const url = new URL(value);
  url.pathname = path;
  process.env[name] = url.toString();
}

if (process.env.OSTRACON_TEST_WORKERS) {
  withPath('DATABASE_URL', `/ostracon_test_${worker}`);
  withPath('MIGRATION_DATABASE_URL', `/ostracon_test_${worker}`);
}
if (process.env.OSTRACON_TEST_REDIS_PER_WORKER) withPath('REDIS_URL', `/${10 + worker}`);
