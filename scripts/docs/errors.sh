#!/usr/bin/env bash
# npm run docs:errors: docs/errors.md from the error catalogues (apps/api/src/openapi/errors-doc.ts),
# which apps/api/src/openapi/errors-doc.spec.ts checks is current. Run it after changing a catalogue.
set -euo pipefail
source "$(dirname "$0")/../services.sh"
cd "$OSTRACON_ROOT"
ensure_node_modules
build
node -e "process.stdout.write(require('./dist/apps/api/src/openapi/errors-doc.js').renderErrorsDoc())" > docs/errors.md
