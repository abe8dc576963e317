#!/usr/bin/env bash
# npm run db:types: libs/database/src/schema.generated.ts, the row types of the migrated schema
# (docs/decisions/0014), from a fresh local database with every migration applied (or from
# DB_TYPES_DATABASE_URL, a database already migrated, as its owner). Run it after adding a
# migration; test/db-types.e2e-spec.ts checks the committed file is current.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"

ensure_node_modules

if [ -n "${DB_TYPES_DATABASE_URL:-}" ]; then
  url="$DB_TYPES_DATABASE_URL"
else
  build
  trap stop_services EXIT
  ensure_postgres
  create_local_database ostracon_db_types fresh
  url="postgresql://ostracon@127.0.0.1:$PG_PORT/ostracon_db_types"
  # The migrations as npm test runs them: as the owner, with the development secrets of the tests.
  MIGRATION_DATABASE_URL="$url" DATABASE_URL="$url" OSTRACON_DEV_SECRETS_FILE="$LOCAL_DIR/test-secrets.json" \
    node dist/apps/cli/src/main.js migrate
fi
node scripts/db-types.mjs "$url" libs/database/src/schema.generated.ts
