#include "dispatcher/server/standby.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "dispatcher/server/http_types.hpp"

namespace huying::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// One connection: one request, one answer, closed.
class StandbyConn : public std::enable_shared_from_this<StandbyConn> {
 public:
  StandbyConn(tcp::socket s, std::function<std::string()> status,
              std::shared_ptr<std::atomic<long>> open)
      : stream_(std::move(s)), status_(std::move(status)), open_(std::move(open)) {
    ++*open_;
  }
  ~StandbyConn() { --*open_; }

  void run() {
    parser_.header_limit(16 * 1024);
    parser_.body_limit(1024 * 1024);
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      // Malformed or too large: still a clear answer; a closed or idle link: nothing.
      if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
      return answer(error_response(400, "bad_request", "malformed HTTP request: " + ec.message()),
                    false);
    }
    const auto& req = parser_.get();
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    const bool head = req.method() == http::verb::head;
    const bool get = req.method() == http::verb::get || head;
    if (get && path == "/healthz") {
      json::object body{{"status", "standby"}, {"role", "standby"}, {"loading", false}};
      json::error_code jec;
      auto extra = json::parse(status_ ? status_() : "{}", jec);
      if (!jec && extra.is_object())
        for (const auto& kv : extra.as_object()) body[kv.key()] = kv.value();
      return answer(json_response(200, body), head);
    }
    if ((get || head) && path == "/readyz") {
      auto r = json_response(503, json::object{{"ready", false}, {"role", "standby"}});
      r.headers.emplace_back("Retry-After", "1");
      return answer(std::move(r), head);
    }
    if (get && path == "/metrics") {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body =
          "# HELP huying_active 1 when this dispatcher holds its district's lease and takes "
          "work, 0 while it waits as standby.\n# TYPE huying_active gauge\nhuying_active 0\n";
      return answer(std::move(r), head);
    }
    auto r = error_response(503, "standby",
                            "备用调度服务：另一台正在工作，本机等待接管。请访问主用服务。"
                            " (standby dispatcher: another one holds the district's lease)");
    r.headers.emplace_back("Retry-After", "1");
    answer(std::move(r), head);
  }

  void answer(HttpResponse r, bool head) {
    res_.result(r.status);
    res_.version(11);
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    for (auto& [k, v] : r.headers) res_.set(k, v);
    res_.keep_alive(false);
    res_.body() = head ? std::string() : std::move(r.body);
    res_.prepare_payload();
    if (head) res_.content_length(r.body.size());
    stream_.expires_after(std::chrono::seconds(10));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {
      self->close();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
  std::function<std::string()> status_;
  std::shared_ptr<std::atomic<long>> open_;
};

}  // namespace

struct StandbyServer::Impl : std::enable_shared_from_this<StandbyServer::Impl> {
  explicit Impl(asio::io_context& io) : ioc(io), acceptor(io), retry(io) {}
  asio::io_context& ioc;
  tcp::acceptor acceptor;
  asio::steady_timer retry;  // backs off after an accept error (e.g. out of fds)
  std::function<std::string()> status;
  unsigned short port = 0;
  std::shared_ptr<std::atomic<long>> open = std::make_shared<std::atomic<long>>(0);

  void accept() {
    acceptor.async_accept(
        asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
          if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
          if (ec) {  // e.g. EMFILE: wait a little instead of spinning
            self->retry.expires_after(std::chrono::milliseconds(100));
            self->retry.async_wait([self](beast::error_code e) {
              if (!e && self->acceptor.is_open()) self->accept();
            });
            return;
          }
          // A flood of connections must not take the fds the lease needs.
          if (self->open->load() < 1000)
            std::make_shared<StandbyConn>(std::move(s), self->status, self->open)->run();
          self->accept();
        });
  }
};

StandbyServer::StandbyServer(asio::io_context& ioc, const std::string& address, unsigned short port,
                             std::function<std::string()> status)
    : impl_(std::make_shared<Impl>(ioc)) {
  impl_->status = std::move(status);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("bad listen address '" + address + "': " + ec.message());
  tcp::endpoint ep{addr, port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  impl_->port = a.local_endpoint().port();
  impl_->accept();
}

StandbyServer::~StandbyServer() { stop(); }

unsigned short StandbyServer::port() const { return impl_->port; }

void StandbyServer::stop() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->retry.cancel();
}

}  // namespace huying::server
