// The HTTP/WebSocket front of the dispatcher. pimpl: no Asio/Beast here.
#pragma once

#include <memory>
#include <string>

#include "db/store.hpp"
#include "dispatcher/engine/engine.hpp"

namespace boost::asio {
class io_context;
}

namespace huying::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 = an ephemeral port (see Server::port())
};

// What the HTTP sessions reach. Lives as long as the Server.
struct Services {
  engine::Engine& engine;
  db::Store& store;
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace huying::server
