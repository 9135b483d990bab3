#include "dispatcher/server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace huying::server {

namespace beast = boost::beast;
namespace http = beast::http;

http_session::http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<Api> api,
                           const ServerOptions& limits)
    : stream_(std::move(socket)), api_(std::move(api)), limits_(limits) {
  boost::system::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string();
  ++api_->connections;
}

http_session::~http_session() { --api_->connections; }

void http_session::run() {
  // Start on the session's strand.
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void http_session::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
  parser_->body_limit(limits_.body_limit);
  // One deadline for the whole request, idle wait included: a client that
  // dribbles bytes (slowloris) is cut off like an idle one.
  stream_.expires_after(limits_.read_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::header_limit)
    return refuse(431, "header_too_large", "the request headers are too large");
  if (ec == http::error::body_limit)
    return refuse(
        413, "body_too_large",
        "the request body is larger than " + std::to_string(limits_.body_limit) + " bytes");
  if (ec == beast::error::timeout) return do_close();
  if (ec && ec.category() == beast::http::make_error_code(http::error::bad_method).category())
    return refuse(400, "bad_request", "malformed HTTP request: " + ec.message());
  if (ec) return fail(ec, "read");

  auto& msg = parser_->get();
  auto req = std::make_shared<HttpRequest>();
  req->method = std::string(msg.method_string());
  req->target = std::string(msg.target());
  req->body = std::move(msg.body());
  req->content_type = std::string(msg[http::field::content_type]);
  req->authorization = std::string(msg[http::field::authorization]);
  req->cookie = std::string(msg[http::field::cookie]);
  req->idempotency_key = std::string(msg["Idempotency-Key"]);
  req->if_match = std::string(msg[http::field::if_match]);
  req->api_key = std::string(msg["X-Api-Key"]);
  req->remote = remote_;
  const unsigned version = msg.version();
  const bool keep_alive = msg.keep_alive();
  const bool head = msg.method() == http::verb::head;
  // No read deadline while the answer is being made (it waits for a commit).
  stream_.expires_never();
  api_->handle(std::move(req), [self = shared_from_this(), version, keep_alive,
                                head](HttpResponse res) mutable {
    // From any thread: continue on the session's strand.
    boost::asio::post(self->stream_.get_executor(),
                      [self, res = std::move(res), version, keep_alive, head]() mutable {
                        self->send(std::move(res), version, keep_alive, head);
                      });
  });
}

void http_session::refuse(unsigned status, const char* code, std::string message) {
  HttpResponse res = error_response(status, code, std::move(message));
  api_->metrics().observe("-", "(refused)", status, 0);
  spdlog::info("http refused {} {}", status, code);
  send(std::move(res), 11, false, false);
}

void http_session::send(HttpResponse r, unsigned version, bool keep_alive, bool head) {
  if (r.finish) {
    auto finish = std::move(r.finish);
    r.finish = nullptr;
    finish(r);
  }
  auto res = std::make_shared<response>(static_cast<http::status>(r.status), version);
  res->set(http::field::server, "huying");
  res->set(http::field::content_type, r.content_type);
  res->set(http::field::cache_control, "no-store");
  res->set("X-Content-Type-Options", "nosniff");
  for (auto& [k, v] : r.headers) res->insert(k, v);
  res->keep_alive(keep_alive);
  res->body() = std::move(r.body);
  res->prepare_payload();
  if (head) res->body().clear();
  res_ = std::move(res);
  stream_.expires_after(limits_.read_timeout);
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
