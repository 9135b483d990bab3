// `huying serve`: opens the store, starts the engine and the HTTP server, runs
// until SIGINT/SIGTERM. No Asio types here, so main.cpp stays light.
#pragma once

#include <cstdint>
#include <string>

namespace huying::app {

struct ServeOptions {
  std::string config_dir;
  std::string db_path = "var/huying.db";  // a SQLite file, or postgresql://…
  std::string db_schema;                  // PostgreSQL: the schema (one per district); "" = public
  // PostgreSQL: how often a standby tries for the district's lease.
  int lease_poll_ms = 500;
  // A read-only replica: the store opened for reads only (a hot standby's
  // URL will do), no lease, no engine load, no timers; GET and HEAD answered
  // from the store (Open311 reads, orders), every other method 503.
  bool read_only = false;
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int threads = 2;
  // Signed-in requests allowed per session and second (0 = no limit).
  double requests_per_session = 50;
  // Sign-in sessions end after this long unused, and this long in all.
  int session_idle_seconds = 30 * 60;
  int session_max_seconds = 12 * 3600;
  // A request (headers and body, or the idle wait before it) must arrive within this.
  int read_timeout_seconds = 30;
  // WebSocket streams: closed after this long without a frame or pong; a
  // client whose write queue passes ws_queue_bytes is cut back (board: a
  // fresh snapshot; queue: resync).
  int ws_idle_seconds = 20;
  // The built pages to serve (web/dist); empty: the API alone.
  std::string web_dir;
  long ws_queue_bytes = 1L << 20;
  // > 0: run simulated traffic (engine/simulator.hpp) on a clock running this
  // many times faster than real time, starting now (the demo).
  // simulate_per_day 0: the fast clock only, no simulated traffic (the demo
  // drives the server with `huying load` over HTTP instead).
  double simulate_speed = 0;
  int simulate_per_day = 300;
  // With simulate_speed: simulated time is EPOCH + (now - EPOCH) * speed
  // (Unix ms; 0: the process's start), so two dispatchers on one store agree.
  std::int64_t simulate_epoch_ms = 0;
};

// Returns the process exit code. Prints "listening on http://ADDR:PORT" on
// stdout once ready (tests read the port from that line).
int serve(const ServeOptions& opts);

struct SimulateOptions {
  std::string config_dir = "config/example";
  std::string db_path = "var/simulate.db";
  std::string from = "2025-09-22";  // YYYY-MM-DD, Asia/Shanghai
  int days = 30;
  int per_day = 200;
  double speed = 0;  // 0 = as fast as possible
  unsigned seed = 12345;
};

// `huying simulate`: see engine/simulator.hpp. Prints a report on stdout.
int simulate(const SimulateOptions& opts);

}  // namespace huying::app
