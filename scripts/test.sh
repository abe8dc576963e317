#!/usr/bin/env bash
# npm test: the same local services as npm start (or TEST_DATABASE_URL / TEST_REDIS_URL), a fresh
# test database with every migration applied, then every test. Extra arguments go to jest.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"

ensure_node_modules
build

trap stop_services EXIT
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$TEST_DATABASE_URL"
  [ -n "${TEST_MIGRATION_DATABASE_URL:-}" ] && export MIGRATION_DATABASE_URL="$TEST_MIGRATION_DATABASE_URL"
else
  ensure_postgres
  # Jest runs TEST_WORKERS test files at a time. Each worker has a database and a Redis database
  # of its own (test/support/worker-env.ts), copied from one migrated template; so do the suites'
  # isolated databases (test/support/isolated.ts): a copy takes a tenth of a migration.
  export OSTRACON_TEST_WORKERS="${TEST_WORKERS:-2}"
  create_local_database ostracon_test_template fresh
  # Migrations as the owner, everything else as the application's role, as in production.
  export MIGRATION_DATABASE_URL="postgresql://ostracon@127.0.0.1:$PG_PORT/ostracon_test_template"
  export DATABASE_URL="postgresql://$APP_ROLE@127.0.0.1:$PG_PORT/ostracon_test_template"
fi
if [ -n "${TEST_REDIS_URL:-}" ]; then
  export REDIS_URL="$TEST_REDIS_URL"
else
  ensure_redis
  # A clean queue too: jobs left by an earlier run point at rows the fresh database lacks.
  for worker in $(seq 1 "${OSTRACON_TEST_WORKERS:-1}"); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n $((10 + worker)) flushdb >/dev/null
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/11" OSTRACON_TEST_REDIS_PER_WORKER=1
fi
ensure_chromium
ensure_ops_tools
export NODE_ENV=test TZ=UTC LOG_LEVEL="${LOG_LEVEL:-warn}"
# Every API a test starts takes a free port for its metrics listener.
export METRICS_PORT=0
# Every test's requests come from 127.0.0.1: its failed-authentication allowance would be shared by
# every suite. test/hardening.e2e-spec.ts sets small limits of its own, for addresses of its own.
export AUTH_FAILURE_BURST=100000 SIGN_IN_BURST=100000
# The simulated platforms listen on 127.0.0.1: webhooks to private addresses are allowed here, and only here.
export WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true
export OSTRACON_DEV_SECRETS_FILE="$LOCAL_DIR/test-secrets.json"

node dist/apps/cli/src/main.js migrate
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  ensure_app_role
  for worker in $(seq 1 "$OSTRACON_TEST_WORKERS"); do
    psql_local -d postgres -c "DROP DATABASE IF EXISTS ostracon_test_$worker WITH (FORCE)" \
      -c "CREATE DATABASE ostracon_test_$worker TEMPLATE ostracon_test_template" >/dev/null
  done
  export OSTRACON_TEST_TEMPLATE=ostracon_test_template
  npx jest --maxWorkers="$OSTRACON_TEST_WORKERS" "$@"
else
  # One database for every suite: one suite at a time.
  npx jest --maxWorkers=1 "$@"
fi
