// The HTTP front of the dispatcher. pimpl: no Asio/Beast here.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "db/store.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/routing.hpp"
#include "dispatcher/engine/engine.hpp"
#include "dispatcher/server/auth.hpp"

namespace boost::asio {
class io_context;
}

namespace huying::server {

struct ReloadResult;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 = an ephemeral port (see Server::port())
  // Limits on what one client may send and hold.
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::seconds read_timeout{30};  // a whole request, idle keep-alive wait included
  long max_connections = 10000;           // past this, new connections are closed at once
  // A WebSocket with no frame or pong for this long is closed (pings go
  // out at half of it).
  std::chrono::seconds ws_idle_timeout{20};
  // A WebSocket client whose write queue passes this is cut back.
  std::size_t ws_queue_bytes = 1 << 20;
  AuthOptions auth;
  // The built pages (web/dist); empty: none (the API alone).
  std::string web_root;
};

// What the server reaches. Everything outlives the Server.
struct Services {
  engine::Engine& engine;
  db::Store& store;
  const core::Clock& clock;
  // The live rule set (null without a config).
  std::function<std::shared_ptr<const core::RuleSet>()> rules;
  // Reloads the config; null when the server has none.
  std::function<ReloadResult()> reload;
  // A read-only replica (serve --read-only): reads from the store only,
  // every other method 503.
  bool read_only = false;
};

class Server {
 public:
  // Binds and starts accepting on ioc. Throws std::runtime_error naming the
  // address when it cannot bind.
  Server(boost::asio::io_context& ioc, Services services, ServerOptions opts);
  ~Server();
  // The bound port (useful with port 0).
  unsigned short port() const;
  // Stops accepting. Thread-safe.
  void stop();
  // Tell the API the config changed (after a SIGHUP reload).
  void rules_changed();
  // Requests taken and not yet answered.
  long in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace huying::server
