#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, then removes the server and its files.
#
#   .ci/postgres.sh cargo test -p pay-store --features postgres
#
# The server runs as an unprivileged user (the caller, or `nobody` when run as root) from a fresh
# cluster in a temporary directory, listening on 127.0.0.1 on a free port and on a socket in a
# private directory. The command sees its URL in PAY_TEST_POSTGRES_URL. When the server binaries
# are missing, they are installed from the distribution's packages if this runs as root with apt.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

if ! bindir="$(find_bindir)"; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "postgres.sh: installing PostgreSQL from the distribution's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # The package's own cluster is not used; policy-rc.d keeps it from starting where possible.
    apt-get install -y -qq --no-install-recommends postgresql >&2
    bindir="$(find_bindir)"
  else
    echo "postgres.sh: PostgreSQL server binaries (initdb, pg_ctl) not found;" \
      "install the distribution's postgresql package" >&2
    exit 1
  fi
fi

# Who runs the server: PostgreSQL refuses to run as root.
if [ "$(id -u)" -eq 0 ]; then
  runner=(runuser -u nobody --)
  db_user=nobody
else
  runner=()
  db_user="$(id -un)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/pay-postgres.XXXXXX")"
data="$work/data"
socket="$work/socket"
mkdir -p "$data" "$socket"
chmod 700 "$work" "$data" "$socket"
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody "$work"
fi

cleanup() {
  local status=$?
  if [ -f "$data/postmaster.pid" ]; then
    "${runner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: ask the kernel for one, then let the server take it (retried if someone races us).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

"${runner[@]}" "$bindir/initdb" -D "$data" -U "$db_user" --auth=trust --encoding=UTF8 \
  --no-instructions >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }

started=""
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  if "${runner[@]}" "$bindir/pg_ctl" -D "$data" -l "$work/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$socket -c fsync=on -c synchronous_commit=on -c max_connections=200" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "postgres.sh: the server did not start:" >&2
  cat "$work/server.log" >&2 || true
  exit 1
fi

export PAY_TEST_POSTGRES_URL="postgres://$db_user@127.0.0.1:$port/postgres"
echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $PAY_TEST_POSTGRES_URL (socket $socket)" >&2

status=0
"$@" || status=$?
exit "$status"
