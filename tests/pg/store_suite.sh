#!/usr/bin/env bash
# The Store suite on PostgreSQL: the same test cases as on SQLite (all of
# unit_tests' [store] cases but the SQLite-only ones), against a primary
# with a synchronous standby started here by scripts/pg-cluster.
#   tests/pg/store_suite.sh UNIT_TESTS_BINARY
set -euo pipefail
unit_tests=$1
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=$((58000 + RANDOM % 2000))
trap 'scripts/pg-cluster stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
url=$(scripts/pg-cluster start "$dir" "$port" | tail -1)
echo "cluster: $url"
HUYING_TEST_PG="$url" "$unit_tests" "[store]~[sqlite]"
