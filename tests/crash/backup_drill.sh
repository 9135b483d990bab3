#!/usr/bin/env bash
# The restore drill: `huying backup` taken while `huying load` logs calls
# over HTTP against the real server; the backup restored into a new file;
# every order acknowledged (2xx) before the backup began is in it, each
# Idempotency-Key names exactly one order, and a server started on the
# restored file answers for them.
#   tests/crash/backup_drill.sh HUYING_BIN CONFIG_DIR
set -euo pipefail

bin=$1
config=$2
. "$(dirname "$0")/../support/drill.sh"
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -n 5 "$dir"/*.log 2>/dev/null; exit 1; }

start_server() {  # start_server DB LOG: sets url
  "$bin" serve --config "$config" --db "$1" --port 0 --rate-per-session 0 >"$2.out" 2>"$2" &
  pids+=($!)
  url=$(wait_listening "$2.out")
  [ -n "$url" ] || fail "the server did not start"
}

start_server "$dir/live.db" "$dir/server.log"
"$bin" load --url "$url" --config "$config" --rate 150 --duration 0 --connections 16 \
  --delay-scale 0.05 --acked "$dir/acked.txt" --quiet >"$dir/load.log" 2>&1 &
load=$!
pids+=($load)
wait_acked "$dir/acked.txt" 500 || true  # counted below
# What was acknowledged before the backup began must all be in it.
cp "$dir/acked.txt" "$dir/before.txt"
before=$(wc -l <"$dir/before.txt")
[ "$before" -ge 500 ] || fail "only $before orders acknowledged"
"$bin" backup --db "$dir/live.db" --to "$dir/backup.db" | tee "$dir/backup.out"
sleep 1
kill -TERM "$load"
wait "$load" 2>/dev/null || true
after=$(wc -l <"$dir/acked.txt")
echo "acknowledged: $before before the backup, $after in all (the load went on during it)"
[ "$after" -gt "$before" ] || fail "the load did not go on while the backup ran"

"$bin" restore --from "$dir/backup.db" --db "$dir/restored.db"
# Each acknowledged number and key is there, once (one query for all).
awk '{ printf "SELECT \x27%s\x27, (SELECT count(*) FROM orders WHERE number = \x27%s\x27), (SELECT order_number FROM idempotency WHERE key = \x27%s\x27);\n", $1, $1, $2 }' \
  "$dir/before.txt" | sqlite3 -separator ' ' "$dir/restored.db" >"$dir/check.txt"
[ "$(wc -l <"$dir/check.txt")" -eq "$before" ] || fail "the check read $(wc -l <"$dir/check.txt") of $before"
awk '$2 != 1 || $3 != $1 { print "missing or twice: " $0 }' "$dir/check.txt"
missing=$(awk '$2 != 1 || $3 != $1' "$dir/check.txt" | wc -l)
[ "$missing" -eq 0 ] || fail "$missing of $before acknowledged orders not in the restored store"
dups=$(sqlite3 "$dir/restored.db" "SELECT count(*) FROM (SELECT order_number FROM idempotency GROUP BY order_number HAVING count(*) > 1)")
[ "$dups" = "0" ] || fail "$dups orders with two keys"
echo "all $before orders acknowledged before the backup are in the restored store, once"

# A server on the restored file answers for them.
start_server "$dir/restored.db" "$dir/restored.log"
token=$(curl -sf -H 'Content-Type: application/json' -d '{"user":"disp1","password":"demo"}' \
  "$url/api/v1/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
first=$(head -1 "$dir/before.txt" | cut -d' ' -f1)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/api/v1/orders/$first")
[ "$code" = "200" ] || fail "GET $first on the restored store: $code"
echo "a server on the restored store answers: ok"
