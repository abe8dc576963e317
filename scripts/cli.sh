#!/usr/bin/env bash
# npm run cli -- <command>: the admin CLI, built first so that it always matches the source.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
exec node dist/apps/cli/src/main.js "$@"
