#!/usr/bin/env bash
# `huying check-config` on a config with an error: names file, line and
# reason, exits 1, does not crash (it once read the errors after moving them
# away and went on with no deployment).
#   check_config_broken.sh HUYING_BIN CONFIG_ROOT
set -uo pipefail
bin="$1"; root="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$root" "$dir/config"
printf 'users:\n  - {id: x, role: wizard}\n' >"$dir/config/example/users.yaml"
out=$("$bin" check-config "$dir/config/example" 2>&1)
rc=$?
echo "$out"
if [ "$rc" -ne 1 ]; then echo "FAIL: exit code $rc, expected 1"; exit 1; fi
if ! grep -q "users.yaml:2: unknown role 'wizard'" <<<"$out"; then
  echo "FAIL: the error does not name users.yaml:2 and the reason"; exit 1
fi
echo "ok"
