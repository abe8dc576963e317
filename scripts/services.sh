#!/usr/bin/env bash
# Local PostgreSQL and Redis for development and tests, when DATABASE_URL / REDIS_URL are not
# given. Sourced by start.sh and test.sh. Installs the Debian packages when they are missing
# and we are root; otherwise says what to install. Everything lives under .local/ (git-ignored).
set -euo pipefail

OSTRACON_ROOT="${OSTRACON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
LOCAL_DIR="${OSTRACON_LOCAL_DIR:-$OSTRACON_ROOT/.local}"
# The same settings and defaults as libs/config's local URLs. A second instance from the same
# checkout sets other ports (and PORT, METRICS_PORT): its servers get data folders of their own.
PG_PORT="${LOCAL_PG_PORT:-54329}"
REDIS_PORT="${LOCAL_REDIS_PORT:-63799}"
PG_DIR_NAME=pg
REDIS_DIR_NAME=redis
[ "$PG_PORT" = 54329 ] || PG_DIR_NAME="pg-$PG_PORT"
[ "$REDIS_PORT" = 63799 ] || REDIS_DIR_NAME="redis-$REDIS_PORT"
STARTED_PG=""
STARTED_REDIS=""
APT_UPDATED=""

say() { printf '[ostracon] %s\n' "$*" >&2; }

# Every script that sources this one runs on the project's Node.js (scripts/node.sh).
source "$OSTRACON_ROOT/scripts/node.sh"
ensure_node

install_packages() {
  if [ "$(id -u)" != 0 ]; then
    say "missing: $*. Install them (Debian/Ubuntu: sudo apt-get install -y $*) or set DATABASE_URL and REDIS_URL."
    exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    say "installing $* from Debian packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_bindir() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && echo "$dir"
}

# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user, in a data
# folder it can reach (a clone under a private temp folder is out of its reach).
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_data_dir() {
  local dir="$LOCAL_DIR/$PG_DIR_NAME"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    mkdir -p "$dir"
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      # Named after the checkout (after OSTRACON_LOCAL_DIR when it is set), as before that setting.
      dir="/var/tmp/ostracon-$(printf '%s' "${OSTRACON_LOCAL_DIR:-$OSTRACON_ROOT}" | sha256sum | cut -c1-12)/$PG_DIR_NAME"
      mkdir -p "$dir"
      chown -R postgres: "$(dirname "$dir")"
      chmod 700 "$dir"
      say "the postgres user cannot reach $LOCAL_DIR; PostgreSQL data goes to $dir"
    fi
  else
    mkdir -p "$dir"
  fi
  echo "$dir"
}

ensure_postgres() {
  local bin data
  bin=$(pg_bindir || true)
  if [ -z "$bin" ]; then
    install_packages postgresql
    bin=$(pg_bindir)
  fi
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    return 0
  fi
  data=$(pg_data_dir)
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a local PostgreSQL cluster in $data"
    # Trust on loopback only: a development database that listens on 127.0.0.1 alone.
    pg_run "$bin/initdb" -D "$data" -U ostracon --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_run "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data -c fsync=off -c max_connections=200" start >/dev/null
  STARTED_PG="$bin/pg_ctl -D $data"
}

stop_postgres() {
  if [ -n "$STARTED_PG" ]; then
    say "stopping PostgreSQL"
    pg_run $STARTED_PG -m fast -w stop >/dev/null 2>&1 || true
    STARTED_PG=""
  fi
}

psql_local() {
  psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p "$PG_PORT" -U ostracon "$@"
}

create_local_database() {
  local name="$1" fresh="${2:-}"
  if [ -n "$fresh" ]; then
    psql_local -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  fi
  if ! psql_local -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    psql_local -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

# The login role the API, the worker and the tests connect as: a member of the application role
# ostracon_app, which the migrations create and grant (docs/security.md). Run after migrating.
APP_ROLE=ostracon_service
ensure_app_role() {
  psql_local -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_ROLE') THEN
        CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE ostracon_app;
      END IF;
    END \$\$" >/dev/null
}

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    install_packages redis-server
  fi
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    return 0
  fi
  local dir="$LOCAL_DIR/$REDIS_DIR_NAME"
  mkdir -p "$dir"
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  # No persistence: Redis only carries work that PostgreSQL can re-create.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --save '' --appendonly no --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  STARTED_REDIS=1
}

# The browser the console's end-to-end tests drive (test/console.e2e-spec.ts): Debian's package,
# since the browser downloads of test frameworks are not reachable everywhere. With its French
# locale (chromium-l10n): the browser's own text in date and month fields ("jj/mm/aaaa") is what a
# person in France reads, and the tests check that no English reaches the screen.
ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ]; then
    command -v chromium >/dev/null 2>&1 || install_packages chromium
    dpkg -s chromium-l10n >/dev/null 2>&1 || install_packages chromium-l10n
  fi
}

# What the operations tests use: systemd-analyze (the units in scripts/systemd/), util-linux's
# script (a terminal for the log format test), promtool (the alerts in scripts/prometheus/).
ensure_ops_tools() {
  command -v systemd-analyze >/dev/null 2>&1 || install_packages systemd
  command -v script >/dev/null 2>&1 || install_packages bsdutils
  command -v promtool >/dev/null 2>&1 || install_packages prometheus
}

# The sign-up bench's load generator for throughput (a C program: it leaves the servers more of
# this machine's two cores than autocannon would).
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 || install_packages wrk
}

stop_redis() {
  if [ -n "$STARTED_REDIS" ]; then
    say "stopping Redis"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    STARTED_REDIS=""
  fi
}

stop_services() {
  stop_postgres
  stop_redis
}

# Installed again when the lock file changed, or when they were installed for another Node.js
# (native addons are built for one ABI).
ensure_node_modules() {
  local stamp="$OSTRACON_ROOT/node_modules/.ostracon-node-abi" abi
  abi=$(node -p process.versions.modules)
  if [ ! -d "$OSTRACON_ROOT/node_modules" ] || [ "$OSTRACON_ROOT/package-lock.json" -nt "$OSTRACON_ROOT/node_modules/.package-lock.json" ] \
    || [ "$(cat "$stamp" 2>/dev/null)" != "$abi" ]; then
    say "installing dependencies (npm ci)"
    (cd "$OSTRACON_ROOT" && npm ci --no-audit --no-fund >&2)
    echo "$abi" > "$stamp"
  fi
}

# Only what changed, into a build directory of its own (scripts/build.mjs).
build() {
  node "$OSTRACON_ROOT/scripts/build.mjs"
}
