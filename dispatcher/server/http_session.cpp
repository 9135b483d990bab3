#include "dispatcher/server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "dispatcher/server/ws_session.hpp"

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

  if (beast::websocket::is_upgrade(parser_->get())) return upgrade();
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

void http_session::upgrade() {
  auto& msg = parser_->get();
  HttpRequest req;
  req.method = "GET";
  req.target = std::string(msg.target());
  req.authorization = std::string(msg[http::field::authorization]);
  req.cookie = std::string(msg[http::field::cookie]);
  req.remote = remote_;
  auto no = [&](unsigned status, const char* code, std::string why) {
    api_->metrics().observe("GET", "/ws", status, 0);
    spdlog::info("ws refused {} {} {}", status, code, req.path);
    send(error_response(status, code, std::move(why)), msg.version(), false, false);
  };
  if (auto err = decode_target(req.target, req)) return no(400, "bad_request", *err);
  StreamKind kind;
  RoleSet allowed = 0;
  using core::Role;
  if (req.path == "/ws/board") {
    kind = StreamKind::board;
    allowed = roles({Role::leader, Role::admin, Role::dispatcher});
  } else if (req.path == "/ws/queue") {
    kind = StreamKind::queue;
    allowed = roles({Role::clerk, Role::coordinator, Role::dispatcher});
  } else {
    return no(404, "not_found", "no stream at " + req.path);
  }
  // A page of another site may not open a stream with this browser's
  // cookie: the Origin, when sent, must be this host.
  const std::string_view origin = msg[http::field::origin];
  if (!origin.empty()) {
    auto scheme = origin.find("://");
    std::string_view host = scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
    if (host != msg[http::field::host])
      return no(403, "forbidden", "the Origin does not match this server");
  }
  auto who = api_->auth().authenticate(req);
  if (!who) return no(401, "unauthenticated", "sign in first: no valid session");
  if (!(allowed & role_bit(who->actor.role)))
    return no(403, "forbidden",
              "role " + std::string(core::name(who->actor.role)) + " may not open " + req.path);
  ReplaySpec replay;
  if (kind == StreamKind::board && req.param("from")) {
    auto from = api::time_param(*req.param("from"));
    if (!from) return no(400, "invalid_field", "from must be an instant (2025-10-08T08:00+08:00)");
    replay.from = *from;
    if (const std::string* sp = req.param("speed")) {
      auto v = api::parse_int(*sp, 1, 86400);
      if (!v) return no(400, "invalid_field", "speed must be 1 to 86400 (times real time)");
      replay.speed = static_cast<double>(*v);
    }
    kind = StreamKind::replay;
  }
  WsOptions wo;
  wo.idle_timeout = limits_.ws_idle_timeout;
  wo.max_queue_bytes = limits_.ws_queue_bytes;
  api_->metrics().observe("GET", req.path, 101, 0);
  auto ws = std::make_shared<ws_session>(stream_.release_socket(), api_->hub(), *who, kind, wo);
  ws->run(parser_->release(), &api_->services().store, replay);
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
  const bool cached = std::any_of(r.headers.begin(), r.headers.end(), [](const auto& h) {
    return beast::iequals(h.first, "Cache-Control");
  });
  if (!cached) res->set(http::field::cache_control, "no-store");
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
