#include "dispatcher/server/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatcher/server/api.hpp"
#include "dispatcher/server/listener.hpp"

namespace huying::server {

namespace asio = boost::asio;

struct Server::Impl {
  std::shared_ptr<Api> api;
  std::shared_ptr<listener> lis;
  // Once a second: streams whose sign-in ended (logout, expiry) are closed.
  std::unique_ptr<asio::steady_timer> sessions;
  bool stopped = false;
  void check_sessions() {
    sessions->expires_after(std::chrono::seconds(1));
    sessions->async_wait([this](boost::system::error_code ec) {
      if (ec || stopped) return;
      api->hub()->check_sessions();
      check_sessions();
    });
  }
};

Server::Server(asio::io_context& ioc, Services services, ServerOptions opts)
    : impl_(std::make_unique<Impl>()) {
  impl_->api =
      std::make_shared<Api>(ApiServices{services.engine, services.store, services.clock,
                                        services.rules, services.reload, services.read_only},
                            opts.auth);
  impl_->api->set_site(StaticSite(opts.web_root));
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(opts.address, ec);
  if (ec) throw std::runtime_error("bad listen address '" + opts.address + "': " + ec.message());
  try {
    impl_->lis =
        std::make_shared<listener>(ioc, asio::ip::tcp::endpoint{addr, opts.port}, impl_->api, opts);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + opts.address + ":" + std::to_string(opts.port) +
                             ": " + e.code().message());
  }
  impl_->lis->run();
  impl_->sessions = std::make_unique<asio::steady_timer>(ioc);
  impl_->check_sessions();
  spdlog::info("server: listening on http://{}:{}", opts.address, impl_->lis->port());
}

Server::~Server() {
  impl_->stopped = true;
  impl_->sessions->cancel();
}

unsigned short Server::port() const { return impl_->lis->port(); }

void Server::stop() {
  impl_->lis->stop();
  impl_->api->detach();
  asio::post(impl_->sessions->get_executor(), [impl = impl_.get()] {
    impl->stopped = true;
    impl->sessions->cancel();
  });
}

void Server::rules_changed() { impl_->api->on_rules_changed(); }

long Server::in_flight() const { return impl_->api->in_flight.load(); }

}  // namespace huying::server
