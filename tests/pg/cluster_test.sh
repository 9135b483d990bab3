#!/usr/bin/env bash
# scripts/pg-cluster really gives a synchronous pair: a row committed through
# the pair's URL reaches the standby; with the standby stopped, a commit does
# not return (it waits for the second disk); started again, it streams again.
#   tests/pg/cluster_test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=$((22000 + RANDOM % 2000))  # below the ephemeral ports
trap 'scripts/pg-cluster stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; tail -n 20 "$dir"/*.log; exit 1; }
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

url=$(scripts/pg-cluster start "$dir" "$port" | tail -1)
echo "cluster: $url"
case "$url" in postgresql://*target_session_attrs=read-write*) ;; *) fail "no URL: $url" ;; esac
status=$(scripts/pg-cluster status "$dir")
grep -q "primary: running on :$port as primary" <<<"$status" || fail "primary: $status"
grep -q "standby: running on :$((port + 1)) as standby" <<<"$status" || fail "standby: $status"

psql "$url" -qAt -c "CREATE TABLE t (x int)" -c "INSERT INTO t VALUES (1)"
# On the standby (read-only) the row shows up.
for _ in $(seq 50); do
  n=$(as_pg "$bin/psql" -h 127.0.0.1 -p $((port + 1)) -U postgres -d huying -qAt -c "SELECT count(*) FROM t" 2>/dev/null || true)
  [ "$n" = "1" ] && break
  sleep 0.1
done
[ "$n" = "1" ] || fail "the standby has $n rows, not 1"
as_pg "$bin/psql" -h 127.0.0.1 -p $((port + 1)) -U postgres -d huying -qAt -c "INSERT INTO t VALUES (9)" \
  >/dev/null 2>&1 && fail "the standby took a write"

# Synchronous: without the standby, a commit waits.
as_pg "$bin/pg_ctl" -D "$dir/standby" -m fast -w stop >/dev/null
if timeout 3 psql "$url" -qAt -c "INSERT INTO t VALUES (2)" >/dev/null 2>&1; then
  fail "a commit returned with the standby down: replication is not synchronous"
fi
echo "with the standby down a commit waits (synchronous): ok"
scripts/pg-cluster start "$dir" >/dev/null
psql "$url" -qAt -c "INSERT INTO t VALUES (3)" >/dev/null
echo "standby back, commits return: ok"
