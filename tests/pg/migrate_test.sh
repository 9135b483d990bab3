#!/usr/bin/env bash
# huying migrate: a SQLite store with weeks of simulated traffic copied into
# PostgreSQL (a primary + synchronous standby started here); every table's
# rows and checksum agree (huying migrate checks them read back), the KPI
# report is the same on both stores (and on the hot standby, read only;
# the roll-up report and board of two districts add up; a read-only
# replica on the standby answers Open311 reads), a server on PostgreSQL answers for a
# migrated order, and a second migrate into the same store is refused.
#   tests/pg/migrate_test.sh HUYING_BIN CONFIG_DIR
set -euo pipefail
bin=$1
config=$2
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
pgdir=$(mktemp -d)
port=$((30000 + RANDOM % 1000))  # below the ephemeral ports
pid=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  scripts/pg-cluster stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$dir" "$pgdir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" simulate --config "$config" --db "$dir/sim.db" --from 2025-09-22 --days 14 --per-day 150 \
  >"$dir/sim.out" 2>"$dir/sim.log"
url=$(scripts/pg-cluster start "$pgdir" "$port" | tail -1)
"$bin" migrate --from "sqlite:$dir/sim.db" --to "$url" --schema district1 | tee "$dir/migrate.out"
grep -q "read back: the same" "$dir/migrate.out" || fail "no verified copy"
n_sqlite=$(sqlite3 "$dir/sim.db" "SELECT count(*) FROM events")
grep -q "events $n_sqlite," "$dir/migrate.out" || fail "events: $n_sqlite in SQLite, not in the copy"
if "$bin" migrate --from "$dir/sim.db" --to "$url" --schema district1 2>"$dir/again.err"; then
  fail "a second migrate into a full store was accepted"
fi
grep -q "already holds orders" "$dir/again.err" || fail "$(cat "$dir/again.err")"

# The same KPIs from both stores (the schema through libpq's options).
pg_url="${url}&options=-csearch_path%3Ddistrict1"
"$bin" report --db "$dir/sim.db" --from 2025-09-22 --to 2025-10-05 --by street --json >"$dir/a.json"
"$bin" report --db "$pg_url" --from 2025-09-22 --to 2025-10-05 --by street --json >"$dir/b.json"
cmp -s "$dir/a.json" "$dir/b.json" || { diff "$dir/a.json" "$dir/b.json" | head; fail "reports differ"; }
echo "the KPI report is the same on both stores"

# Reads on the hot standby (read only: no writer, no migration), and the
# roll-up of two districts: each as itself, all of them counted once each.
standby="postgresql://huying@127.0.0.1:$((port + 1))/huying"
"$bin" report --db "$standby" --db-schema district1 --from 2025-09-22 --to 2025-10-05 --by street \
  --json >"$dir/c.json"
cmp -s "$dir/a.json" "$dir/c.json" || fail "the report on the standby differs"
"$bin" replay --config "$config" --db "$standby" --db-schema district1 --from 2025-09-22 \
  --to 2025-10-05 | tail -1 | grep -q '"route_changed":0' || fail "replay on the standby"
echo "report and replay read from the hot standby: ok"
"$bin" migrate --from "sqlite:$dir/sim.db" --to "$url" --schema district2 >/dev/null
sleep 0.5  # the standby replays it
"$bin" report --db "$standby" --db-schema district1,district2 --from 2025-09-22 --to 2025-10-05 \
  --json >"$dir/roll.json"
python3 - "$dir/a.json" "$dir/roll.json" <<'PY' || fail "the roll-up does not add up"
import json, sys
one = json.load(open(sys.argv[1]))["total"]
roll = json.load(open(sys.argv[2]))
assert roll["districts"]["district1"]["total"] == one, "district1 differs"
assert roll["districts"]["district2"]["total"]["orders"] == one["orders"]
assert roll["all"]["total"]["orders"] == 2 * one["orders"], roll["all"]["total"]["orders"]
assert roll["all"]["total"]["dispatched"] == 2 * one["dispatched"]
PY
echo "the roll-up over two districts: each the same, the sum counted once each: ok"
"$bin" board --db "$standby" --db-schema district1,district2 --json >"$dir/board.json"
python3 - "$dir/board.json" <<'PY' || fail "the roll-up board does not add up, or shows a phone"
import json, re, sys
text = open(sys.argv[1]).read()
b = json.loads(text)
d1, d2, all_ = b["districts"]["district1"], b["districts"]["district2"], b["all"]
for k in ("open", "warned", "overdue"):
    assert all_["totals"][k] == d1["totals"][k] + d2["totals"][k], (k, all_["totals"][k])
assert d1["totals"]["open"] > 0
# Order numbers restart in each district: on the city's board they carry it.
items = [i for l in all_["lists"].values() for i in l["items"]]
assert items and all(i["number"].split("/")[0] in ("district1", "district2") for i in items)
# Never a caller's phone or ID on a board.
assert '"phone"' not in text and '"id_number"' not in text
assert not re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text), "a mobile number"
PY
echo "the roll-up board over two districts: each district's figures add up, no phone: ok"

# A read-only replica on the standby: Open311 reads from it, changes refused.
no=$(sqlite3 "$dir/sim.db" "SELECT number FROM orders ORDER BY id LIMIT 1")
"$bin" serve --config "$config" --db "$standby" --db-schema district1 --read-only --port 0 \
  >"$dir/ro.out" 2>"$dir/ro.log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/ro.out" 2>/dev/null && break; sleep 0.1; done
ro=$(sed -n 's/^listening on //p' "$dir/ro.out")
[ -n "$ro" ] || fail "the read-only replica did not start: $(tail -3 "$dir/ro.log")"
curl -sf "$ro/healthz" | grep -q '"role":"read-only"' || fail "healthz: $(curl -s "$ro/healthz")"
curl -sf "$ro/open311/v2/requests/$no.json" | grep -q "\"service_request_id\":\"$no\"" ||
  fail "Open311 read of $no on the replica"
code=$(curl -s -o "$dir/ro.body" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"user":"op1","password":"demo"}' "$ro/api/v1/session")
[ "$code" = 503 ] && grep -q '"code":"read_only"' "$dir/ro.body" || fail "a change on the replica: $code"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ro/readyz")" = 503 ] || fail "the replica is ready for work"
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
echo "a read-only replica on the standby answers Open311 reads and refuses changes with 503: ok"

# A server on the migrated store answers for an order of the SQLite one.
no=$(sqlite3 "$dir/sim.db" "SELECT number FROM orders ORDER BY id DESC LIMIT 1")
"$bin" serve --config "$config" --db "$url" --db-schema district1 --port 0 >"$dir/out" 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
su=$(sed -n 's/^listening on //p' "$dir/out")
[ -n "$su" ] || fail "the server did not start on the migrated store: $(tail -3 "$dir/log")"
token=$(curl -sf -H 'Content-Type: application/json' -d '{"user":"disp1","password":"demo"}' \
  "$su/api/v1/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
got=$(curl -sf -H "Authorization: Bearer $token" "$su/api/v1/orders/$no" |
  python3 -c 'import json,sys; print(" ".join(e["type"] for e in json.load(sys.stdin)["history"]))')
want=$(sqlite3 "$dir/sim.db" "SELECT group_concat(type, ' ') FROM (SELECT e.type FROM events e JOIN orders o ON o.id = e.order_id WHERE o.number = '$no' ORDER BY e.seq)")
# The server runs on today's clock: deadlines long past fire on start and
# add their events after the migrated ones.
case "$got" in "$want"*) ;; *) fail "$no: '$got' on PostgreSQL, '$want' in SQLite" ;; esac
echo "a server on the migrated store answers for $no with its history ($want ...): ok"
