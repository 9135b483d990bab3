#!/usr/bin/env bash
# Failover, for real: two `huying serve` on one PostgreSQL pair (a primary
# and its synchronous standby, scripts/pg-cluster), `huying load` logging
# calls over HTTP against both URLs.
#   1. The active dispatcher is killed with SIGKILL: the waiting one wins the
#      lease and takes over (the dispatcher-only failover: the baseline).
#      The killed one is started again and waits as standby.
#   2. The primary PostgreSQL and the active dispatcher are killed with
#      SIGKILL, the standby database is promoted (pg_ctl promote), and the
#      waiting dispatcher finds the new primary and takes over.
# Then: every order that got a 2xx is in the promoted database, none twice
# (each Idempotency-Key names one order), and the survivor's timers fire
# (deadline events on orders logged before the failover, written after it).
# Prints the seconds from each kill to the first acknowledged create on the
# survivor; the last line is the benchmark's JSON (scripts/bench/failover).
#   tests/pg/failover.sh HUYING_BIN CONFIG_DIR
set -euo pipefail
bin=$(realpath "$1")
config=$(realpath "$2")
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
. tests/support/drill.sh
pg_test_start 26000
now_ms() { date +%s%3N; }
echo "cluster: $url"
psql_new() {  # a query on the standby (the primary after step 2)
  psql "postgresql://huying@127.0.0.1:$((port + 1))/huying" -qAtX -v ON_ERROR_STOP=1 "$@"
}

# Both dispatchers agree on the (fast, x600) simulated time, so deadlines
# come due within seconds and the survivor fires those the other armed.
epoch=$(date +%s)
start_dispatcher() {  # start_dispatcher NAME [PORT]: sets pid_NAME, url_NAME
  local name=$1
  "$bin" serve --config "$config" --db "$url" --db-schema failover --port "${2:-0}" \
    --rate-per-session 0 --lease-poll-ms 200 --simulate-speed 600 --simulate-per-day 0 \
    --simulate-epoch "$epoch" >"$work/$name.out" 2>>"$work/$name.log" &
  local pid=$!
  pids+=("$pid")
  local u
  u=$(wait_listening "$work/$name.out")
  [ -n "$u" ] || fail "dispatcher $name did not start"
  eval "pid_$name=$pid url_$name=$u"
}
role_of() { curl -s "$1/healthz" | sed -n 's/.*"role":"\([a-z]*\)".*/\1/p'; }

start_dispatcher a
for _ in $(seq 100); do [ "$(role_of "$url_a")" = active ] && break; sleep 0.1; done
start_dispatcher b
[ "$(role_of "$url_a")" = active ] || fail "a is not active"
[ "$(role_of "$url_b")" = standby ] || fail "b is not standby: $(curl -s "$url_b/healthz")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url_b/api/v1/session" \
  -H 'Content-Type: application/json' -d '{"user":"op1","password":"demo"}')
[ "$code" = 503 ] || fail "the standby answered $code to a write, not 503"
ready() { curl -s -o /dev/null -w '%{http_code}' "$1/readyz"; }
[ "$(ready "$url_a")" = 200 ] || fail "a's /readyz is not 200"
[ "$(ready "$url_b")" = 503 ] || fail "b's /readyz is not 503"
curl -s "$url_b/metrics" | grep -qx 'huying_active 0' || fail "b's /metrics lacks huying_active 0"
# Garbage to the standby: a clear 400, and it keeps answering.
hostport=${url_b#http://}
exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
printf 'NOT HTTP AT ALL\r\n\r\n' >&3
read -r status_line <&3 || true
exec 3<&-
case "$status_line" in *" 400 "*) ;; *) fail "garbage to the standby: '$status_line', not 400" ;; esac
[ "$(role_of "$url_b")" = standby ] || fail "the standby stopped answering after garbage"
echo "a active on $url_a, b standby on $url_b (503 for writes, /readyz 503, 400 for garbage)"

acked="$work/acked.txt"
"$bin" load --url "$url_a,$url_b" --config "$config" --rate 100 --duration 0 --connections 8 \
  --delay-scale 0 --acked "$acked" --quiet >"$work/load.log" 2>&1 &
load=$!
pids+=("$load")
# Sets `secs`: seconds from T0 (ms) to the first create acknowledged after
# it by the server at URL.
first_ack_after() {  # first_ack_after T0 URL
  local t0=$1 t=""
  for _ in $(seq 1200); do
    t=$(awk -v t0="$t0" -v u="$2" '$3 > t0 && $4 == u { print $3; exit }' "$acked")
    [ -n "$t" ] && break
    sleep 0.05
  done
  [ -n "$t" ] || fail "no create acknowledged by $2 within 60 s of the kill"
  secs=$(awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
}
wait_acked "$acked" 300 || fail "fewer than 300 orders acknowledged"

echo "== 1. kill -9 of the active dispatcher (the database stays)"
t0=$(now_ms)
kill -9 "$pid_a"
first_ack_after "$t0" "$url_b"
baseline=$secs
[ "$(role_of "$url_b")" = active ] || fail "b did not take over"
echo "b took over: first create acknowledged ${baseline} s after the kill"
start_dispatcher a "${url_a##*:}"  # on its port: the load knows it
[ "$(role_of "$url_a")" = standby ] || fail "a restarted is not standby"
wait_acked "$acked" $(($(wc -l <"$acked") + 300)) || fail "the load stopped being acknowledged"

echo "== 2. kill -9 of the primary PostgreSQL and of the active dispatcher; promote the standby"
pm=$(head -1 "$pgdir/primary/postmaster.pid")
t0=$(now_ms)
pkill -9 -P "$pm" || true
kill -9 "$pm"
kill -9 "$pid_b"
scripts/pg-cluster promote "$pgdir"
promoted=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
first_ack_after "$t0" "$url_a"
value=$secs
[ "$(role_of "$url_a")" = active ] || fail "a did not take over"
echo "a took over on the promoted database: first create acknowledged ${value} s after the kills (promotion done at ${promoted} s)"
# What was written before the failover: orders and events up to here.
before=$(awk -v t0="$t0" '$3 < t0 { n = $1 } END { print n }' "$acked")
max_order=$(psql_new -c "SELECT id FROM failover.orders WHERE number = '$before'")
max_event=$(psql_new -c "SELECT coalesce(max(id), 0) FROM failover.events")
wait_acked "$acked" $(($(wc -l <"$acked") + 300)) || fail "the load stopped being acknowledged"
sleep 6  # the survivor's deadlines (urgent orders: 30 minutes = 3 s at x600)
kill -TERM "$load"
wait "$load" 2>/dev/null || true

echo "== the acknowledged orders in the promoted database"
total=$(wc -l <"$acked")
dup_keys=$(awk '{print $2}' "$acked" | sort | uniq -d | wc -l)
dup_numbers=$(awk '{print $1}' "$acked" | sort | uniq -d | wc -l)
[ "$dup_keys" -eq 0 ] || fail "$dup_keys keys acknowledged twice"
[ "$dup_numbers" -eq 0 ] || fail "$dup_numbers orders acknowledged for two keys"
psql_new -c "CREATE TEMP TABLE acked (number TEXT, key TEXT, at BIGINT, url TEXT)" \
  -c "\\copy acked FROM '$acked' WITH (DELIMITER ' ')" \
  -c "SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM failover.idempotency i JOIN failover.orders o ON o.number = i.order_number WHERE i.key = a.key AND o.number = a.number)" \
  >"$work/lost.txt"
lost=$(tail -1 "$work/lost.txt")
twice=$(psql_new -c "SELECT count(*) FROM (SELECT order_number FROM failover.idempotency GROUP BY order_number HAVING count(*) > 1) d")
echo "acknowledged: $total; lost: $lost; stored twice: $twice"
[ "$lost" = 0 ] || fail "$lost acknowledged orders are not in the promoted database"
[ "$twice" = 0 ] || fail "$twice orders stored under two keys"

echo "== the survivor's timers"
fired=$(psql_new -c "SELECT count(*) FROM failover.events WHERE id > $max_event AND order_id <= $max_order AND type IN ('warned', 'overdue', 'escalated')")
echo "deadline events written by the survivor on orders logged before the failover: $fired"
[ "$fired" -gt 0 ] || fail "no timer fired on the survivor"
grep -q "lease: huying:failover won after" "$work/a.log" || fail "a's log does not say it took over"

printf '{"bench": "failover", "metric": "seconds from kill -9 of the primary database and the active dispatcher to the first acknowledged create", "value": %s, "unit": "s", "baseline": %s, "baseline_metric": "the same with the active dispatcher alone killed", "ratio": %s, "lost": %s, "acknowledged": %s, "promotion_s": %s, "timer_events_on_survivor": %s}\n' \
  "$value" "$baseline" "$(awk -v a="$value" -v b="$baseline" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')" \
  "$lost" "$total" "$promoted" "$fired"
