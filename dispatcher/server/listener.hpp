// Accepts TCP connections and starts an http_session for each, on its own strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>

#include "dispatcher/server/api.hpp"
#include "dispatcher/server/server.hpp"

namespace huying::server {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Throws boost::system::system_error when it cannot bind.
  listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint ep,
           std::shared_ptr<Api> api, ServerOptions opts);
  void run();
  void stop();
  unsigned short port() const { return port_; }

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // backs off after an accept error (e.g. out of fds)
  std::shared_ptr<Api> api_;
  ServerOptions opts_;
  unsigned short port_ = 0;
};

}  // namespace huying::server
