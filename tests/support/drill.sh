# Shell helpers the drills share (sourced): the real server started in the
# background, the load generator's acknowledgements counted.
#   wait_listening OUT   prints the URL of the server whose stdout is OUT, once
#                        it says "listening on" (nothing after 15 s)
#   wait_acked FILE N    returns 0 once FILE (huying load --acked) has N
#                        lines, 1 after 60 s
wait_listening() {
  local u=""
  for _ in $(seq 300); do
    u=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$1" 2>/dev/null | head -1)
    [ -n "$u" ] && break
    sleep 0.05
  done
  echo "$u"
}
wait_acked() {
  for _ in $(seq 600); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
