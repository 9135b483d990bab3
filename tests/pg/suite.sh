#!/usr/bin/env bash
# The suites on PostgreSQL: the Store suite (unit_tests' [store] cases but
# the SQLite-only ones), the engine tests and the integration tests (the
# real server, `huying serve --db postgresql://… --db-schema …`), the same
# cases as on SQLite, against a primary with a synchronous standby that
# scripts/pg-cluster starts here.
#   tests/pg/suite.sh UNIT_TESTS_BINARY INTEGRATION_TESTS_BINARY
set -euo pipefail
unit_tests=$1
integration_tests=$2
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=$((28000 + RANDOM % 2000))  # below the ephemeral ports
trap 'scripts/pg-cluster stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
url=$(scripts/pg-cluster start "$dir" "$port" | tail -1)
echo "cluster: $url"
export HUYING_TEST_PG="$url"
echo "== the Store suite"
"$unit_tests" "[store]~[sqlite]"
echo "== the district lease and fencing"
"$unit_tests" "[pg]"
echo "== the engine tests"
"$unit_tests" "engine:*"
echo "== the integration tests"
"$integration_tests"
