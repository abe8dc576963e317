#!/usr/bin/env bash
# npm run test:mutation [-- <stryker options>, e.g. --force]: Stryker over the files the config
# names, then each file held to its threshold (thresholds.mjs). docs/testing.md § Mutation testing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/node.sh
ensure_node
npx stryker run scripts/mutation/stryker.config.mjs "$@"
node scripts/mutation/thresholds.mjs
