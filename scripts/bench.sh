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
# BENCH_REUSE_DB=1 keeps the last run's database (and its seeded signals) to iterate faster.
if [[ "${BENCH_REUSE_DB:-}" == 1 ]]; then create_local_database ostracon_bench; else create_local_database ostracon_bench fresh; fi
ensure_redis
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 2 flushdb >/dev/null
export DATABASE_URL="postgresql://ostracon@127.0.0.1:$PG_PORT/ostracon_bench"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2"
export NODE_ENV=test LOG_LEVEL=error OSTRACON_DEV_SECRETS_FILE="$LOCAL_DIR/bench-secrets.json" METRICS_PORT=0
node dist/apps/cli/src/main.js migrate
# BENCH_ONLY=enforcement|screening|audit|console|private|witness runs one of them.
if [[ "${BENCH_ONLY:-enforcement}" == enforcement ]]; then
  node dist/bench/enforcement.bench.js
fi
if [[ "${BENCH_ONLY:-screening}" == screening ]]; then
  ensure_wrk
  node --expose-gc dist/bench/screening.bench.js
fi
if [[ "${BENCH_ONLY:-audit}" == audit ]]; then
  node dist/bench/audit.bench.js
fi
if [[ "${BENCH_ONLY:-console}" == console ]]; then
  ensure_chromium
  node dist/bench/console.bench.js
fi
if [[ "${BENCH_ONLY:-private}" == private ]]; then
  node --expose-gc dist/bench/private.bench.js
fi
if [[ "${BENCH_ONLY:-witness}" == witness ]]; then
  node dist/bench/witness.bench.js
fi
