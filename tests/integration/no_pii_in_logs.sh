#!/usr/bin/env bash
# The server's log has one line per state change and never a citizen's phone
# number or ID number. Runs the real server with simulated traffic (whose
# callers all have phone numbers 1380000xxxx), then reads its log. 20,000 calls
# a day: enough state changes at any hour (the simulated day starts now, and
# nights are quiet).
#   no_pii_in_logs.sh HUYING_BIN CONFIG_DIR
set -euo pipefail
bin="$1"; config="$2"
dir=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" serve --config "$config" --db "$dir/t.db" --port 0 --simulate-speed 3000 --simulate-per-day 20000 \
  >"$dir/out" 2>"$dir/log" &
pid=$!
sleep 4
kill -TERM "$pid"
wait "$pid"
changes=$(grep -c ' order HY[0-9]* seq ' "$dir/log" || true)
if [ "$changes" -lt 50 ]; then
  echo "FAIL: expected state-change lines in the log, found $changes"; exit 1
fi
if grep -E '1380000[0-9]{4}' "$dir/log"; then
  echo "FAIL: a citizen's phone number reached the log"; exit 1
fi
if sqlite3 "$dir/t.db" "select count(*) from orders where doc like '%1380000%'" | grep -qx 0; then
  echo "FAIL: the phone numbers were not stored either: the check above proves nothing"; exit 1
fi
echo "ok: $changes state changes logged, no phone number among them"
