// `huying serve`: opens the store, starts the engine and the HTTP server, runs
// until SIGINT/SIGTERM. No Asio types here, so main.cpp stays light.
#pragma once

#include <string>

namespace huying::server {

struct ServeOptions {
  std::string config_dir;
  std::string db_path = "var/huying.db";
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int threads = 2;
};

// Returns the process exit code. Prints "listening on http://ADDR:PORT" on
// stdout once ready (tests read the port from that line).
int serve(const ServeOptions& opts);

}  // namespace huying::server
