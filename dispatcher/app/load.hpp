// `huying load`: realistic traffic against a running server, over HTTP only.
//
// It signs in as an administrator, makes itself users (an operator, a
// dispatcher and one per department, named load-*), then logs calls at
// --rate per second: real categories in real communities of the config, with
// addresses as callers give them. Each order is then worked as the hotline
// and the departments would: the desk dispatches it (to the department
// routing proposed), the department claims it (a few are returned and ruled
// on), replies, the hotline calls back (some calls go unanswered) and closes
// it; consults are answered on the call. Delays are real seconds times
// --delay-scale (0: log calls only).
//
// A create the server did not acknowledge (refused connection, reset, 5xx)
// is retried with the same Idempotency-Key until it is, so a server that
// restarts mid-load yields each order once. --acked FILE gets one line per
// acknowledged create: "NUMBER KEY UNIX_MS URL" (URL: the server that
// acknowledged it). --url may name several servers
// (comma-separated: an active dispatcher and its standbys): when one does not
// answer or answers 503, every request moves on to the next.
#pragma once

#include <atomic>
#include <string>

namespace huying::app {

struct LoadOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string config_dir = "config/example";
  double rate = 10;                  // calls logged per second
  double duration = 60;              // seconds; 0 = until `stop`
  int connections = 8;               // worker threads, one keep-alive connection each
  double delay_scale = 1.0;          // multiplies the follow-up delays; 0 = calls only
  std::string admin = "admin:demo";  // USER:PASSWORD of an administrator
  std::string acked_path;            // optional
  unsigned seed = 12345;
  bool quiet = false;                       // no progress lines
  const std::atomic<bool>* stop = nullptr;  // set to end early
};

// Returns the exit code: 0, 1 when nothing could be logged, 2 for bad options.
int load(const LoadOptions& opts);

}  // namespace huying::app
