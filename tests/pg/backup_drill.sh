#!/usr/bin/env bash
# The restore drill on PostgreSQL: `huying backup` (pg_dump of one snapshot)
# taken while `huying load` logs calls over HTTP against a dispatcher on a
# primary + synchronous standby; restored into a new database; every order
# acknowledged before the backup began is in it, each Idempotency-Key names
# exactly one order, and a dispatcher started on the restored database
# answers for them. A second restore into the same schema is refused
# without --force and replaces it with --force.
#   tests/pg/backup_drill.sh HUYING_BIN CONFIG_DIR
set -euo pipefail
bin=$(realpath "$1")
config=$(realpath "$2")
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
. tests/support/drill.sh
pg_test_start 24000
restored="postgresql://huying@127.0.0.1:$port/restored"
psql "postgresql://huying@127.0.0.1:$port/huying" -qAtX -c "CREATE DATABASE restored"

start_server() {  # start_server URL LOG: sets srv
  "$bin" serve --config "$config" --db "$1" --db-schema drill --port 0 --rate-per-session 0 \
    >"$2.out" 2>"$2" &
  pids+=($!)
  srv=$(wait_listening "$2.out")
  [ -n "$srv" ] || fail "the server did not start"
}

start_server "$url" "$work/server.log"
"$bin" load --url "$srv" --config "$config" --rate 150 --duration 0 --connections 16 \
  --delay-scale 0.05 --acked "$work/acked.txt" --quiet >"$work/load.log" 2>&1 &
load=$!
pids+=($load)
wait_acked "$work/acked.txt" 500 || true  # counted below
cp "$work/acked.txt" "$work/before.txt"
before=$(wc -l <"$work/before.txt")
[ "$before" -ge 500 ] || fail "only $before orders acknowledged"
"$bin" backup --db "$url" --db-schema drill --to "$work/drill.dump"
sleep 1
kill -TERM "$load"
wait "$load" 2>/dev/null || true
after=$(wc -l <"$work/acked.txt")
echo "acknowledged: $before before the backup, $after in all (the load went on during it)"
[ "$after" -gt "$before" ] || fail "the load did not go on while the backup ran"

"$bin" restore --from "$work/drill.dump" --db "$restored" --db-schema drill
check() {
  psql "$restored" -qAtX -v ON_ERROR_STOP=1 \
    -c "CREATE TEMP TABLE acked (number TEXT, key TEXT, at BIGINT, url TEXT)" \
    -c "\\copy acked FROM '$work/before.txt' WITH (DELIMITER ' ')" \
    -c "SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM drill.orders o WHERE o.number = a.number) <> 1 OR (SELECT order_number FROM drill.idempotency i WHERE i.key = a.key) IS DISTINCT FROM a.number" \
    -c "SELECT count(*) FROM (SELECT order_number FROM drill.idempotency GROUP BY order_number HAVING count(*) > 1) d" |
    tr '\n' ' '
}
read -r missing twice <<<"$(check)"
[ "$missing" = 0 ] || fail "$missing of $before acknowledged orders not in the restored store (or twice)"
[ "$twice" = 0 ] || fail "$twice orders with two keys"
echo "all $before orders acknowledged before the backup are in the restored database, once"

# Into another schema: refused (pg_restore puts a backup back where it was).
if "$bin" restore --from "$work/drill.dump" --db "$restored" --db-schema other --force 2>"$work/refused0.txt"; then
  fail "a restore into another schema was not refused"
fi
grep -q "holds no store of schema other" "$work/refused0.txt" || fail "refusal without its reason: $(cat "$work/refused0.txt")"
# Into the same schema again: refused, then replaced with --force.
if "$bin" restore --from "$work/drill.dump" --db "$restored" --db-schema drill 2>"$work/refused.txt"; then
  fail "a restore over an existing store was not refused"
fi
grep -q "already holds a store" "$work/refused.txt" || fail "refusal without its reason: $(cat "$work/refused.txt")"
"$bin" restore --from "$work/drill.dump" --db "$restored" --db-schema drill --force
read -r missing twice <<<"$(check)"
[ "$missing" = 0 ] || fail "after --force: $missing acknowledged orders missing"

# A dispatcher on the restored database answers for them.
start_server "$restored" "$work/restored.log"
token=$(curl -sf -H 'Content-Type: application/json' -d '{"user":"disp1","password":"demo"}' \
  "$srv/api/v1/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
first=$(head -1 "$work/before.txt" | cut -d' ' -f1)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$srv/api/v1/orders/$first")
[ "$code" = "200" ] || fail "GET $first on the restored database: $code"
echo "a dispatcher on the restored database answers: ok"
# And with it running (holding the lease), a restore over it is refused.
if "$bin" restore --from "$work/drill.dump" --db "$restored" --db-schema drill --force 2>"$work/refused2.txt"; then
  fail "a restore under a running dispatcher was not refused"
fi
grep -q "holds the lease" "$work/refused2.txt" || fail "refusal without its reason: $(cat "$work/refused2.txt")"
echo "a restore under a running dispatcher is refused: ok"

# The default schema (public, which every database has) round trips too.
psql "postgresql://huying@127.0.0.1:$port/huying" -qAtX -c "CREATE DATABASE pubsrc" -c "CREATE DATABASE pubdst"
"$bin" simulate --config "$config" --db "postgresql://huying@127.0.0.1:$port/pubsrc" --days 1 --per-day 40 \
  >/dev/null 2>"$work/pubsim.log" || fail "simulate into public: $(tail -2 "$work/pubsim.log")"
"$bin" backup --db "postgresql://huying@127.0.0.1:$port/pubsrc" --to "$work/public.dump" >/dev/null
"$bin" restore --from "$work/public.dump" --db "postgresql://huying@127.0.0.1:$port/pubdst" >/dev/null ||
  fail "a backup of public does not restore into a new database"
"$bin" restore --from "$work/public.dump" --db "postgresql://huying@127.0.0.1:$port/pubdst" --force >/dev/null ||
  fail "a backup of public does not replace public with --force"
want=$(psql "postgresql://huying@127.0.0.1:$port/pubsrc" -qAtX -c "SELECT count(*) FROM orders")
got=$(psql "postgresql://huying@127.0.0.1:$port/pubdst" -qAtX -c "SELECT count(*) FROM orders")
[ "$want" = "$got" ] && [ "$got" -gt 0 ] || fail "public: $want orders backed up, $got restored"
echo "the default schema (public) backs up and restores, also over itself with --force: ok"
