#!/usr/bin/env bash
# npm run bench: the same local services, a fresh bench database, then every benchmark.
# Results are written under bench/results/ and printed.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
trap stop_services EXIT
ensure_postgres
create_local_database ostracon_bench fresh
ensure_redis
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 2 flushdb >/dev/null
export DATABASE_URL="postgresql://ostracon@127.0.0.1:$PG_PORT/ostracon_bench"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2"
export NODE_ENV=test LOG_LEVEL=error OSTRACON_DEV_SECRETS_FILE="$LOCAL_DIR/bench-secrets.json"
node dist/apps/cli/src/main.js migrate
node dist/bench/enforcement.bench.js
