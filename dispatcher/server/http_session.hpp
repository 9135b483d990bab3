// One HTTP/1.1 connection: read a request, hand it to the API, write the
// answer (possibly later, after a commit), repeat while keep-alive.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "dispatcher/server/api.hpp"
#include "dispatcher/server/server.hpp"

namespace huying::server {

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<Api> api,
               const ServerOptions& limits);
  ~http_session();
  void run();

 private:
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t);
  // Answers a request the parser refused (too large, malformed), then closes.
  void refuse(unsigned status, const char* code, std::string message);
  void send(HttpResponse res, unsigned version, bool keep_alive, bool head);
  // A WebSocket upgrade (/ws/board, /ws/queue): signed in, role checked,
  // then the connection is handed to a ws_session.
  void upgrade();
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t);
  void do_close();
  void fail(boost::beast::error_code ec, const char* what);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<response> res_;  // kept alive during async_write
  std::shared_ptr<Api> api_;
  ServerOptions limits_;
  std::string remote_;
};

}  // namespace huying::server
