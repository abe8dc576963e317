#!/usr/bin/env bash
# npm start: dependencies, local PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set,
# migrations, then the API and the worker. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"

ensure_node_modules
build

cleanup() {
  trap - INT TERM EXIT
  [ -n "${API_PID:-}" ] && kill -TERM "$API_PID" 2>/dev/null || true
  [ -n "${WORKER_PID:-}" ] && kill -TERM "$WORKER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  stop_services
}
trap cleanup INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  ensure_postgres
  create_local_database ostracon
fi
[ -z "${REDIS_URL:-}" ] && ensure_redis

# Without a real OpenID provider, people sign in against the development one the API mounts at
# /oidc (any password; docs/people.md). Production refuses it.
if [ -z "${OIDC_ISSUER:-}" ] && [ "${NODE_ENV:-development}" != production ]; then
  export LOCAL_OIDC_PROVIDER="${LOCAL_OIDC_PROVIDER:-true}"
fi

# One build for all three, whatever a build beside this one switches dist to meanwhile.
DIST=$(readlink -f dist)
node "$DIST/apps/cli/src/main.js" migrate
# Migrations ran as the owner; the API and the worker run as the application's role (docs/security.md).
[ -z "${DATABASE_URL:-}" ] && ensure_app_role
node "$DIST/apps/api/src/main.js" &
API_PID=$!
node "$DIST/apps/worker/src/main.js" &
WORKER_PID=$!
say "API on http://${HOST:-127.0.0.1}:${PORT:-3000} (docs at /docs; people sign in at /auth/sign-in); Ctrl-C stops everything"
# Either process ending ends the whole service, so a crash is never silent.
wait -n "$API_PID" "$WORKER_PID"
