#!/usr/bin/env bash
# npm run start:prod: the service as production runs it without systemd (docs/operations.md):
# built code, NODE_ENV=production, migrations, then the API and the worker as two processes, each
# restarted if it dies (after 1 s, doubling to 30 s while it keeps dying; back to 1 s after a
# minute up). SIGTERM or Ctrl-C stops both and waits for them. Nothing local is started:
# DATABASE_URL, REDIS_URL and every secret come from the environment (the configuration refuses to
# start without them). Under systemd, use the units in scripts/systemd/ instead.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_ENV=production
say() { printf '[ostracon] %s\n' "$*" >&2; }

if (( BASH_VERSINFO[0] < 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] < 1) )); then
  say "bash 5.1 or later is needed (wait -n -p); this is $BASH_VERSION"
  exit 1
fi
# The project's Node.js: the machine's when it is of the same major version, else the pinned one.
source scripts/node.sh
ensure_node
if [ ! -f dist/apps/api/src/main.js ] || [ ! -f dist/apps/worker/src/main.js ]; then
  say "no build in dist/: npm ci && npm run build first"
  exit 1
fi
# One build for the migrations and every (re)start of the processes, whatever a later build
# switches dist to (docs/decisions/0012): a new build runs after a restart of this script.
DIST=$(readlink -f dist)
if [ "${OSTRACON_MIGRATE:-true}" = true ]; then
  node "$DIST/apps/cli/src/main.js" migrate || { say "migrations failed: not starting"; exit 1; }
fi

stopping=false
SLEEP_PID=
declare -A PIDS=() STARTED=() DELAY=([api]=1 [worker]=1)
start() {
  node "$DIST/apps/$1/src/main.js" &
  PIDS[$1]=$!
  STARTED[$1]=$SECONDS
  say "$1 started (pid ${PIDS[$1]})"
  # A stop that came while it was being started still reaches it.
  if $stopping; then kill -TERM "${PIDS[$1]}" 2>/dev/null || true; fi
}
stop() {
  stopping=true
  [ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null
  for app in "${!PIDS[@]}"; do kill -TERM "${PIDS[$app]}" 2>/dev/null || true; done
}
trap stop INT TERM

start api
start worker
while ! $stopping; do
  ended=
  wait -n -p ended "${PIDS[@]}"
  code=$?
  $stopping && break
  for app in "${!PIDS[@]}"; do
    [ "${PIDS[$app]}" = "$ended" ] || continue
    (( SECONDS - STARTED[$app] > 60 )) && DELAY[$app]=1
    say "$app exited ($code); restarting in ${DELAY[$app]} s"
    sleep "${DELAY[$app]}" &
    SLEEP_PID=$!
    wait "$SLEEP_PID" 2>/dev/null
    SLEEP_PID=
    $stopping && break 2
    start "$app"
    DELAY[$app]=$(( DELAY[$app] * 2 > 30 ? 30 : DELAY[$app] * 2 ))
  done
done
wait "${PIDS[@]}" 2>/dev/null
say "stopped"
