#!/usr/bin/env bash
# npm run start:prod: the service as production runs it without systemd (docs/operations.md):
# built code, NODE_ENV=production, migrations, then the API and the worker as two processes, each
# restarted if it dies (after 1 s, doubling to 30 s while it keeps dying). SIGTERM or Ctrl-C stops
# both and waits for them. Nothing local is started: DATABASE_URL, REDIS_URL and every secret come
# from the environment (the configuration refuses to start without them). Under systemd, use the
# units in scripts/systemd/ instead.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_ENV=production
say() { printf '[ostracon] %s\n' "$*" >&2; }

if [ ! -f dist/apps/api/src/main.js ] || [ ! -f dist/apps/worker/src/main.js ]; then
  say "no build in dist/: npm ci && npm run build first"
  exit 1
fi
if [ "${OSTRACON_MIGRATE:-true}" = true ]; then
  node dist/apps/cli/src/main.js migrate || { say "migrations failed: not starting"; exit 1; }
fi

stopping=false
declare -A PIDS=()
start() {
  node "dist/apps/$1/src/main.js" &
  PIDS[$1]=$!
  say "$1 started (pid ${PIDS[$1]})"
}
stop() {
  stopping=true
  for app in "${!PIDS[@]}"; do kill -TERM "${PIDS[$app]}" 2>/dev/null || true; done
}
trap stop INT TERM

start api
start worker
declare -A DELAY=([api]=1 [worker]=1)
while ! $stopping; do
  wait -n -p ended "${PIDS[@]}"
  code=$?
  $stopping && break
  for app in "${!PIDS[@]}"; do
    [ "${PIDS[$app]}" = "${ended:-}" ] || continue
    say "$app exited ($code); restarting in ${DELAY[$app]} s"
    sleep "${DELAY[$app]}" & wait $! || true
    $stopping && break 2
    start "$app"
    DELAY[$app]=$(( DELAY[$app] * 2 > 30 ? 30 : DELAY[$app] * 2 ))
  done
done
wait
say "stopped"
