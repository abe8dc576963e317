#!/usr/bin/env bash
# The Node.js the project runs on (docs/decisions/0012): the version in .node-version. Sourced by
# services.sh and .ci/run. When the machine's `node` is of another major version (an image still
# on Node 20, say), ensure_node installs the pinned version from the npm registry's node-linux-<cpu>
# package, with npm ci from scripts/runtime/'s lock file (whose integrity checks the download),
# under .local/runtime/<version>/, and puts it first on PATH: npm, the builds, the tests and the
# services started after it all run on it.

OSTRACON_ROOT="${OSTRACON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

ensure_node() {
  local want have dir
  want=$(tr -d '[:space:]' < "$OSTRACON_ROOT/.node-version")
  have=$(node --version 2>/dev/null || true)
  # Any release of the same major version will do: the machine's own, kept current by its owner.
  [ "${have%%.*}" = "v${want%%.*}" ] && return 0
  dir="${OSTRACON_LOCAL_DIR:-$OSTRACON_ROOT/.local}/runtime/$want"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    printf '[ostracon] this machine has Node.js %s; installing Node.js %s from the npm registry into %s\n' "${have:-none}" "$want" "$dir" >&2
    mkdir -p "$dir"
    cp "$OSTRACON_ROOT/scripts/runtime/package.json" "$OSTRACON_ROOT/scripts/runtime/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    if [ ! -x "$dir/node_modules/.bin/node" ]; then
      printf '[ostracon] no Node.js %s package for %s %s in scripts/runtime/: install Node.js %s yourself\n' "$want" "$(uname -s)" "$(uname -m)" "${want%%.*}" >&2
      exit 1
    fi
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}
