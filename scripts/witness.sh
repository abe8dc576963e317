#!/usr/bin/env bash
# npm run witness -- keygen|serve …: an audit-log witness (docs/auditing.md § Running a witness),
# built first so that it always matches the source. It needs neither PostgreSQL nor Redis.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
exec node dist/apps/witness/src/main.js "$@"
