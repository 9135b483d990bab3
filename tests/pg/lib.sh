# What the PostgreSQL test scripts share (sourced, from the repository's
# root): a throw-away primary + synchronous standby on ports from BASE, a
# work folder, the processes started (pids) ended on exit, and fail.
#   pg_test_start BASE   sets work, pgdir, port, url, pids; the cluster is up
pg_test_start() {
  work=$(mktemp -d)
  pgdir=$(mktemp -d)  # its own: the servers run as postgres, who must reach it
  pids=()
  trap pg_test_cleanup EXIT
  # Below Linux's ephemeral range (32768-60999), where the outgoing
  # connections of the tests before could hold the port; a taken pair is
  # tried again elsewhere.
  for _ in 1 2 3; do
    port=$(($1 + RANDOM % 2000))
    url=$(scripts/pg-cluster start "$pgdir" "$port" | tail -1) && return 0
    scripts/pg-cluster stop "$pgdir" >/dev/null 2>&1 || true
    rm -rf "$pgdir"; pgdir=$(mktemp -d)
  done
  echo "FAIL: no PostgreSQL cluster would start"; exit 1
}
pg_test_cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-cluster stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work" "$pgdir"
}
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 8 "$f"; }; done
  exit 1
}
