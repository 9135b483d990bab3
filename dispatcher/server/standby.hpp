// What a waiting dispatcher answers (issue 11): while another process holds
// the district's lease, this one listens on its port all the same, so a
// load balancer and the engineer on call can see it, but takes no work:
//   GET/HEAD /healthz  200, {"status": "standby", "role": "standby", ...}
//   GET /readyz        503 (the active one: 200), for a load balancer
//   GET /metrics       huying_active 0
//   anything else      503 {"error": {"code": "standby", ...}}, Retry-After: 1
// Every answer closes the connection, so clients reconnect (and find the
// active one) rather than keep a link to this one. pimpl: no Asio/Beast here.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace huying::server {

class StandbyServer {
 public:
  // Binds address:port (0: an ephemeral port) and starts accepting on ioc.
  // `status` gives /healthz's extra fields as a JSON object's text (it runs
  // on the io_context's threads). Throws std::runtime_error naming the
  // address when it cannot bind.
  StandbyServer(boost::asio::io_context& ioc, const std::string& address, unsigned short port,
                std::function<std::string()> status);
  ~StandbyServer();
  unsigned short port() const;
  // Stops accepting and closes the listening socket (the port is free for
  // the active server once this returns). Call on the io_context's thread
  // or once it stopped.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huying::server
