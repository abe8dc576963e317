#!/usr/bin/env bash
# npm run openapi:types: the TypeScript types of the API (openapi-typescript), from the document the
# API serves, into test/support/ostracon-api.d.ts, which test/openapi.e2e-spec.ts uses through
# openapi-fetch and checks is current. Run it after changing a route's documentation.
set -euo pipefail
source "$(dirname "$0")/../services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
mkdir -p .local
node -e "process.stdout.write(JSON.stringify(require('./dist/apps/api/src/openapi/openapi.js').buildOpenApiDocument()))" > .local/openapi.json
npx openapi-typescript .local/openapi.json -o test/support/ostracon-api.d.ts
