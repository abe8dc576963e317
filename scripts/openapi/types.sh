#!/usr/bin/env bash
# npm run openapi:types: the TypeScript types of the API (openapi-typescript), from the document the
# API serves, into libs/platform-sdk/src/api-types.ts: the SDK exports its `paths` and `components`
# (types only), the console calls the API through them with openapi-fetch, and
# test/openapi.e2e-spec.ts does too and checks the file is current. Run it after changing a route's
# documentation.
set -euo pipefail
source "$(dirname "$0")/../services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
mkdir -p .local
node -e "process.stdout.write(JSON.stringify(require('./dist/apps/api/src/openapi/openapi.js').buildOpenApiDocument()))" > .local/openapi.json
npx openapi-typescript .local/openapi.json -o libs/platform-sdk/src/api-types.ts
