#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: initdb in a temporary
# folder, listening on a unix socket in that folder only (no TCP port, so
# that two runs on one machine never collide), trust authentication for the
# "postgres" role. Installs nothing (scripts/install-deps.sh does).
#
#   pg-test-cluster.sh start STATE   creates and starts a cluster; STATE is a
#                                    file that records its folder
#   pg-test-cluster.sh stop STATE    stops it and removes its folder (a cluster
#                                    already gone is fine: the cleanup of a run
#                                    that failed or was interrupted calls it)
#   pg-test-cluster.sh restart STATE restarts it (a test of a server restart)
#   pg-test-cluster.sh env STATE     prints LI_PG_DIR=..., for `eval`
#   pg-test-cluster.sh url STATE DB  prints the libpq URL of database DB
#
# initdb refuses to run as root: as root the cluster belongs to the
# "postgres" system user (created by the postgresql package), otherwise to
# the user running the tests.
set -euo pipefail

die() { echo "pg-test-cluster: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: $0 start|stop|restart|env|url STATE [DB]"
cmd=$1
state=$2

find_bindir() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  # Debian keeps the server's programs out of PATH, one folder per major version.
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
  done
  die "initdb introuvable : installez postgresql-15 (scripts/install-deps.sh)"
}

# Runs a server program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

read_dir() {
  [ -f "$state" ] || return 1
  dir=$(cat "$state")
  [ -n "$dir" ] && [ -d "$dir" ]
}

stop_cluster() {
  local dir=$1 bindir
  bindir=$(find_bindir)
  if [ -f "$dir/data/postmaster.pid" ]; then
    # immediate: a test cluster has nothing worth a checkpoint.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# The clusters a test made for itself beside this one (their state files
# are STATE.extra-*, e.g. the server restart of test_pg_concurrency.py):
# stopped with it, so that a test killed by its timeout leaves none behind.
stop_extras() {
  local extra d
  case "$state" in *.extra-*) return ;; esac
  for extra in "$state".extra-*; do
    [ -f "$extra" ] || continue
    d=$(cat "$extra")
    if [ -n "$d" ] && [ -d "$d" ]; then stop_cluster "$d"; fi
    rm -f "$extra"
  done
}

case "$cmd" in
  start)
    bindir=$(find_bindir)
    # A cluster left by an interrupted run of the same build goes first.
    if read_dir; then stop_cluster "$dir"; fi
    rm -f "$state"
    stop_extras
    # Short path: a unix socket path is limited to 107 bytes.
    dir=$(mktemp -d "${TMPDIR:-/tmp}/li-pg.XXXXXX")
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      getent passwd postgres >/dev/null || die "utilisateur postgres absent : installez postgresql-15"
      chown postgres: "$dir"
    fi
    echo "$dir" > "$state"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; stop_cluster "$dir"; rm -f "$state"; die "initdb a échoué"; }
    # fsync off and a small shared_buffers: the data is thrown away, and the
    # machine running CI is shared. max_connections covers the concurrency
    # tests (4 workers, 2 servers, their pools) run beside another test.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=200" \
      start >/dev/null \
      || { cat "$dir/server.log" >&2; stop_cluster "$dir"; rm -f "$state"; die "le serveur n'a pas démarré"; }
    echo "pg-test-cluster: $dir" >&2
    ;;
  stop)
    if read_dir; then stop_cluster "$dir"; fi
    rm -f "$state"
    stop_extras
    ;;
  restart)
    read_dir || die "pas de cluster dans $state"
    bindir=$(find_bindir)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=200" \
      >/dev/null
    ;;
  env)
    read_dir || die "pas de cluster dans $state"
    echo "LI_PG_DIR=$dir"
    ;;
  url)
    read_dir || die "pas de cluster dans $state"
    [ $# -ge 3 ] || die "url: nom de base manquant"
    echo "postgresql://postgres@/$3?host=$dir"
    ;;
  *)
    die "commande inconnue : $cmd"
    ;;
esac
