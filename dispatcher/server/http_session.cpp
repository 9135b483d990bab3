#include "dispatcher/server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <chrono>

namespace huying::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {
constexpr std::size_t kBodyLimit = 1 << 20;  // 1 MiB
constexpr auto kReadTimeout = std::chrono::seconds(30);
}  // namespace

http_session::http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<Services> services)
    : stream_(std::move(socket)), services_(std::move(services)) {}

void http_session::run() {
  // Start on the session's strand.
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void http_session::do_read() {
  parser_.emplace();
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(kReadTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec) return fail(ec, "read");
  request req = parser_->release();

  auto json_response = [&](http::status status, const json::value& body) {
    response res{status, req.version()};
    res.set(http::field::server, "huying");
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = json::serialize(body);
    res.prepare_payload();
    return res;
  };

  const auto target = req.target();
  if (target == "/healthz" || target == "/healthz/") {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return send(json_response(http::status::method_not_allowed,
                                {{"error", "method_not_allowed"}, {"reason", "use GET"}}));
    return send(json_response(http::status::ok, {{"status", "ok"},
                                                 {"open_orders", services_->engine.open_orders()},
                                                 {"schema", db::sqlite_schema_version()}}));
  }
  send(json_response(
      http::status::not_found,
      {{"error", "not_found"}, {"reason", "no such resource: " + std::string(target)}}));
}

void http_session::send(response res) {
  res_ = std::make_shared<response>(std::move(res));
  bool keep_alive = res_->keep_alive();
  http::async_write(stream_, *res_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
                      self->on_write(keep_alive, ec, n);
                    });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "write");
  res_.reset();
  if (!keep_alive) return do_close();
  do_read();
}

void http_session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
}

void http_session::fail(beast::error_code ec, const char* what) {
  if (ec == boost::asio::error::operation_aborted || ec == beast::error::timeout) return;
  spdlog::debug("http {}: {}", what, ec.message());
}

}  // namespace huying::server
