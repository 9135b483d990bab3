#include "dispatcher/server/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "dispatcher/server/http_session.hpp"

namespace huying::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

listener::listener(asio::io_context& ioc, tcp::endpoint ep, std::shared_ptr<Api> api,
                   ServerOptions opts)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      retry_(acceptor_.get_executor()),
      api_(std::move(api)),
      opts_(std::move(opts)) {
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void listener::do_accept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](boost::beast::error_code ec, tcp::socket s) {
                           self->on_accept(ec, std::move(s));
                         });
}

void listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: wait a little instead of spinning.
    spdlog::warn("accept: {}; retrying in 100 ms", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](boost::beast::error_code) { self->do_accept(); });
    return;
  }
  if (api_->connections.load() >= opts_.max_connections) {
    // Full: close at once rather than let the newcomer starve the others.
    boost::system::error_code ignored;
    socket.close(ignored);
    spdlog::warn("accept: {} connections open; refusing a new one", opts_.max_connections);
  } else {
    std::make_shared<http_session>(std::move(socket), api_, opts_)->run();
  }
  do_accept();
}

}  // namespace huying::server
